"""The number pool as people manage it: add numbers to an app, the filtered list (tenants: their apps' numbers;
operators: all, stock included) and its CSV, a number's state, release back to stock (退订) and the operator's
lock (quarantine from new bindings). Every change is audited and pushes numStatus when the app asked for it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, replace

from privnum.domain.access import Actor, Permission
from privnum.domain.areas import province_of
from privnum.domain.audit import AuditEvent
from privnum.domain.limits import capacity
from privnum.domain.management_errors import Conflict, Invalid, NotFound
from privnum.domain.number_releases import NumberRelease, rent_through
from privnum.domain.number_status import status_change
from privnum.domain.operator_errors import OperatorError
from privnum.domain.private_numbers import NUMBER_STATUSES, NumberRole, NumberState, PrivateNumber
from privnum.domain.pushes import OutboundPush, PushKind
from privnum.service.clock import now_ms
from privnum.service.management.assignment_ports import AssignedNumber, AssignmentBilling, NoAssignmentBilling
from privnum.service.management.number_ports import NumberFilter, NumberListing
from privnum.service.management.ports import ManagementTx, ManagementUnit, NumberStatusFormatter
from privnum.service.paging import Page, PageRequest

MAX_LOCK_REASON = 200
EXPORT_CHUNK = 1000


@dataclass(frozen=True)
class NumberRow:
    """One row of the numbers list: the number, its app, and how many bindings it carries and may still take."""

    listing: NumberListing
    used: int
    remaining: int | None  # None: no app (stock)

    @property
    def number(self) -> PrivateNumber:
        return self.listing.number


def number_row(listing: NumberListing) -> NumberRow:
    n = listing.number
    if listing.app_mode is None:
        return NumberRow(listing, n.load, None)
    cap = capacity(listing.app_mode, n.role or NumberRole.X, listing.extension_length)
    return NumberRow(listing, n.load, max(0, cap - n.load))


def _number_view(n: PrivateNumber) -> dict[str, object]:
    return {"app_id": n.app_id, "state": n.state.value, "locked": n.locked, "load": n.load}


def _chunk_after(where: NumberFilter, after: str | None) -> Callable[[ManagementTx], Awaitable[list[NumberListing]]]:
    return lambda tx: tx.listing_after(where, after, EXPORT_CHUNK)


class Numbers:
    def __init__(self, unit: ManagementUnit, formatter: NumberStatusFormatter,
                 billing: AssignmentBilling = NoAssignmentBilling()) -> None:
        self.unit = unit
        self.formatter = formatter
        self.billing = billing  # charges the month's rent of the numbers added to an app

    async def add(self, app_key: str, area_code: str, numbers: Iterable[str], province: str | None = None,
                  sms_capable: bool = True, *, actor: Actor | None = None) -> int:
        """Add available numbers straight to the app's pool: all of them, or none when one is already known."""
        actor = actor or Actor.cli()
        actor.require(Permission.MANAGE_INVENTORY)
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
            now = now_ms()
            if not await tx.insert_numbers(rows, now):
                raise OperatorError("one of these numbers is already in the pool; nothing was added")
            await self.billing.charge_in(tx.billing(), app.tenant_id, app.id, [AssignedNumber(n) for n in wanted], now)
            await tx.audit(AuditEvent(actor, "numbers.add", f"app:{app.id}", app.tenant_id,
                                      after={"area_code": area_code, "count": len(rows), "first": wanted[0]}), now)
            return len(rows)

        return await self.unit.run(work)

    async def list(self, app_key: str | None = None) -> list[PrivateNumber]:
        return await self.unit.run(lambda tx: tx.numbers(app_key), read_only=True)

    async def catalog(self, actor: Actor, where: NumberFilter = NumberFilter(),
                      page: PageRequest = PageRequest()) -> Page[NumberRow]:
        """The numbers the actor sees: a tenant its apps' numbers, an operator every number, stock included."""
        where = self._scoped(actor, where)
        found = await self.unit.run(lambda tx: tx.listing(where, page), read_only=True)
        return Page([number_row(n) for n in found.items], found.total, found.page, found.per_page)

    async def export(self, actor: Actor, where: NumberFilter = NumberFilter()) -> AsyncIterator[NumberRow]:
        """Every row of the list (same filters), a chunk per read, for streaming out as CSV."""
        where = self._scoped(actor, where)
        after: str | None = None
        while True:
            chunk = await self.unit.run(_chunk_after(where, after), read_only=True)
            for listing in chunk:
                yield number_row(listing)
            if len(chunk) < EXPORT_CHUNK:
                return
            after = chunk[-1].number.number

    @staticmethod
    def _scoped(actor: Actor, where: NumberFilter) -> NumberFilter:
        actor.require(Permission.READ)
        if where.status is not None and where.status not in NUMBER_STATUSES:
            raise Invalid("invalid_status", f"a status is one of {', '.join(NUMBER_STATUSES)}", field="status")
        if actor.is_operator:
            return where
        return replace(where, tenant_id=actor.tenant_id if actor.tenant_id is not None else -1)

    async def set_state(self, number: str, state: NumberState, *, actor: Actor | None = None) -> None:
        """Change a number's state (operators). When its app asked for X-number status pushes and the status
        changed, the push goes to the outbox in the same transaction (to the number-status URL, else the
        call-status URL)."""
        actor = actor or Actor.cli()
        actor.require(Permission.LOCK_NUMBERS)

        async def work(tx: ManagementTx) -> None:
            now = now_ms()
            current = await tx.number(number)
            if current is None:
                raise NotFound("number", f"{number} is not in the pool")
            await tx.set_number_state(number, state, now)
            await self._push_in(tx, current, state, current.locked, now)
            await self._audit_in(tx, actor, "number.set_state", current, replace(current, state=state), now)

        await self.unit.run(work)

    async def lock(self, actor: Actor, number: str, reason: str) -> NumberRow:
        """Quarantine a number from new bindings; its existing bindings and calls keep working."""
        reason = reason.strip()
        if not 1 <= len(reason) <= MAX_LOCK_REASON:
            raise Invalid("invalid_reason", f"say why in 1 to {MAX_LOCK_REASON} characters", field="reason")
        return await self._set_lock(actor, number, True, reason)

    async def unlock(self, actor: Actor, number: str) -> NumberRow:
        return await self._set_lock(actor, number, False, None)

    async def _set_lock(self, actor: Actor, number: str, locked: bool, reason: str | None) -> NumberRow:
        actor.require(Permission.LOCK_NUMBERS)

        async def work(tx: ManagementTx) -> NumberRow:
            found = await tx.number_listing(number)
            if found is None:
                raise NotFound("number")
            current = found.number
            if current.locked is locked:
                raise Conflict("already_locked" if locked else "not_locked",
                               f"{number} is {'already' if locked else 'not'} locked")
            now = now_ms()
            await tx.set_lock(number, locked, reason, now)
            await self._push_in(tx, current, current.state, locked, now)
            after = replace(current, locked=locked)
            await self._audit_in(tx, actor, "number.lock" if locked else "number.unlock", current, after, now,
                                 found.tenant_id, {"reason": reason} if reason else {})
            return number_row(replace(found, number=after))

        return await self.unit.run(work)

    async def release(self, actor: Actor, number: str) -> NumberRelease:
        """Give a number back (退订): refused while it carries bindings; back to stock, and a release row for
        billing with the last month whose rent is owed."""
        actor.require(Permission.RELEASE_NUMBERS)

        async def work(tx: ManagementTx) -> NumberRelease:
            found = await tx.number_listing(number)
            if found is None or found.number.app_id is None or not actor.sees(found.tenant_id):
                raise NotFound("number", f"{number} is not a number of your apps")
            current = found.number
            if current.load:
                raise Conflict("number_bound", f"{number} still carries {current.load} binding"
                               f"{'s' if current.load != 1 else ''}; unbind them first, then release it")
            now = now_ms()
            assert current.app_id is not None
            if not await tx.return_to_stock(number, current.app_id, now):
                raise Conflict("number_bound", f"{number} was bound or released a moment ago; reload and retry")
            release = NumberRelease(number, current.app_id, found.tenant_id, now, rent_through(now))
            await tx.insert_release(release, current.order_id, actor.login)
            await self._audit_in(tx, actor, "number.release", current, replace(current, app_id=None), now,
                                 found.tenant_id, {"rent_through": release.rent_through})
            return release

        return await self.unit.run(work)

    async def _push_in(self, tx: ManagementTx, current: PrivateNumber, state: NumberState, locked: bool,
                       now: int) -> None:
        change = status_change(current.number, current.state, state, was_locked=current.locked, locked=locked)
        app = await tx.app_by_id(current.app_id) if current.app_id else None
        if change is None or app is None or not app.callbacks.push_number_status:
            return
        url = app.callbacks.number_status or app.callbacks.call_status
        if url:
            body = self.formatter.number_status_body(change)
            # one number's status pushes arrive in the order of its changes (a lock and an unlock in one second)
            await tx.enqueue([OutboundPush(app.id, PushKind.NUMBER_STATUS, url, body,
                                           order_key=f"numStatus:{current.number}")], now)

    @staticmethod
    async def _audit_in(tx: ManagementTx, actor: Actor, action: str, before: PrivateNumber, after: PrivateNumber,
                        now: int, tenant_id: int | None = None, details: dict[str, object] | None = None) -> None:
        await tx.audit(AuditEvent(actor, action, f"number:{before.number}", tenant_id, before=_number_view(before),
                                  after=_number_view(after), details=dict(details or {})), now)
