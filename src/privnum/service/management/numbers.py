"""The number pool: add numbers to an app, list them, change a number's state (and push numStatus)."""

from __future__ import annotations

from collections.abc import Iterable

from privnum.domain.areas import province_of
from privnum.domain.number_status import status_change
from privnum.domain.operator_errors import OperatorError
from privnum.domain.private_numbers import NumberState, PrivateNumber
from privnum.domain.pushes import OutboundPush, PushKind
from privnum.service.clock import now_ms
from privnum.service.management.ports import ManagementTx, ManagementUnit, NumberStatusFormatter


class Numbers:
    def __init__(self, unit: ManagementUnit, formatter: NumberStatusFormatter) -> None:
        self.unit = unit
        self.formatter = formatter

    async def add(self, app_key: str, area_code: str, numbers: Iterable[str], province: str | None = None,
                  sms_capable: bool = True) -> int:
        """Add available numbers to the app's pool: all of them, or none when one is already in the pool."""
        wanted = list(numbers)

        async def work(tx: ManagementTx) -> int:
            app = await tx.app_by_key(app_key)
            if app is None:
                raise OperatorError(f"no app with APP_Key {app_key}")
            if not wanted:
                return 0
            rows = [PrivateNumber(number=n, app_id=app.id, area_code=area_code,
                                  province=province or province_of(area_code), state=NumberState.AVAILABLE,
                                  sms_capable=sms_capable) for n in wanted]
            if not await tx.insert_numbers(rows, now_ms()):
                raise OperatorError("one of these numbers is already in the pool; nothing was added")
            return len(rows)

        return await self.unit.run(work)

    async def list(self, app_key: str | None = None) -> list[PrivateNumber]:
        return await self.unit.run(lambda tx: tx.numbers(app_key), read_only=True)

    async def set_state(self, number: str, state: NumberState) -> None:
        """Change a number's state. When its app asked for X-number status pushes and the status changed, the
        push goes to the outbox in the same transaction (to the number-status URL, else the call-status URL)."""

        async def work(tx: ManagementTx) -> None:
            now = now_ms()
            current = await tx.number(number)
            if current is None:
                raise OperatorError(f"{number} is not in the pool")
            await tx.set_number_state(number, state, now)
            change = status_change(number, current.state, state)
            app = await tx.app_by_id(current.app_id) if current.app_id else None
            if change is None or app is None or not app.callbacks.push_number_status:
                return
            url = app.callbacks.number_status or app.callbacks.call_status
            if url:
                body = self.formatter.number_status_body(change)
                await tx.enqueue([OutboundPush(app.id, PushKind.NUMBER_STATUS, url, body)], now)

        await self.unit.run(work)
