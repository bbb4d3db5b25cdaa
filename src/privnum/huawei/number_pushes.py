"""The X-number status push (Huawei's ``numStatus``): which number, its status and, when unavailable, why.

    {"eventType": "numStatus", "numInfo": [{"number": "+86...", "status": "10", "cause": "2"}]}

``status`` 5 is normal, 10 unavailable; ``cause`` (only with 10) 2 arrears, 3 stopped, 5 call-restricted
(``domain/number_status.py`` decides both).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from privnum.domain.number_status import NumberStatus


def number_status_body(change: NumberStatus) -> dict[str, Any]:
    return number_statuses_body([change])


def number_statuses_body(changes: Sequence[NumberStatus]) -> dict[str, Any]:
    """One push for several numbers of one app (Huawei batches ``numInfo`` by up to 100)."""
    infos = []
    for change in changes:
        info = {"number": change.number, "status": change.status}
        if change.cause:
            info["cause"] = change.cause
        infos.append(info)
    return {"eventType": "numStatus", "numInfo": infos}


class HuaweiNumberPushes:
    """The management use cases' NumberStatusFormatter."""

    def number_status_body(self, change: NumberStatus) -> dict[str, Any]:
        return number_status_body(change)

    def number_statuses_body(self, changes: Sequence[NumberStatus]) -> dict[str, Any]:
        return number_statuses_body(changes)
