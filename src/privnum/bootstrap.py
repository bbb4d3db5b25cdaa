"""Wiring: builds the storage, authentication and background work from Settings, once per process
(``build_runtime`` for the server), or the operator's use cases for one CLI action (``build_operator``)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

from privnum.adapters.db.auth_guard_store import SqlAuthGuard
from privnum.adapters.db.call_store import SqlCallStore
from privnum.adapters.db.database import Database, open_database
from privnum.adapters.db.migrate import upgrade
from privnum.adapters.db.outbox_store import OutboxStore
from privnum.adapters.db.provisioning_store import SqlProvisioningStore
from privnum.adapters.db.tenancy_store import SqlTenancyStore
from privnum.adapters.push.block_decider import HuaweiBlockDecider
from privnum.adapters.push.formatter import HuaweiPushFormatter
from privnum.adapters.push.worker import PushWorker
from privnum.adapters.recordings.catalog import Recordings
from privnum.adapters.recordings.store import LocalRecordingStore
from privnum.adapters.recordings.wav import synthesize_call_audio
from privnum.adapters.telephony.sandbox import SandboxDriver
from privnum.config import Settings
from privnum.domain.apps import App
from privnum.domain.bindings import Binding
from privnum.huawei.number_pushes import HuaweiNumberPushes
from privnum.service import axyb
from privnum.service.app_cache import CachedAppDirectory
from privnum.service.authentication import AuthPolicy
from privnum.service.call_engine import CallEngine, EngineSettings
from privnum.service.clock import now_ms
from privnum.service.management.apps import Apps
from privnum.service.management.enterprises import Enterprises
from privnum.service.management.numbers import Numbers
from privnum.service.management.pushes import Pushes
from privnum.service.ports import AuthGuard

log = logging.getLogger("privnum")

RECORDING_PURGE_INTERVAL_S = 60.0


@dataclass
class Runtime:
    settings: Settings
    db: Database
    apps: SqlTenancyStore
    directory: CachedAppDirectory
    provisioning: SqlProvisioningStore
    guard: AuthGuard
    policy: AuthPolicy
    recordings: Recordings
    pushes: PushWorker | None = None
    engine: CallEngine | None = None
    sandbox: SandboxDriver | None = None
    block: HuaweiBlockDecider | None = None

    async def start(self) -> None:
        if self.engine is not None:
            await self.engine.start()

    async def close(self) -> None:
        if self.engine is not None:
            await self.engine.stop()
        if self.block is not None:
            await self.block.close()
        if self.pushes is not None:
            await self.pushes.stop()
        close = getattr(self.guard, "close", None)
        if close is not None:
            await close()
        await self.db.dispose()


def build_runtime(settings: Settings) -> Runtime:
    db = open_database(settings.database_url)
    apps = SqlTenancyStore(db)
    guard_args = (settings.lockout_failures, settings.lockout_window_s * 1000, settings.lockout_ban_s * 1000)
    guard: AuthGuard
    if settings.redis_url:
        from privnum.adapters.redis.auth_guard import RedisAuthGuard

        guard = RedisAuthGuard(settings.redis_url, *guard_args)
    else:
        guard = SqlAuthGuard(db, *guard_args)
    provisioning = SqlProvisioningStore(db)
    directory = CachedAppDirectory(apps, settings.app_cache_ttl_s)
    recordings = Recordings(db, LocalRecordingStore(settings.recordings_dir), settings)
    pushes = PushWorker(db, settings.time_scale, settings.push_concurrency, settings.push_timeout_s)
    block = HuaweiBlockDecider(db, settings.block_timeout_s)

    async def allocate_y(app: App, ax_relation: Binding, b_number: str) -> Binding:
        """AXYB: B calls X without a YB relation; give B a Y (in X's city first, then anywhere)."""
        return await axyb.bind_yb(provisioning, app, axyb.YbRelation(
            parent_id=ax_relation.id, user=b_number, area_code=None, non_strict=True, yb_duration_s=None,
            settings={}))

    engine = CallEngine(SqlCallStore(db), directory, HuaweiPushFormatter(), block=block, recordings=recordings,
                        settings=EngineSettings(connect_timeout_s=settings.connect_timeout_s),
                        on_enqueued=pushes.notify, allocate_y=allocate_y)
    sandbox = SandboxDriver(engine, audio=synthesize_call_audio) if settings.sandbox_enabled else None
    return Runtime(
        settings=settings,
        db=db,
        apps=apps,
        directory=directory,
        provisioning=provisioning,
        guard=guard,
        policy=AuthPolicy(settings.clock_skew_s, settings.local_time_offsets_s),
        recordings=recordings,
        pushes=pushes,
        engine=engine,
        sandbox=sandbox,
        block=block,
    )


@dataclass(frozen=True)
class OperatorRuntime:
    """The operator's use cases, bound to one open database."""

    enterprises: Enterprises
    apps: Apps
    numbers: Numbers
    pushes: Pushes


def migrate(settings: Settings) -> None:
    """Bring the database to the newest schema. Must not be called from inside a running event loop."""
    upgrade(settings.database_url)


@contextlib.asynccontextmanager
async def build_operator(settings: Settings) -> AsyncIterator[OperatorRuntime]:
    """``async with build_operator(settings) as operator``: migrate, open the database, yield the use cases;
    the database is disposed at exit."""
    await asyncio.to_thread(migrate, settings)
    db = open_database(settings.database_url)
    try:
        tenancy = SqlTenancyStore(db)
        yield OperatorRuntime(
            enterprises=Enterprises(tenancy),
            apps=Apps(tenancy),
            numbers=Numbers(tenancy, HuaweiNumberPushes()),
            pushes=Pushes(OutboxStore(db)),
        )
    finally:
        await db.dispose()


async def sweep_forever(runtime: Runtime) -> None:
    """Unbind expired bindings (freeing their X) and forget stale nonces, failures and bans;
    every RECORDING_PURGE_INTERVAL_S also delete recordings past retention (rows and files)."""
    interval = runtime.settings.expiry_sweep_interval_s
    last_recording_purge: float | None = None
    if runtime.pushes is not None:
        runtime.pushes.start()  # delivers pushes beside the sweep; stopped by Runtime.close()
    while True:
        if last_recording_purge is None or time.monotonic() - last_recording_purge >= RECORDING_PURGE_INTERVAL_S:
            last_recording_purge = time.monotonic()
            await _purge_recordings(runtime)
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


async def _purge_recordings(runtime: Runtime) -> None:
    try:
        purged = await runtime.recordings.purge_older_than(now_ms())
        if purged:
            log.info("purged %d recordings past retention", purged)
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("recording retention sweep failed; retrying")
