"""``privnum doctor``: does Kannel's smsbox answer on ``PRIVNUM_KANNEL_SENDSMS_URL``, and take privnum's
sendsms-user? A request without a receiver sends nothing; smsbox answers it with an error that tells a wrong
user or password apart."""

from __future__ import annotations

import aiohttp

from privnum.domain.health_checks import CheckResult, fail, ok

NAME = "Kannel sendsms"


async def check_kannel(url: str, username: str, password: str, timeout_s: float = 3.0) -> list[CheckResult]:
    timeout = aiohttp.ClientTimeout(total=timeout_s)
    try:
        async with aiohttp.ClientSession(timeout=timeout) as session, \
                session.get(url, params={"username": username, "password": password}) as reply:
            body = (await reply.text()).strip()
    except (aiohttp.ClientError, TimeoutError, OSError) as error:
        return [fail(NAME, f"{url} does not answer: {error or type(error).__name__}",
                     "start bearerbox and smsbox (deploy/kannel/README.md) or correct PRIVNUM_KANNEL_SENDSMS_URL")]
    if "authorization failed" in body.lower():
        return [fail(NAME, f"{url} refuses privnum's sendsms-user {username!r}: {body}",
                     "make PRIVNUM_KANNEL_USERNAME and PRIVNUM_KANNEL_PASSWORD match the sendsms-user in "
                     "kannel.conf")]
    return [ok(NAME, f"{url} answers (HTTP {reply.status})")]
