"""Settings, read once from the environment (``PRIVNUM_*``); every value has one working default, its
dataclass field's. ``ENVIRONMENT`` names the variable of each setting; an empty variable is unset."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from privnum.domain.voice_files import check_language

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./privnum-data/privnum.db"


def parse_offsets(raw: str) -> tuple[int, ...]:
    """'+08:00,-05:00' -> seconds the clients' clocks may be ahead of UTC while labelled Z."""
    out = []
    for part in filter(None, (p.strip() for p in raw.split(","))):
        sign = -1 if part.startswith("-") else 1
        hours, _, minutes = part.lstrip("+-").partition(":")
        out.append(sign * (int(hours) * 3600 + int(minutes or 0) * 60))
    return tuple(out)


DEFAULT_SIP_LISTEN = "127.0.0.1:5060"


def parse_host_port(raw: str, what: str, default_port: int | None = None) -> tuple[str, int]:
    """'127.0.0.1:5060' -> ('127.0.0.1', 5060); a ValueError that names ``what`` otherwise."""
    host, sep, port = raw.strip().rpartition(":")
    if not sep:
        host, port = raw.strip(), ""
    if not port and default_port is not None:
        port = str(default_port)
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"{what}: {raw!r} is not HOST:PORT (for example 127.0.0.1:5060)")
    return host.strip("[]"), int(port)


def parse_port_range(raw: str) -> tuple[int, int]:
    """'20000-29999' -> (20000, 29999)."""
    low, sep, high = raw.strip().partition("-")
    if not sep or not low.isdigit() or not high.isdigit() or not 1024 <= int(low) < int(high) < 65536:
        raise ValueError("expected LOW-HIGH with 1024 <= LOW < HIGH < 65536, for example 20000-29999")
    return int(low), int(high)


def _csv(raw: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in raw.split(",") if p.strip())


SMS_GATEWAYS = ("sandbox", "kannel")


def check_sms_gateway(raw: str) -> str:
    if raw not in SMS_GATEWAYS:
        raise ValueError(f"PRIVNUM_SMS_GATEWAY must be one of {', '.join(SMS_GATEWAYS)}, not {raw!r}")
    return raw


def check_time_zone(raw: str) -> str:
    try:
        ZoneInfo(raw)
    except (ValueError, ZoneInfoNotFoundError):
        raise ValueError(f"not an IANA time zone: {raw!r}") from None
    return raw


def check_seconds(raw: str) -> int:
    value = int(raw)
    if value < 0:
        raise ValueError(f"must not be negative: {raw!r}")
    return value


def check_non_negative(raw: str) -> float:
    value = float(raw)
    if value < 0:
        raise ValueError(f"must not be negative: {raw!r}")
    return value


def check_webhook_url(raw: str) -> str | None:
    """An http(s) URL, or empty: none."""
    url = raw.strip()
    if not url:
        return None
    if not url.startswith(("http://", "https://")) or len(url) < 10:
        raise ValueError(f"an http:// or https:// URL, not {raw!r}")
    return url


def check_positive(raw: str) -> float:
    value = float(raw)
    if value <= 0:
        raise ValueError(f"must be positive: {raw!r}")
    return value


LOG_FORMATS = ("text", "json")
LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")


def check_log_format(raw: str) -> str:
    if raw not in LOG_FORMATS:
        raise ValueError(f"one of {', '.join(LOG_FORMATS)}, not {raw!r}")
    return raw


def check_log_level(raw: str) -> str:
    if raw.lower() not in LOG_LEVELS:
        raise ValueError(f"one of {', '.join(LOG_LEVELS)}, not {raw!r}")
    return raw.lower()


