"""``privnum doctor``'s use case: run each deployment check in order, bounded in time; a check that needs the
database is skipped when the database cannot be reached, and a probe that breaks is a failure, not a crash."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from privnum.domain.health_checks import CheckResult, Verdict, fail

DATABASE = "database"


@dataclass(frozen=True)
class Check:
    name: str
    probe: Callable[[], Awaitable[list[CheckResult]]]
    needs_database: bool = False
    timeout_s: float = 15.0


async def run_checks(checks: list[Check]) -> list[CheckResult]:
    results: list[CheckResult] = []
    database_down = False
    for check in checks:
        if check.needs_database and database_down:
            continue
        try:
            found = await asyncio.wait_for(check.probe(), check.timeout_s)
        except TimeoutError:
            found = [fail(check.name, f"no answer within {check.timeout_s:g} s", "see that it runs and is reachable "
                                                                               "from this machine")]
        except Exception as error:  # the probe itself broke: say so instead of a traceback
            found = [fail(check.name, f"the check could not run: {error}", "see the message")]
        if check.name == DATABASE and any(r.verdict is Verdict.FAIL for r in found):
            database_down = True
        results.extend(found)
    return results
