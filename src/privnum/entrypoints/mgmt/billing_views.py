"""JSON shapes of the billing views: amounts are decimal strings (``"12.5"``, exact, from integer micros) next to
the account's currency; instants are UTC milliseconds; buckets and months are the billing time zone's."""

from __future__ import annotations

from pydantic import BaseModel

from privnum.domain.billing.money import to_decimal_string
from privnum.service.billing.report_ports import AccountSummary, JournalLine
from privnum.service.billing.reports import MonthStatement, UsageReport


class AccountView(BaseModel):
    tenant_id: int
    tenant_name: str
    currency: str
    price_plan: str
    balance: str
    credit_limit: str
    standing: str  # active, … (arrears enforcement moves it)


class UsageRowView(BaseModel):
    bucket: str  # YYYY-MM-DD or YYYY-MM
    group: str  # the app id (by=app) or the X number (by=x)
    app_name: str | None = None
    meter: str  # call.forwarded (minutes), sms.forwarded (segments), number.rent (number-months), …
    units: int
    amount: str  # what the settled part was charged
    unsettled_units: int  # not settled yet: no price yet


class UsageView(BaseModel):
    account: AccountView
    from_month: str
    to_month: str
    bucket: str
    by: str
    timezone: str
    currency: str
    rows: list[UsageRowView]


class JournalView(BaseModel):
    key: str
    kind: str  # topup, settlement, rent, package, adjustment
    at_ms: int
    memo: str | None
    amount: str  # what it did to the balance: + raised it, − lowered it


class StatementView(BaseModel):
    account: AccountView
    month: str
    timezone: str
    currency: str
    start_ms: int
    end_ms: int
    opening: str
    topups: str
    charges: str  # positive: what settlements, rent and packages took
    adjustments: str  # signed
    closing: str  # opening + topups − charges + adjustments
    journals: list[JournalView]


def account_view(summary: AccountSummary) -> AccountView:
    a = summary.account
    return AccountView(tenant_id=a.tenant_id, tenant_name=summary.tenant_name, currency=a.currency,
                       price_plan=a.price_plan, balance=to_decimal_string(a.balance_micros),
                       credit_limit=to_decimal_string(a.credit_limit_micros), standing=a.standing)


def journal_view(line: JournalLine) -> JournalView:
    return JournalView(key=line.key, kind=line.kind, at_ms=line.at_ms, memo=line.memo,
                       amount=to_decimal_string(line.wallet_change_micros))


def usage_view(report: UsageReport, timezone: str) -> UsageView:
    rows = [UsageRowView(bucket=r.bucket, group=r.group, app_name=report.app_names.get(r.group), meter=r.meter,
                         units=r.units, amount=to_decimal_string(r.amount_micros), unsettled_units=r.unsettled_units)
            for r in report.rows]
    return UsageView(account=account_view(report.summary), from_month=report.span.first, to_month=report.span.last,
                     bucket=report.bucket.value, by=report.by.value, timezone=timezone,
                     currency=report.summary.account.currency, rows=rows)


def statement_view(found: MonthStatement, timezone: str) -> StatementView:
    s = found.statement
    return StatementView(account=account_view(found.summary), month=found.month, timezone=timezone,
                         currency=found.summary.account.currency, start_ms=s.start_ms, end_ms=s.end_ms,
                         opening=to_decimal_string(s.opening_micros), topups=to_decimal_string(s.topups_micros),
                         charges=to_decimal_string(s.charges_micros),
                         adjustments=to_decimal_string(s.adjustments_micros),
                         closing=to_decimal_string(s.closing_micros),
                         journals=[journal_view(line) for line in found.journals])
