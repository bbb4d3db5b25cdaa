"""Settings from the environment: one default per value, every value settable, bad values named."""

from __future__ import annotations

import pytest

from privnum.config import Settings


def test_an_empty_environment_gives_the_defaults() -> None:
    s = Settings.from_env({})
    assert (s.database_url, s.port, s.clock_skew_s, s.sandbox_enabled, s.time_scale) == (
        "sqlite+aiosqlite:///./privnum-data/privnum.db", 8080, 900, True, 1.0)
    assert s.base_url == "http://127.0.0.1:8080"


def test_variables_are_read_and_typed() -> None:
    s = Settings.from_env({"PRIVNUM_PORT": "9001", "PRIVNUM_AUTH_LOCAL_OFFSETS": "+08:00,-05:30",
                           "PRIVNUM_SANDBOX": "0", "PRIVNUM_EXPIRY_SWEEP_INTERVAL_S": "0.5",
                           "PRIVNUM_APP_CACHE_TTL_S": "", "PRIVNUM_PUBLIC_BASE_URL": "https://x.example/"})
    assert (s.port, s.local_time_offsets_s, s.sandbox_enabled, s.expiry_sweep_interval_s, s.app_cache_ttl_s) == (
        9001, (28800, -19800), False, 0.5, 2.0)
    assert s.base_url == "https://x.example"


def test_overrides_win_unless_none() -> None:
    s = Settings.from_env({"PRIVNUM_PORT": "9001", "PRIVNUM_HOST": "0.0.0.0"}, port=9002, host=None)
    assert (s.port, s.host) == (9002, "0.0.0.0")


def test_a_bad_value_names_its_variable() -> None:
    with pytest.raises(ValueError, match="PRIVNUM_PORT='eighty' is not valid"):
        Settings.from_env({"PRIVNUM_PORT": "eighty"})