def _switch(raw: str) -> bool:
    return raw.strip().lower() not in ("0", "false", "no", "off")


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    redis_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8080
    keep_alive_s: int = 75  # an idle HTTP connection is kept this long (uvicorn's 5 s is shorter than clients')
    clock_skew_s: int = 900
    local_time_offsets_s: tuple[int, ...] = field(default_factory=tuple)
    lockout_failures: int = 10
    lockout_window_s: int = 300
    lockout_ban_s: int = 1800
    expiry_sweep_interval_s: float = 1.0
    app_cache_ttl_s: float = 2.0
    routing_cache_keys: int = 200_000  # PostgreSQL: values cached for routing (0: no routing cache)
    routing_cache_ttl_s: float = 60.0  # a backstop: the LISTEN feed forgets a changed X at once
    time_scale: float = 1.0
    block_timeout_s: float = 5.0
    push_concurrency: int = 32
    push_timeout_s: float = 10.0
    recordings_dir: str = "./privnum-data/recordings"
    recording_retention_days: float = 7.0
    recording_url_valid_s: int = 3 * 24 * 3600
    public_base_url: str | None = None
    sandbox_enabled: bool = True
    connect_timeout_s: float = 90.0
    sip_enabled: bool = True
    sip_listen: str | None = None  # HOST:PORT; None: DEFAULT_SIP_LISTEN, given up quietly when taken
    sip_trunk: str | None = None  # HOST:PORT of the carrier: every outgoing leg goes there
    sip_trusted: tuple[str, ...] = field(default_factory=tuple)  # IPs/CIDRs allowed to send INVITEs
    media_ip: str | None = None  # default: the SIP listen host
    rtp_ports: tuple[int, int] = (20000, 29999)
    sip_country_code: str = "86"
    sip_trunk_prefix: str = "0"  # a national number dialled as 0…: the prefix to drop
    sip_national_digits: int = 11  # a number of this many digits without prefix is national (mobile 1…)
    sip_user_agent: str = "privnum"
    voice_dir: str | None = None
    prompt_language: str = "zh"
    admin_login: str = "admin"  # the first operator's login, created on first start from admin_password_file
    admin_password_file: str | None = None
    secure_cookies: bool | None = None  # None: Secure when public_base_url is https
    sms_gateway: str = "sandbox"  # sandbox | kannel
    kannel_sendsms_url: str = "http://127.0.0.1:13013/cgi-bin/sendsms"
    kannel_username: str = ""
    kannel_password: str = ""
    kannel_token: str | None = None  # what Kannel's post-url and privnum's dlr-url carry as token=
    kannel_allow: tuple[str, ...] = ("127.0.0.1",)  # addresses / CIDR ranges Kannel calls from
    kannel_dlr_base_url: str | None = None  # where Kannel reaches privnum for DLRs; default: base_url
    sms_max_segments: int = 10
    sms_give_up_s: float = 3600.0
    sms_in_doubt_s: float = 30.0
    billing_jobs: bool = True  # privnum serve settles hours and charges rent by itself
    billing_tick_s: float = 30.0
    billing_settle_lag_s: float = 300.0
    billing_timezone: str = "Asia/Shanghai"
    billing_clock_offset_s: float = 0.0  # tests only: the billing jobs act as if it were this much later
    arrears_grace_minutes: float = 0.0  # a tenant short of its credit line is frozen after this long
    arrears_recovery_delay_s: float = 0.0  # a frozen tenant covered again recovers after this long (Huawei: 600)
    billing_webhook_url: str | None = None  # billing notifications are POSTed here (None: only stored and listed)
    billing_webhook_secret: str | None = None  # when set, X-Privnum-Signature: sha256=HMAC-SHA256(body)
    metrics_allow: tuple[str, ...] = ("127.0.0.1", "::1")  # addresses / CIDR ranges /metrics answers
    metrics_token: str | None = None  # when set, /metrics also wants "Authorization: Bearer <token>"
    log_format: str = "text"  # text | json (one JSON object per line)
    log_level: str = "warning"
    bench_routes: bool = False  # bench/: POST /bench/v1/signed-noop (AKSK checked, nonce recorded, nothing done)

    @property
    def cookies_secure(self) -> bool:
        if self.secure_cookies is not None:
            return self.secure_cookies
        return self.base_url.startswith("https://")

    @property
    def sip_address(self) -> tuple[str, int]:
        """Where the SIP B2BUA listens."""
        return parse_host_port(self.sip_listen or DEFAULT_SIP_LISTEN, "PRIVNUM_SIP_LISTEN")

    @property
    def sip_trunk_address(self) -> tuple[str, int] | None:
        return parse_host_port(self.sip_trunk, "PRIVNUM_SIP_TRUNK", 5060) if self.sip_trunk else None

    @property
    def base_url(self) -> str:
        """Where clients reach this server (recording download links point here)."""
        return (self.public_base_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def data_dir(self) -> str:
        """Where privnum keeps its files: the parent of the recordings directory (``./privnum-data`` by default)."""
        return str(Path(self.recordings_dir).parent)

    @property
    def voice_files_dir(self) -> str:
        """Where uploaded voice files live: ``voice_dir``, else ``voice`` beside the recordings directory."""
        return self.voice_dir or str(Path(self.data_dir) / "voice")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """The settings the environment gives (``overrides`` that are not None win)."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for name, (variable, parse) in ENVIRONMENT.items():
            raw = env.get(variable)
            if raw not in (None, ""):
                try:
                    values[name] = parse(raw)
                except ValueError as error:
                    raise ValueError(f"{variable}={raw!r} is not valid: {error}") from None
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


ENVIRONMENT: dict[str, tuple[str, Callable[[str], Any]]] = {
    "database_url": ("PRIVNUM_DATABASE_URL", str),
    "redis_url": ("PRIVNUM_REDIS_URL", str),
    "host": ("PRIVNUM_HOST", str),
    "port": ("PRIVNUM_PORT", int),
    "keep_alive_s": ("PRIVNUM_KEEPALIVE_S", check_seconds),
    "clock_skew_s": ("PRIVNUM_AUTH_CLOCK_SKEW_S", int),
    "local_time_offsets_s": ("PRIVNUM_AUTH_LOCAL_OFFSETS", parse_offsets),
    "lockout_failures": ("PRIVNUM_AUTH_LOCKOUT_FAILURES", int),
    "lockout_window_s": ("PRIVNUM_AUTH_LOCKOUT_WINDOW_S", int),
    "lockout_ban_s": ("PRIVNUM_AUTH_LOCKOUT_BAN_S", int),
    "expiry_sweep_interval_s": ("PRIVNUM_EXPIRY_SWEEP_INTERVAL_S", float),
    "app_cache_ttl_s": ("PRIVNUM_APP_CACHE_TTL_S", float),
    "routing_cache_keys": ("PRIVNUM_ROUTING_CACHE_KEYS", int),
    "routing_cache_ttl_s": ("PRIVNUM_ROUTING_CACHE_TTL_S", float),
    "time_scale": ("PRIVNUM_TIME_SCALE", float),
    "block_timeout_s": ("PRIVNUM_BLOCK_TIMEOUT_S", float),
    "push_concurrency": ("PRIVNUM_PUSH_CONCURRENCY", int),
    "push_timeout_s": ("PRIVNUM_PUSH_TIMEOUT_S", float),
    "recordings_dir": ("PRIVNUM_RECORDINGS_DIR", str),
    "recording_retention_days": ("PRIVNUM_RECORDING_RETENTION_DAYS", float),
    "recording_url_valid_s": ("PRIVNUM_RECORDING_URL_VALID_S", int),
    "public_base_url": ("PRIVNUM_PUBLIC_BASE_URL", str),
    "sandbox_enabled": ("PRIVNUM_SANDBOX", _switch),
    "connect_timeout_s": ("PRIVNUM_CONNECT_TIMEOUT_S", float),
    "sip_enabled": ("PRIVNUM_SIP", _switch),
    "sip_listen": ("PRIVNUM_SIP_LISTEN", str),
    "sip_trunk": ("PRIVNUM_SIP_TRUNK", str),
    "sip_trusted": ("PRIVNUM_SIP_TRUSTED", _csv),
    "media_ip": ("PRIVNUM_MEDIA_IP", str),
    "rtp_ports": ("PRIVNUM_RTP_PORTS", parse_port_range),
    "sip_country_code": ("PRIVNUM_SIP_COUNTRY_CODE", str),
    "sip_trunk_prefix": ("PRIVNUM_SIP_TRUNK_PREFIX", str),
    "sip_national_digits": ("PRIVNUM_SIP_NATIONAL_DIGITS", int),
    "sip_user_agent": ("PRIVNUM_SIP_USER_AGENT", str),
    "voice_dir": ("PRIVNUM_VOICE_DIR", str),
    "prompt_language": ("PRIVNUM_PROMPT_LANGUAGE", check_language),
    "admin_login": ("PRIVNUM_ADMIN_LOGIN", str),
    "admin_password_file": ("PRIVNUM_ADMIN_PASSWORD_FILE", str),
    "secure_cookies": ("PRIVNUM_SECURE_COOKIES", _switch),
    "sms_gateway": ("PRIVNUM_SMS_GATEWAY", check_sms_gateway),
    "kannel_sendsms_url": ("PRIVNUM_KANNEL_SENDSMS_URL", str),
    "kannel_username": ("PRIVNUM_KANNEL_USERNAME", str),
    "kannel_password": ("PRIVNUM_KANNEL_PASSWORD", str),
    "kannel_token": ("PRIVNUM_KANNEL_TOKEN", str),
    "kannel_allow": ("PRIVNUM_KANNEL_ALLOW", _csv),
    "kannel_dlr_base_url": ("PRIVNUM_KANNEL_DLR_BASE_URL", str),
    "sms_max_segments": ("PRIVNUM_SMS_MAX_SEGMENTS", int),
    "sms_give_up_s": ("PRIVNUM_SMS_GIVE_UP_S", float),
    "sms_in_doubt_s": ("PRIVNUM_SMS_IN_DOUBT_S", float),
    "billing_jobs": ("PRIVNUM_BILLING_JOBS", _switch),
    "billing_tick_s": ("PRIVNUM_BILLING_TICK_S", check_positive),
    "billing_settle_lag_s": ("PRIVNUM_BILLING_SETTLE_LAG_S", check_non_negative),
    "billing_timezone": ("PRIVNUM_BILLING_TIMEZONE", check_time_zone),
    "billing_clock_offset_s": ("PRIVNUM_BILLING_CLOCK_OFFSET_S", float),
    "arrears_grace_minutes": ("PRIVNUM_ARREARS_GRACE_MINUTES", check_non_negative),
    "arrears_recovery_delay_s": ("PRIVNUM_ARREARS_RECOVERY_DELAY_S", check_non_negative),
    "billing_webhook_url": ("PRIVNUM_BILLING_WEBHOOK_URL", check_webhook_url),
    "billing_webhook_secret": ("PRIVNUM_BILLING_WEBHOOK_SECRET", str),
    "metrics_allow": ("PRIVNUM_METRICS_ALLOW", _csv),
    "metrics_token": ("PRIVNUM_METRICS_TOKEN", str),
    "log_format": ("PRIVNUM_LOG_FORMAT", check_log_format),
    "log_level": ("PRIVNUM_LOG_LEVEL", check_log_level),
    "bench_routes": ("PRIVNUM_BENCH_ROUTES", _switch),
}
assert set(ENVIRONMENT) == {f.name for f in dataclasses.fields(Settings)}, "every setting has one variable"
