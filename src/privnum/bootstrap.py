"""Wiring: builds the storage, authentication and background work from Settings, once per process."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

from privnum.adapters.db.app_store import AppStore
from privnum.adapters.db.auth_guard_store import SqlAuthGuard
from privnum.adapters.db.database import Database, open_database
from privnum.adapters.db.provisioning_store import SqlProvisioningStore
from privnum.config import Settings
from privnum.service.app_cache import CachedAppDirectory
from privnum.service.authentication import AuthPolicy
from privnum.service.clock import now_ms
from privnum.service.ports import AuthGuard

log = logging.getLogger("privnum")


@dataclass
class Runtime:
    settings: Settings
    db: Database
    apps: AppStore
    directory: CachedAppDirectory
    provisioning: SqlProvisioningStore
    guard: AuthGuard
    policy: AuthPolicy

    async def close(self) -> None:
        close = getattr(self.guard, "close", None)
        if close is not None:
            await close()
        await self.db.dispose()


def build_runtime(settings: Settings) -> Runtime:
    db = open_database(settings.database_url)
    apps = AppStore(db)
    guard_args = (settings.lockout_failures, settings.lockout_window_s * 1000, settings.lockout_ban_s * 1000)
    guard: AuthGuard
    if settings.redis_url:
        from privnum.adapters.redis.auth_guard import RedisAuthGuard

        guard = RedisAuthGuard(settings.redis_url, *guard_args)
    else:
        guard = SqlAuthGuard(db, *guard_args)
    return Runtime(
        settings=settings,
        db=db,
        apps=apps,
        directory=CachedAppDirectory(apps, settings.app_cache_ttl_s),
        provisioning=SqlProvisioningStore(db),
        guard=guard,
        policy=AuthPolicy(settings.clock_skew_s, settings.local_time_offsets_s),
    )


async def sweep_forever(runtime: Runtime) -> None:
    """Unbind expired bindings (freeing their X) and forget stale nonces, failures and bans."""
    interval = runtime.settings.expiry_sweep_interval_s
    while True:
        try:
            now = now_ms()
            released = await runtime.provisioning.run(lambda tx, now=now: tx.purge_expired(now))
            if released:
                log.info("expired %d bindings", released)
            with contextlib.suppress(AttributeError):
                await runtime.guard.forget_expired(now)  # type: ignore[attr-defined]
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("expiry sweep failed; retrying")
        await asyncio.sleep(interval)
