"""Number orders (号码订购): a tenant orders numbers per city code and type for one of its apps; the order goes
through the review workflow (approved → processing, rejected → rejected with the reason); an operator then
issues numbers from stock to the app, all lines at once or none (409 ``no_stock`` names each short line)."""

from __future__ import annotations

from dataclasses import dataclass

from privnum.domain.access import Actor, Permission
from privnum.domain.apps import App
from privnum.domain.audit import AuditEvent
from privnum.domain.enterprises import Enterprise, require_approved
from privnum.domain.management_errors import Conflict, Invalid, NotFound
from privnum.domain.number_orders import (
    NumberOrder,
    OrderLine,
    OrderRequest,
    OrderState,
    Shortfall,
    check_cancellable,
    check_editable,
    check_issuable,
    check_lines,
    check_note,
)
from privnum.domain.private_numbers import PrivateNumber
from privnum.domain.reviews import Review, ReviewKind, ReviewState
from privnum.service.clock import now_ms, today_utc
from privnum.service.management.assignment_ports import AssignedNumber, AssignmentBilling, NoAssignmentBilling
from privnum.service.management.number_ports import NewOrder, OrderableApp
from privnum.service.management.ports import ManagementTx, ManagementUnit
from privnum.service.management.reviews import Reviews
from privnum.service.paging import Page, PageRequest

KIND = ReviewKind.NUMBER_ORDER


@dataclass(frozen=True)
class OrderDetail:
    order: NumberOrder
    reviews: list[Review]


def _order_view(order: NumberOrder) -> dict[str, object]:
    return {"state": order.state.value, "app_id": order.app_id, "sms_required": order.sms_required,
            "lines": [{"area_code": line.area_code, "number_type": line.number_type.value,
                       "quantity": line.quantity, "issued": line.issued} for line in order.lines]}


class OrderReview:
    """The order's side of the review workflow: approved → processing, rejected → rejected."""

    async def decided(self, tx: ManagementTx, review: Review, actor: Actor, now_ms: int) -> None:
        if review.state is ReviewState.APPROVED:
            await tx.move_order(review.subject_id, [OrderState.PENDING_REVIEW], OrderState.PROCESSING, now_ms)
        elif review.state is ReviewState.REJECTED:
            await tx.move_order(review.subject_id, [OrderState.PENDING_REVIEW], OrderState.REJECTED, now_ms)


