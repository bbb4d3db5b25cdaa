"""Nonce replay and IP lockout memory in Redis (``PRIVNUM_REDIS_URL``): one round trip per check."""

from __future__ import annotations

from redis.asyncio import Redis


class RedisAuthGuard:
    def __init__(self, url: str, failures: int, window_ms: int, ban_ms: int, prefix: str = "privnum:") -> None:
        self.redis = Redis.from_url(url)
        self.failures = failures
        self.window_ms = window_ms
        self.ban_ms = ban_ms
        self.prefix = prefix

    async def is_banned(self, ip: str, now_ms: int) -> bool:
        return bool(await self.redis.exists(f"{self.prefix}ban:{ip}"))

    async def record_failure(self, ip: str, now_ms: int) -> None:
        key = f"{self.prefix}fail:{ip}"
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.zadd(key, {f"{now_ms}:{id(pipe)}:{await self.redis.incr(self.prefix + 'seq')}": now_ms})
            pipe.zremrangebyscore(key, 0, now_ms - self.window_ms)
            pipe.zcard(key)
            pipe.pexpire(key, self.window_ms)
            _, _, recent, _ = await pipe.execute()
        if recent >= self.failures:
            await self.redis.set(f"{self.prefix}ban:{ip}", 1, px=self.ban_ms)
            await self.redis.delete(key)

    async def first_use_of_nonce(self, app_key: str, nonce: str, now_ms: int, ttl_ms: int) -> bool:
        return bool(await self.redis.set(f"{self.prefix}nonce:{app_key}:{nonce}", 1, px=ttl_ms, nx=True))

    async def forget_expired(self, now_ms: int) -> None:
        """Redis expires keys by itself."""

    async def close(self) -> None:
        await self.redis.aclose()
