"""A deployment check's verdict (ok / warn / fail) and what to do next, and the rules that judge what the probes
found: the schema against the newest migration, the clock against the database's, a callback URL's answer."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

MAX_CLOCK_SKEW_S = 2.0  # AKSK signatures carry a Created time; the nodes and the database should agree


class Verdict(StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"


@dataclass(frozen=True)
class CheckResult:
    name: str
    verdict: Verdict
    detail: str
    fix: str = ""  # what to do next (empty when ok)


def ok(name: str, detail: str) -> CheckResult:
    return CheckResult(name, Verdict.OK, detail)


def warn(name: str, detail: str, fix: str) -> CheckResult:
    return CheckResult(name, Verdict.WARN, detail, fix)


def fail(name: str, detail: str, fix: str) -> CheckResult:
    return CheckResult(name, Verdict.FAIL, detail, fix)


def exit_code(results: list[CheckResult]) -> int:
    """1 when any check failed; warnings alone still exit 0."""
    return 1 if any(r.verdict is Verdict.FAIL for r in results) else 0


def schema_check(current: str | None, head: str, known: bool) -> CheckResult:
    """``current``: the database's revision (None: never migrated); ``known``: whether this privnum knows it."""
    name = "migrations"
    if current == head:
        return ok(name, f"the schema is at the newest migration ({head})")
    if current is None:
        return fail(name, "the database has no privnum schema yet", "run `privnum db upgrade` (privnum serve also "
                                                                      "migrates when it starts)")
    if not known:
        return fail(name, f"the database is at {current}, a migration this privnum does not know",
                    "upgrade privnum on this node: another node runs a newer version")
    return fail(name, f"the database is at {current}, behind the newest migration {head}",
                "run `privnum db upgrade` (once, from any node) before starting this version")


def clock_check(skew_s: float, source: str) -> CheckResult:
    """``skew_s``: this machine's clock less ``source``'s (positive: this machine is ahead)."""
    name = "clock skew"
    if abs(skew_s) <= MAX_CLOCK_SKEW_S:
        return ok(name, f"{skew_s:+.2f} s from {source}")
    ahead = "ahead of" if skew_s > 0 else "behind"
    return warn(name, f"this machine's clock is {abs(skew_s):.1f} s {ahead} {source} (more than "
                      f"{MAX_CLOCK_SKEW_S:g} s)", "synchronise the clocks (chrony or systemd-timesyncd against the "
                                                  "same NTP servers): signed requests and expiries depend on time")


@dataclass(frozen=True)
class CallbackTarget:
    """One URL an app's pushes go to."""

    app_name: str
    app_key: str
    kind: str  # callback (call events), cdr, sms, sms control, number status
    url: str


def callback_check(target: CallbackTarget, status: int | None, error: str | None) -> CheckResult:
    """Any HTTP answer means the URL is reachable (privnum's pushes are POSTs, a probe may get 404 or 405); a
    5xx, or no answer at all, is a warning: the pushes will be retried, then kept as dead letters."""
    name = f"{target.kind} URL of app {target.app_name}"
    where = f"{target.url} ({target.app_key})"
    if status is None:
        return warn(name, f"{where} does not answer: {error}",
                    f"start the receiver or correct the URL: `privnum app update {target.app_key} --help`")
    if status >= 500:
        return warn(name, f"{where} answers HTTP {status}", "look at the receiver's log: pushes to it will fail")
    return ok(name, f"{where} answers (HTTP {status})")