class NumberOrders:
    def __init__(self, unit: ManagementUnit, reviews: Reviews,
                 billing: AssignmentBilling = NoAssignmentBilling()) -> None:
        self.unit = unit
        self.reviews = reviews
        self.billing = billing  # charges the month's rent of the numbers issued
        reviews.register(KIND, OrderReview())

    async def place(self, actor: Actor, request: OrderRequest) -> NumberOrder:
        actor.require(Permission.ORDER_NUMBERS)
        lines = check_lines(request.lines)
        note = check_note(request.note)

        async def work(tx: ManagementTx) -> NumberOrder:
            enterprise, app = await self._orderable(tx, actor, request)
            order_id = await tx.insert_order(NewOrder(enterprise.tenant_id, enterprise.id, app.id,
                                                      request.sms_required, note, lines, actor.login), now_ms())
            order = await self._order_in(tx, actor, order_id)
            await tx.audit(AuditEvent(actor, "number_order.create", f"number_order:{order_id}", order.tenant_id,
                                      after=_order_view(order)), now_ms())
            await self.reviews.submit_in(tx, actor, KIND, order_id, order.tenant_id, order.label)
            return await self._order_in(tx, actor, order_id)

        return await self.unit.run(work)

    async def _orderable(self, tx: ManagementTx, actor: Actor, request: OrderRequest) -> tuple[Enterprise, App]:
        enterprise = await tx.enterprise_by_id(request.enterprise_id)
        if enterprise is None or not actor.sees(enterprise.tenant_id):
            raise NotFound("enterprise")
        require_approved(enterprise, today_utc())  # approved, and its authorisation letter not expired
        app = await tx.app_by_id(request.app_id)
        if app is None or not actor.sees(app.tenant_id):
            raise NotFound("app")
        if app.enterprise_id != enterprise.id:
            raise Invalid("app_not_of_enterprise", "this app belongs to another enterprise; pick one of this "
                          "enterprise's apps", field="app_id")
        if not app.is_active:
            raise Conflict("app_not_active", f"the app is {app.status.value}; numbers are ordered for an active app")
        if app.arrears.refuses_orders:
            raise Conflict("in_arrears", "the account is in arrears: top up first; numbers are ordered again once a "
                           "top-up covers the balance")
        if request.sms_required and not app.sms_enabled:
            raise Invalid("sms_not_enabled", "the app has SMS switched off; switch SMS on for the app first, or "
                          "order without SMS", field="sms_required")
        return enterprise, app

    async def _order_in(self, tx: ManagementTx, actor: Actor, order_id: int) -> NumberOrder:
        order = await tx.order(order_id)
        if order is None or not actor.sees(order.tenant_id):
            raise NotFound("number order")
        return order

    async def orderable_apps(self, actor: Actor) -> list[OrderableApp]:
        """The apps the actor's tenant may order numbers for (active, of an approved enterprise)."""
        actor.require(Permission.READ)
        return await self.unit.run(lambda tx: tx.orderable_apps(actor.tenant_id), read_only=True)

    async def orders(self, actor: Actor, state: OrderState | None = None,
                   page: PageRequest = PageRequest()) -> Page[NumberOrder]:
        actor.require(Permission.READ)
        scope = actor.tenant_scope()
        if scope is None and not actor.is_operator:
            scope = -1
        return await self.unit.run(lambda tx: tx.orders(scope, state, page), read_only=True)

    async def detail(self, actor: Actor, order_id: int) -> OrderDetail:
        actor.require(Permission.READ)

        async def work(tx: ManagementTx) -> OrderDetail:
            order = await self._order_in(tx, actor, order_id)
            return OrderDetail(order, await tx.reviews_of(KIND, order_id))

        return await self.unit.run(work, read_only=True)

    async def numbers(self, actor: Actor, order_id: int) -> list[PrivateNumber]:
        """The order's numbers (号码表), with their city codes."""
        actor.require(Permission.READ)

        async def work(tx: ManagementTx) -> list[PrivateNumber]:
            await self._order_in(tx, actor, order_id)
            return await tx.order_numbers(order_id)

        return await self.unit.run(work, read_only=True)

    async def edit(self, actor: Actor, order_id: int, request: OrderRequest) -> NumberOrder:
        """Change a pending order, or change and resubmit a rejected one (a new review revision). The app and the
        enterprise stay those of the order."""
        actor.require(Permission.ORDER_NUMBERS)
        lines = check_lines(request.lines)
        note = check_note(request.note)

        async def work(tx: ManagementTx) -> NumberOrder:
            before = await self._order_in(tx, actor, order_id)
            check_editable(before)
            if request.app_id != before.app_id or request.enterprise_id != before.enterprise_id:
                raise Invalid("app_fixed", "an order's enterprise and app cannot change; place a new order",
                              field="app_id")
            await self._orderable(tx, actor, request)
            now = now_ms()
            await tx.rewrite_order(order_id, lines, request.sms_required, note, now)
            resubmit = before.state is OrderState.REJECTED
            if resubmit and not await tx.move_order(order_id, [OrderState.REJECTED], OrderState.PENDING_REVIEW, now):
                raise Conflict("not_editable", "the order changed a moment ago; reload it")
            after = await self._order_in(tx, actor, order_id)
            await tx.audit(AuditEvent(actor, "number_order.edit", f"number_order:{order_id}", after.tenant_id,
                                      before=_order_view(before), after=_order_view(after)), now)
            if before.state is OrderState.REJECTED:
                await self.reviews.submit_in(tx, actor, KIND, order_id, after.tenant_id, after.label)
                after = await self._order_in(tx, actor, order_id)
            return after

        return await self.unit.run(work)

    async def cancel(self, actor: Actor, order_id: int) -> NumberOrder:
        actor.require(Permission.ORDER_NUMBERS)

        async def work(tx: ManagementTx) -> NumberOrder:
            before = await self._order_in(tx, actor, order_id)
            check_cancellable(before)
            now = now_ms()
            if not await tx.move_order(order_id, [OrderState.PENDING_REVIEW], OrderState.CANCELLED, now):
                raise Conflict("not_cancellable", "the order was decided a moment ago; reload it")
            await self.reviews.cancel_in(tx, actor, KIND, order_id)
            after = await self._order_in(tx, actor, order_id)
            await tx.audit(AuditEvent(actor, "number_order.cancel", f"number_order:{order_id}", after.tenant_id,
                                      before=_order_view(before), after=_order_view(after)), now)
            return after

        return await self.unit.run(work)

    async def nudge(self, actor: Actor, order_id: int) -> Review:
        actor.require(Permission.ORDER_NUMBERS)
        await self.unit.run(lambda tx: self._order_in(tx, actor, order_id), read_only=True)
        return await self.reviews.nudge(actor, KIND, order_id)

    async def issue(self, actor: Actor, order_id: int) -> NumberOrder:
        """Assign in-stock numbers (same city code and type, unlocked, SMS-capable when asked) to the order's app,
        every line in full or nothing; the order is then completed."""
        actor.require(Permission.ISSUE_ORDERS)

        async def work(tx: ManagementTx) -> NumberOrder:
            before = await self._order_in(tx, actor, order_id)
            check_issuable(before)
            now = now_ms()
            if not await tx.move_order(order_id, [OrderState.PROCESSING], OrderState.COMPLETED, now):
                raise Conflict("not_issuable", "someone issued this order a moment ago; reload it")
            short: list[Shortfall] = []
            issued: list[AssignedNumber] = []
            for line in before.lines:
                taken = await self._take(tx, before, line, now)
                if len(taken) < line.quantity:
                    short.append(Shortfall(line.area_code, line.number_type, line.quantity, len(taken)))
                else:
                    await tx.set_issued(order_id, line.area_code, line.number_type, len(taken))
                    issued += [AssignedNumber(number, line.number_type.value) for number in taken]
            if short:
                raise Conflict("no_stock", "not enough numbers in stock, nothing was issued: "
                               + "; ".join(str(s) for s in short) + " — import more or reject the order")
            await self.billing.charge_in(tx.billing(), before.tenant_id, before.app_id, issued, now)
            after = await self._order_in(tx, actor, order_id)
            await tx.audit(AuditEvent(actor, "number_order.issue", f"number_order:{order_id}", after.tenant_id,
                                      before=_order_view(before), after=_order_view(after)), now)
            return after

        return await self.unit.run(work)

    @staticmethod
    async def _take(tx: ManagementTx, order: NumberOrder, line: OrderLine, now: int) -> list[str]:
        """Take up to ``line.quantity`` stock numbers for the order's app; each by a conditional UPDATE, so a number
        another operator took first is skipped and the next one tried."""
        taken: list[str] = []
        while len(taken) < line.quantity:
            wanted = line.quantity - len(taken)
            candidates = await tx.stock_candidates(line.area_code, line.number_type, order.sms_required, wanted)
            if not candidates:
                break
            for number in candidates:
                if await tx.take_from_stock(number, order.app_id, order.id, now):
                    taken.append(number)
        return taken

