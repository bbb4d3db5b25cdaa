"""The X-number status push (Huawei's ``numStatus``): which number, its status and, when unavailable, why.

    {"eventType": "numStatus", "numInfo": [{"number": "+86...", "status": "10", "cause": "2"}]}

``status`` 5 is normal, 10 unavailable; ``cause`` (only with 10) 2 arrears, 3 stopped, 5 call-restricted
(``domain/number_status.py`` decides both).
"""

from __future__ import annotations

from typing import Any

from privnum.domain.number_status import NumberStatus


def number_status_body(change: NumberStatus) -> dict[str, Any]:
    info = {"number": change.number, "status": change.status}
    if change.cause:
        info["cause"] = change.cause
    return {"eventType": "numStatus", "numInfo": [info]}


class HuaweiNumberPushes:
    """The management use cases' NumberStatusFormatter."""

    def number_status_body(self, change: NumberStatus) -> dict[str, Any]:
        return number_status_body(change)
