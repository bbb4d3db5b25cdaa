"""``privnum doctor``: is the Redis of ``PRIVNUM_REDIS_URL`` there (nonces and lockouts live in it)?"""

from __future__ import annotations

from redis.asyncio import Redis
from redis.exceptions import RedisError

from privnum.domain.health_checks import CheckResult, fail, ok


def _safe(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    return f"{scheme}{sep}{rest.rpartition('@')[2]}" if sep else url


async def check_redis(url: str, timeout_s: float = 3.0) -> list[CheckResult]:
    redis = Redis.from_url(url, socket_connect_timeout=timeout_s, socket_timeout=timeout_s)
    try:
        await redis.ping()
        version = (await redis.info("server")).get("redis_version", "?")
    except (RedisError, OSError) as error:
        return [fail("redis", f"PRIVNUM_REDIS_URL={_safe(url)} does not answer: {error}",
                     "start Redis or correct PRIVNUM_REDIS_URL (or unset it: nonces and lockouts then live in the "
                     "database)")]
    finally:
        await redis.aclose()
    return [ok("redis", f"Redis {version} at {_safe(url)}")]
