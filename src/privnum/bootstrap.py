"""Wiring: builds the storage, authentication, call core and background work from Settings, once per
process (``build_runtime`` for the server: ``Runtime.start()``/``close()`` own every background task, call
heartbeat and recovery, push delivery, the expiry sweep), or the operator's use cases for one CLI action
(``build_operator``)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import secrets
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

from privnum.adapters.db.auth_guard_store import SqlAuthGuard
from privnum.adapters.db.billing_reports import SqlBillingReportUnit
from privnum.adapters.db.billing_unit import SqlBillingUnit
from privnum.adapters.db.call_commands_store import SqlCallCommands
from privnum.adapters.db.call_store import SqlCallStore
from privnum.adapters.db.database import Database, open_database
from privnum.adapters.db.deployment_probe import DatabaseProbe
from privnum.adapters.db.job_lease_store import SqlJobLeases
from privnum.adapters.db.management_unit import SqlManagementUnit
from privnum.adapters.db.migrate import upgrade
from privnum.adapters.db.notice_outbox import SqlNoticeOutbox
from privnum.adapters.db.operations_census import SqlOperationsCensus
from privnum.adapters.db.outbox_delivery import SqlOutbox
from privnum.adapters.db.pool_census import SqlPoolCensus
from privnum.adapters.db.provisioning_store import SqlProvisioningStore
from privnum.adapters.db.recording_store import SqlRecordingRows
from privnum.adapters.db.routing_listener import PgRoutingListener
from privnum.adapters.db.sms_store import SqlSmsStore
from privnum.adapters.db.tenancy_store import SqlTenancyStore
from privnum.adapters.db.voice_file_store import SqlVoiceFileRows
from privnum.adapters.metrics.prometheus_meter import PrometheusMeter
from privnum.adapters.metrics.scrape import MetricsScrape
from privnum.adapters.passwords.argon2_hasher import Argon2Hasher
from privnum.adapters.push.billing_webhook import BillingWebhook
from privnum.adapters.push.block_decider import HuaweiBlockDecider
from privnum.adapters.push.sms_block_asker import HuaweiSmsBlockAsker
from privnum.adapters.push.url_probe import check_callback_urls
from privnum.adapters.push.worker import PushWorker
from privnum.adapters.recordings.store import LocalRecordingStore
from privnum.adapters.recordings.wav import alaw_wav, synthesize_call_audio
from privnum.adapters.sms.kannel import KannelGateway
from privnum.adapters.sms.sandbox import SandboxSmsGateway
from privnum.adapters.telephony.sandbox import SandboxDriver
from privnum.adapters.telephony.sip.driver import SipDriver
from privnum.adapters.telephony.sip.teardown import SipTeardown
from privnum.adapters.voice.builtin import PackagedPrompts
from privnum.adapters.voice.store import LocalVoiceStore
from privnum.config import Settings
from privnum.domain.billing.arrears import ArrearsTerms
from privnum.domain.health_checks import CheckResult
from privnum.domain.reviews import ReviewKind
from privnum.huawei.call_pushes import HuaweiCallPushes, merge_cdr_bodies
from privnum.huawei.number_pushes import HuaweiNumberPushes
from privnum.huawei.sms_pushes import HuaweiSmsPushes
from privnum.service.access.sign_in import SignIn
from privnum.service.access.users import Users
from privnum.service.app_cache import CachedAppDirectory
from privnum.service.authentication import AuthPolicy
from privnum.service.background import cancel_and_wait
from privnum.service.billing.accounts import BillingAccounts
from privnum.service.billing.assignment_rent import AssignmentRent
from privnum.service.billing.desk import BillingDesk
from privnum.service.billing.ingestion import UsageIngestion
from privnum.service.billing.notifications import BillingNotifications
from privnum.service.billing.package_desk import PackageDesk
from privnum.service.billing.packages import Packages
from privnum.service.billing.rent_job import RentJob
from privnum.service.billing.reports import BillingReports
from privnum.service.billing.runner import BillingJobSettings, BillingRunner
from privnum.service.billing.settlement import HourlySettlement
from privnum.service.billing.standing import Standings
from privnum.service.billing.wallet import Wallets
from privnum.service.calls.cached_call_store import CachedCallStore
from privnum.service.calls.control import CommandListener, OwnerCallControl
from privnum.service.calls.engine import CallEngine, EngineSettings
from privnum.service.calls.ports import CallControl
from privnum.service.calls.routing_cache import RoutingCache
from privnum.service.clock import now_ms
from privnum.service.doctor import Check, run_checks
from privnum.service.management.a_numbers import ANumbers
from privnum.service.management.apps import Apps
from privnum.service.management.audit import AuditTrail
from privnum.service.management.enterprises import Enterprises
from privnum.service.management.headroom import PoolHeadroom
from privnum.service.management.inventory import Inventory
from privnum.service.management.number_orders import NumberOrders
from privnum.service.management.numbers import Numbers
from privnum.service.management.pushes import Pushes
from privnum.service.management.records import Records
from privnum.service.management.reviews import Reviews
from privnum.service.management.sms_records import SmsRecords
from privnum.service.management.statistics import CallStatistics
from privnum.service.management.voice_files import VoiceFileReview, VoiceLibrary
from privnum.service.ports import AppDirectory, AuthGuard
from privnum.service.provisioning import axyb
from privnum.service.provisioning.ports import ProvisioningTx
from privnum.service.recordings import Recordings
from privnum.service.sms.relay import RelaySettings, SmsRelay
from privnum.service.voice_files import VoiceFiles, VoicePrompts

log = logging.getLogger("privnum")

RECORDING_PURGE_INTERVAL_S = 60.0
INITIAL_ADMIN_PASSWORD_FILE = "initial-admin-password"


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
    pushes: PushWorker
    engine: CallEngine
    call_control: CallControl
    call_commands: CommandListener
    block: HuaweiBlockDecider
    voice: VoiceFiles  # the call core's VoicePrompts: ``await runtime.voice.prompt(app_id, name)``
    management: ManagementPlane
    sms: SmsRelay
    meter: PrometheusMeter  # what the core counts (privnum.service.metrics.Meter)
    metrics: MetricsScrape  # GET /metrics
    billing_jobs: BillingRunner | None = None  # None: PRIVNUM_BILLING_JOBS=0
    billing_webhook: BillingWebhook | None = None  # None: no PRIVNUM_BILLING_WEBHOOK_URL
    sandbox: SandboxDriver | None = None
    sms_sandbox: SandboxSmsGateway | None = None  # the sandbox carrier, when it is the SMS gateway
    sip: SipDriver | None = None
    routing_listener: PgRoutingListener | None = None  # PostgreSQL: feeds the engine's routing cache
    _tasks: list[asyncio.Task[None]] = field(default_factory=list, init=False, repr=False)

    async def start(self) -> None:
        """Start the background work: call heartbeat and recovery, commands to this process's calls, push
        delivery, the expiry sweep; create the first operator when ``PRIVNUM_ADMIN_PASSWORD_FILE`` names one."""
        await ensure_first_operator(self.settings, self.management.users)
        if self.routing_listener is not None:
            self.routing_listener.start()
        await self.engine.start()
        if self.sip is not None:
            await self._start_sip(self.sip)
        self.pushes.start()
        self.sms.start()
        if self.billing_jobs is not None:
            self.billing_jobs.start()
        if self.billing_webhook is not None:
            self.billing_webhook.start()
        self._tasks = [asyncio.create_task(sweep_forever(self), name="privnum-expiry-sweep"),
                       asyncio.create_task(self.call_commands.run(), name="privnum-call-commands")]
        # Everything imported and built so far lives as long as the process: keep it out of the collector's
        # passes, which otherwise walk it on every full collection (tens of ms under load, in the calls' path)
        gc.collect()
        gc.freeze()

    async def _start_sip(self, sip: SipDriver) -> None:
        host, port = sip.config.listen
        try:
            await sip.start()
        except OSError as error:
            # ``privnum serve`` checked the port before it started the workers: taken now means another
            # worker of this server holds it (or a race lost); this worker serves without SIP.
            log.warning("SIP not served by this process: %s:%d is taken (%s)", host, port, error.strerror or error)
            self.engine.drivers.pop(sip.name, None)
            self.sip = None
            return
        log.warning("SIP B2BUA listening on udp:%s:%d, trunk %s", host, port,
                    "{}:{}".format(*sip.config.trunk) if sip.config.trunk else "not set (PRIVNUM_SIP_TRUNK)")

    async def close(self) -> None:
        for task in self._tasks:
            await cancel_and_wait(task)
        await self.engine.stop()
        if self.routing_listener is not None:
            await self.routing_listener.stop()
        if self.sip is not None:
            await self.sip.stop()
        await self.block.close()
        if self.billing_jobs is not None:
            await self.billing_jobs.stop()
        if self.billing_webhook is not None:
            await self.billing_webhook.stop()
        await self.sms.stop()
        await self.pushes.stop()
        await self.guard.close()
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
    recordings = build_recordings(settings, db)
    outbox = SqlOutbox(db, merge_cdr_bodies)
    meter = PrometheusMeter()
    pushes = PushWorker(outbox, settings.time_scale, settings.push_concurrency, settings.push_timeout_s,
                        meter=meter)
    block = HuaweiBlockDecider(outbox, settings.block_timeout_s)

    voice = build_voice_files(settings, db, directory)
    call_store = SqlCallStore(db)
    routing_listener = build_routing_listener(settings, db)
    engine = CallEngine(CachedCallStore(call_store, routing_listener.cache) if routing_listener else call_store,
                        directory, HuaweiCallPushes(), block=block, recordings=recordings,
                        settings=EngineSettings(connect_timeout_s=settings.connect_timeout_s),
                        on_enqueued=pushes.notify, give_y=partial(axyb.give_y_for_call, provisioning),
                        voices=voice, teardowns={"sip": SipTeardown(settings.sip_user_agent)}, meter=meter)
    call_commands = SqlCallCommands(db)
    sandbox = None
    if settings.sandbox_enabled:
        sandbox = SandboxDriver(engine, audio=lambda ms: alaw_wav(synthesize_call_audio(ms)),
                                spool_dir=Path(settings.recordings_dir) / ".incoming")
        engine.attach(sandbox)
        engine.subscribe(sandbox.record_event)
    sip = build_sip(settings, engine, voice) if settings.sip_enabled else None
    gateway = build_sms_gateway(settings)
    sms = SmsRelay(SqlSmsStore(db), directory, gateway, HuaweiSmsBlockAsker(outbox, settings.block_timeout_s),
                   HuaweiSmsPushes(), RelaySettings(max_segments=settings.sms_max_segments,
                                                    give_up_ms=int(settings.sms_give_up_s * 1000),
                                                    in_doubt_ms=int(settings.sms_in_doubt_s * 1000),
                                                    block_timeout_s=settings.block_timeout_s),
                   on_enqueued=pushes.notify, meter=meter)
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
        call_control=OwnerCallControl(engine, call_commands, call_store.instance_id),
        call_commands=CommandListener(engine, call_commands, call_store.instance_id),
        block=block,
        voice=voice,
        management=build_management(settings, db, directory, voice),
        sms=sms,
        meter=meter,
        metrics=MetricsScrape(meter, SqlOperationsCensus(db)),
        billing_jobs=build_billing_jobs(settings, db) if settings.billing_jobs else None,
        billing_webhook=build_billing_webhook(settings, db),
        sandbox=sandbox,
        sms_sandbox=gateway if isinstance(gateway, SandboxSmsGateway) else None,
        sip=sip,
        routing_listener=routing_listener,
    )


def build_routing_listener(settings: Settings, db: Database) -> PgRoutingListener | None:
    """PostgreSQL: a routing cache per process, told of every committed change by LISTEN/NOTIFY. SQLite: none
    (a lookup there is already in-process; other processes of the machine could not tell this one)."""
    if not db.is_postgres or settings.routing_cache_keys <= 0:
        return None
    return PgRoutingListener(settings.database_url, RoutingCache(settings.routing_cache_keys,
                                                                 settings.routing_cache_ttl_s))


def build_sms_gateway(settings: Settings) -> SandboxSmsGateway | KannelGateway:
    if settings.sms_gateway == "kannel":
        dlr = f"{(settings.kannel_dlr_base_url or settings.base_url).rstrip('/')}/internal/kannel/dlr"
        return KannelGateway(settings.kannel_sendsms_url, settings.kannel_username, settings.kannel_password,
                             f"{dlr}?token={settings.kannel_token or ''}")
    return SandboxSmsGateway()


def check_sip_settings(settings: Settings) -> None:
    """Raise ValueError naming the setting that cannot work (trunk, trusted sources, addresses)."""
    from privnum.adapters.telephony.sip.b2bua_config import b2bua_config

    b2bua_config(settings, spool_dir="")


def build_sip(settings: Settings, engine: CallEngine, voice: VoicePrompts) -> SipDriver:
    """The SIP driver on ``settings`` (not started: ``Runtime.start`` binds the port)."""
    from privnum.adapters.telephony.sip.b2bua_config import b2bua_config

    def app_of(session_id: str) -> int | None:
        call = engine.live.get(session_id)
        return call.session.app_id if call is not None else None

    config = b2bua_config(settings, spool_dir=str(Path(settings.recordings_dir) / ".rtp"))
    sip = SipDriver(engine, config, prompts=voice.prompt, app_of=app_of,
                    spool_dir=Path(settings.recordings_dir) / ".incoming", wav=alaw_wav)
    engine.attach(sip)
    return sip


def build_recordings(settings: Settings, db: Database) -> Recordings:
    return Recordings(SqlRecordingRows(db), LocalRecordingStore(settings.recordings_dir), base_url=settings.base_url,
                      retention_days=settings.recording_retention_days, url_valid_s=settings.recording_url_valid_s)


def build_voice_files(settings: Settings, db: Database, apps: AppDirectory) -> VoiceFiles:
    return VoiceFiles(SqlVoiceFileRows(db), LocalVoiceStore(settings.voice_files_dir), apps, PackagedPrompts(),
                      language=settings.prompt_language)


@dataclass(frozen=True)
class BillingPlane:
    """The billing use cases (issue 15): plans and accounts, ingestion, hourly settlement, monthly rent, wallets,
    packages."""

    accounts: BillingAccounts
    ingestion: UsageIngestion
    settlement: HourlySettlement
    rent: RentJob
    wallets: Wallets
    packages: Packages
    reports: BillingReports  # accounts, usage, statements, the rated lines' export (console, management API)
    desk: BillingDesk  # the operators' top-ups, adjustments and credit limits
    package_desk: PackageDesk  # the catalogue, a tenant's packages and buying one (console, management API)
    notifications: BillingNotifications  # low-balance thresholds; what the operator was told


def build_standings(settings: Settings) -> Standings:
    terms = ArrearsTerms(grace_minutes=int(settings.arrears_grace_minutes),
                         recovery_delay_s=int(settings.arrears_recovery_delay_s))
    return Standings(terms, HuaweiNumberPushes())


def build_billing(settings: Settings, db: Database) -> BillingPlane:
    unit = SqlBillingUnit(db)
    ingestion = UsageIngestion(unit)
    standings = build_standings(settings)
    zone = ZoneInfo(settings.billing_timezone)
    wallets = Wallets(unit, standings)
    views = SqlBillingReportUnit(db)
    packages = Packages(unit, zone)
    return BillingPlane(BillingAccounts(unit), ingestion, HourlySettlement(unit, ingestion, standings),
                        RentJob(unit, standings, zone), wallets, packages,
                        BillingReports(views, zone), BillingDesk(views, wallets), PackageDesk(views, packages),
                        BillingNotifications(unit, standings.notices))


def build_billing_webhook(settings: Settings, db: Database) -> BillingWebhook | None:
    """The deliverer of billing notifications to PRIVNUM_BILLING_WEBHOOK_URL (None: no URL, stored only)."""
    if not settings.billing_webhook_url:
        return None
    return BillingWebhook(SqlNoticeOutbox(db), settings.billing_webhook_url, settings.billing_webhook_secret or None,
                          time_scale=settings.time_scale)


def build_billing_jobs(settings: Settings, db: Database) -> BillingRunner:
    unit = SqlBillingUnit(db)
    ingestion = UsageIngestion(unit)
    offset_ms = int(settings.billing_clock_offset_s * 1000)
    zone = ZoneInfo(settings.billing_timezone)
    standings = build_standings(settings)
    return BillingRunner(unit, ingestion, HourlySettlement(unit, ingestion, standings),
                         RentJob(unit, standings, zone), standings, SqlJobLeases(db),
                         BillingJobSettings(tick_s=settings.billing_tick_s,
                                            settle_lag_ms=int(settings.billing_settle_lag_s * 1000), zone=zone),
                         clock=lambda: now_ms() + offset_ms)


@dataclass(frozen=True)
class ManagementPlane:
    """The management use cases (console, management API and CLI alike), bound to one open database."""

    sign_in: SignIn
    users: Users
    reviews: Reviews
    audit: AuditTrail
    enterprises: Enterprises
    apps: Apps
    numbers: Numbers
    inventory: Inventory
    number_orders: NumberOrders
    pushes: Pushes
    voice: VoiceFiles
    records: Records
    sms_records: SmsRecords  # 短信详单
    statistics: CallStatistics
    a_numbers: ANumbers
    voice_files: VoiceLibrary  # uploads, review, deletion, problems (放音文件管理)
    billing: BillingPlane
    headroom: PoolHeadroom  # free capacity per app and area, and how long it lasts


OperatorRuntime = ManagementPlane


def build_management(settings: Settings, db: Database, directory: AppDirectory, voice: VoiceFiles) -> ManagementPlane:
    unit = SqlManagementUnit(db)
    hasher = Argon2Hasher()
    reviews = Reviews(unit)
    rent = AssignmentRent(build_standings(settings), ZoneInfo(settings.billing_timezone))
    reviews.register(ReviewKind.VOICE_FILE, VoiceFileReview())
    return ManagementPlane(
        sign_in=SignIn(unit, hasher),
        users=Users(unit, hasher),
        reviews=reviews,
        audit=AuditTrail(unit),
        enterprises=Enterprises(unit, reviews),  # registers the enterprise review subject
        apps=Apps(unit, directory if isinstance(directory, CachedAppDirectory) else None),
        numbers=Numbers(unit, HuaweiNumberPushes(), rent),
        inventory=Inventory(unit),
        number_orders=NumberOrders(unit, reviews, rent),
        pushes=Pushes(unit),
        voice=voice,
        records=Records(unit, build_recordings(settings, db)),
        sms_records=SmsRecords(unit),
        statistics=CallStatistics(unit),
        a_numbers=ANumbers(unit),
        voice_files=VoiceLibrary(unit, reviews, voice),
        billing=build_billing(settings, db),
        headroom=PoolHeadroom(SqlPoolCensus(db)),
    )


async def ensure_first_operator(settings: Settings, users: Users) -> None:
    """While there is no operator: the first platform admin (login ``PRIVNUM_ADMIN_LOGIN``), with the password in
    ``PRIVNUM_ADMIN_PASSWORD_FILE``, or else a generated one written to ``<data dir>/initial-admin-password``
    (readable by this user only) and named in the log. Nothing once an operator exists."""
    if await users.has_operator():
        return
    generated = not settings.admin_password_file
    if generated:
        path = Path(settings.data_dir) / INITIAL_ADMIN_PASSWORD_FILE
        password = secrets.token_urlsafe(12)
    else:
        path = Path(settings.admin_password_file or "")
        try:
            password = path.read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ValueError(f"PRIVNUM_ADMIN_PASSWORD_FILE={path}: cannot read it ({error.strerror})") from None
    created = await users.ensure_first_operator(settings.admin_login, password)
    if created is None:
        return  # another worker of this server made it a moment ago
    if generated:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(password + "\n")
        log.warning("created the first operator %r; its password is in %s (sign in at %s/console, then change it)",
                    created.login, path, settings.base_url)
    else:
        log.warning("created the first operator %r from %s", created.login, path)


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
        yield build_management(settings, db, tenancy, build_voice_files(settings, db, tenancy))
    finally:
        await db.dispose()


async def sweep_forever(runtime: Runtime) -> None:
    """Unbind expired bindings (freeing their X) and forget stale nonces, failures and bans;
    every RECORDING_PURGE_INTERVAL_S also delete recordings past retention (rows and files)."""
    interval = runtime.settings.expiry_sweep_interval_s
    last_recording_purge: float | None = None
    while True:
        if last_recording_purge is None or time.monotonic() - last_recording_purge >= RECORDING_PURGE_INTERVAL_S:
            last_recording_purge = time.monotonic()
            await _purge_recordings(runtime)
        try:
            now = now_ms()
            released = await runtime.provisioning.run(partial(_purge_expired, now=now))
            if released:
                log.info("expired %d bindings", released)
            await runtime.guard.forget_expired(now)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("expiry sweep failed; retrying")
        await asyncio.sleep(interval)


async def _purge_expired(tx: ProvisioningTx, now: int) -> int:
    return await tx.purge_expired(now)


async def _purge_recordings(runtime: Runtime) -> None:
    try:
        purged = await runtime.recordings.purge_older_than(now_ms())
        if purged:
            log.info("purged %d recordings past retention", purged)
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("recording retention sweep failed; retrying")


async def diagnose(settings: Settings) -> list[CheckResult]:
    """``privnum doctor``: check this node's deployment (database, schema, Redis, SIP port, Kannel, the apps'
    push URLs, the clock) without changing anything: no migration, no database created."""
    from privnum.adapters.redis.ping import check_redis
    from privnum.adapters.sms.kannel_probe import check_kannel
    from privnum.adapters.telephony.sip.port_probe import check_sip_port

    database = DatabaseProbe(settings.database_url)

    async def callbacks() -> list[CheckResult]:
        return await check_callback_urls(await database.callback_targets())

    checks = [Check("database", database.reachable), Check("migrations", database.schema, needs=("database",)),
              Check("clock skew", database.clock, needs=("database",))]
    if settings.redis_url:
        checks.append(Check("redis", partial(check_redis, settings.redis_url)))
    if settings.sip_enabled:
        host, port = settings.sip_address
        checks.append(Check("SIP port", partial(check_sip_port, host, port, settings.sip_user_agent)))
    if settings.sms_gateway == "kannel":
        checks.append(Check("Kannel sendsms", partial(check_kannel, settings.kannel_sendsms_url,
                                                      settings.kannel_username, settings.kannel_password)))
    checks.append(Check("callback URLs", callbacks, needs=("migrations",), timeout_s=30))
    try:
        return await run_checks(checks)
    finally:
        await database.close()
