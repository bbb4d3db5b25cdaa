"""``privnum doctor``'s use case: run each deployment check in order, bounded in time; a check that needs an
earlier one (the schema needs the database, the apps' URLs need the schema) is skipped when that one failed, and
a probe that breaks is a failure, not a crash."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from privnum.domain.health_checks import CheckResult, Verdict, fail


@dataclass(frozen=True)
class Check:
    name: str
    probe: Callable[[], Awaitable[list[CheckResult]]]
    needs: tuple[str, ...] = ()  # checks that must not have failed for this one to run
    timeout_s: float = 15.0


async def run_checks(checks: list[Check]) -> list[CheckResult]:
    results: list[CheckResult] = []
    failed: set[str] = set()
    for check in checks:
        if failed.intersection(check.needs):
            failed.add(check.name)
            continue
        try:
            found = await asyncio.wait_for(check.probe(), check.timeout_s)
        except TimeoutError:
            found = [fail(check.name, f"no answer within {check.timeout_s:g} s", "see that it runs and is reachable "
                                                                               "from this machine")]
        except Exception as error:  # the probe itself broke: say so instead of a traceback
            first_line = (str(error) or type(error).__name__).splitlines()[0]
            found = [fail(check.name, f"the check could not run: {first_line}", "see the message")]
        if any(r.verdict is Verdict.FAIL for r in found):
            failed.add(check.name)
        results.extend(found)
    return results
