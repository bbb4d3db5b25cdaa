"""Settings, read once from the environment (``PRIVNUM_*``); every value has a working default."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./privnum-data/privnum.db"


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw not in (None, "") else default


def _offsets(raw: str) -> tuple[int, ...]:
    """'+08:00,-05:00' -> seconds the clients' clocks may be ahead of UTC while labelled Z."""
    out = []
    for part in filter(None, (p.strip() for p in raw.split(","))):
        sign = -1 if part.startswith("-") else 1
        hours, _, minutes = part.lstrip("+-").partition(":")
        out.append(sign * (int(hours) * 3600 + int(minutes or 0) * 60))
    return tuple(out)


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    redis_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8080
    clock_skew_s: int = 900
    local_time_offsets_s: tuple[int, ...] = field(default_factory=tuple)
    lockout_failures: int = 10
    lockout_window_s: int = 300
    lockout_ban_s: int = 1800
    expiry_sweep_interval_s: float = 1.0
    app_cache_ttl_s: float = 2.0
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

    @property
    def base_url(self) -> str:
        """Where clients reach this server (recording download links point here)."""
        return (self.public_base_url or f"http://{self.host}:{self.port}").rstrip("/")

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        env = os.environ
        values: dict[str, object] = {
            "database_url": env.get("PRIVNUM_DATABASE_URL") or DEFAULT_DATABASE_URL,
            "redis_url": env.get("PRIVNUM_REDIS_URL") or None,
            "host": env.get("PRIVNUM_HOST", "127.0.0.1"),
            "port": _int("PRIVNUM_PORT", 8080),
            "clock_skew_s": _int("PRIVNUM_AUTH_CLOCK_SKEW_S", 900),
            "local_time_offsets_s": _offsets(env.get("PRIVNUM_AUTH_LOCAL_OFFSETS", "")),
            "lockout_failures": _int("PRIVNUM_AUTH_LOCKOUT_FAILURES", 10),
            "lockout_window_s": _int("PRIVNUM_AUTH_LOCKOUT_WINDOW_S", 300),
            "lockout_ban_s": _int("PRIVNUM_AUTH_LOCKOUT_BAN_S", 1800),
            "time_scale": float(env.get("PRIVNUM_TIME_SCALE") or 1.0),
            "block_timeout_s": float(env.get("PRIVNUM_BLOCK_TIMEOUT_S") or 5.0),
            "recordings_dir": env.get("PRIVNUM_RECORDINGS_DIR") or "./privnum-data/recordings",
            "recording_retention_days": float(env.get("PRIVNUM_RECORDING_RETENTION_DAYS") or 7.0),
            "public_base_url": env.get("PRIVNUM_PUBLIC_BASE_URL") or None,
            "connect_timeout_s": float(env.get("PRIVNUM_CONNECT_TIMEOUT_S") or 90.0),
            "push_concurrency": _int("PRIVNUM_PUSH_CONCURRENCY", 32),
            "push_timeout_s": float(env.get("PRIVNUM_PUSH_TIMEOUT_S") or 10.0),
            "recording_url_valid_s": _int("PRIVNUM_RECORDING_URL_VALID_S", 3 * 24 * 3600),
            "sandbox_enabled": env.get("PRIVNUM_SANDBOX", "1") not in ("0", "false", "no"),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]
