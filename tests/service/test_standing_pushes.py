"""The standing follows the balance (service/billing/standing.py), over an in-memory transaction: going into
arrears pushes each app that wants numStatus its available numbers in batches of 100, once; a covered balance
recovers with status 5; an app without the switch gets nothing."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

from privnum.domain.billing.arrears import AccountStanding, ArrearsTerms, BalanceSide
from privnum.domain.billing.notices import Notice
from privnum.domain.private_numbers import NumberState, PrivateNumber
from privnum.domain.pushes import OutboundPush
from privnum.huawei.number_pushes import HuaweiNumberPushes
from privnum.service.billing.notice_ports import LowBalance
from privnum.service.billing.ports import BillingAccount, TenantNumber
from privnum.service.billing.standing import Standings


class MemoryTx:
    def __init__(self, balance: int, numbers: list[TenantNumber]) -> None:
        self.row = BillingAccount(7, "CNY", "p", balance, 0, "active")
        self.numbers = numbers
        self.pushes: list[OutboundPush] = []
        self.notices: list[Notice] = []

    async def account(self, tenant_id: int, *, lock: bool = False) -> BillingAccount:
        return self.row

    async def set_standing(self, tenant_id: int, standing: AccountStanding, side: BalanceSide,
                           changed_at_ms: int | None) -> None:
        self.row = replace(self.row, standing=standing.value, short_since_ms=side.short_since_ms,
                           covered_since_ms=side.covered_since_ms)

    async def tenant_numbers(self, tenant_id: int) -> list[TenantNumber]:
        return self.numbers

    async def enqueue(self, pushes: list[OutboundPush], now_ms: int) -> None:
        self.pushes += pushes

    async def tenant_name(self, tenant_id: int) -> str:
        return "acme"

    async def low_balance(self, tenant_id: int) -> LowBalance:
        return LowBalance(None, None)  # no threshold set

    async def raise_notice(self, notice: Notice, now_ms: int) -> bool:
        self.notices.append(notice)
        return True


def held(app_id: int, count: int, url: str | None, state: NumberState = NumberState.AVAILABLE) -> list[TenantNumber]:
    return [TenantNumber(app_id, PrivateNumber(f"+86170{app_id:02d}{n:05d}", app_id, "755", None, state), url)
            for n in range(count)]


def follow(tx: MemoryTx, now_ms: int = 1_000) -> Any:
    standings = Standings(ArrearsTerms(), HuaweiNumberPushes())
    return asyncio.run(standings.follow_balance(tx, 7, now_ms))  # type: ignore[arg-type]


def test_arrears_pushes_each_app_its_numbers_in_batches_of_100_once() -> None:
    tx = MemoryTx(-1, held(1, 250, "http://a/status") + held(2, 3, None) + held(3, 2, "http://c/status")
                  + held(3, 1, "http://c/status", NumberState.BLACKLISTED))
    assert follow(tx).standing is AccountStanding.ARREARS
    sizes = [(p.app_id, len(p.body["numInfo"])) for p in tx.pushes]
    assert sizes == [(1, 100), (1, 100), (1, 50), (3, 2)]
    assert {(i["status"], i["cause"]) for p in tx.pushes for i in p.body["numInfo"]} == {("10", "2")}
    assert all(p.body["eventType"] == "numStatus" for p in tx.pushes)
    assert follow(tx, 2_000).standing is AccountStanding.ARREARS
    assert len(tx.pushes) == 4  # the state holds: nothing pushed again
    assert [n.kind for n in tx.notices] == ["arrears_started"]  # and the operator is told once


def test_a_covered_balance_recovers_and_pushes_normal() -> None:
    tx = MemoryTx(-1, held(1, 2, "http://a/status"))
    follow(tx)
    tx.row = replace(tx.row, balance_micros=0)
    assert follow(tx, 5_000).standing is AccountStanding.ACTIVE
    assert [i["status"] for i in tx.pushes[-1].body["numInfo"]] == ["5", "5"]
    assert [n.kind for n in tx.notices] == ["arrears_started", "recovered"]
    assert tx.row.short_since_ms is None and tx.row.covered_since_ms == 5_000
