"""The doctor's rules: a schema against the newest migration, a clock against the database's, a push URL's answer."""

from __future__ import annotations

from privnum.domain.health_checks import (
    MAX_CLOCK_SKEW_S,
    CallbackTarget,
    Verdict,
    callback_check,
    clock_check,
    exit_code,
    ok,
    schema_check,
    warn,
)


def test_schema() -> None:
    assert schema_check("0018", "0018", True).verdict is Verdict.OK
    never = schema_check(None, "0018", True)
    assert never.verdict is Verdict.FAIL and "privnum db upgrade" in never.fix
    behind = schema_check("0017", "0018", True)
    assert behind.verdict is Verdict.FAIL and "behind" in behind.detail
    newer = schema_check("0042", "0018", False)
    assert newer.verdict is Verdict.FAIL and "upgrade privnum" in newer.fix


def test_clock_skew_beyond_two_seconds_warns() -> None:
    assert clock_check(MAX_CLOCK_SKEW_S, "db").verdict is Verdict.OK
    ahead = clock_check(3.5, "the PostgreSQL server")
    assert ahead.verdict is Verdict.WARN and "3.5 s ahead of the PostgreSQL server" in ahead.detail
    assert "behind" in clock_check(-3.5, "db").detail


def test_callback_answers() -> None:
    target = CallbackTarget("shop", "K1", "callback", "http://h/events")
    assert callback_check(target, 405, None).verdict is Verdict.OK
    down = callback_check(target, None, "Connection refused")
    assert down.verdict is Verdict.WARN and down.name == "callback URL of app shop" and "K1" in down.fix
    assert callback_check(target, 503, None).verdict is Verdict.WARN


def test_only_a_failure_exits_1() -> None:
    assert exit_code([ok("a", "x"), warn("b", "y", "z")]) == 0
    assert exit_code([schema_check(None, "1", True)]) == 1
