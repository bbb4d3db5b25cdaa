"""Package draw-down invariants (billing.md §3.8, R-11…R-13), as properties: no quota gives more than it has left,
package units + PAYG units = the units asked for, only quotas in force and matching are drawn; and because packages
start and end on full hours, drawing one hour's usage record by record equals drawing its total at once."""

from __future__ import annotations

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from privnum.domain.billing.packages import Drawdown, Package, QuotaBalance, after_draws, draw

HOUR_MS = 3_600_000
METERS = ("call.forwarded", "sms.forwarded")
CLASSES = ("virtual", "carrier")
HOURS = 48


@st.composite
def packages(draw_from: st.DrawFn) -> list[Package]:
    count = draw_from(st.integers(min_value=0, max_value=5))
    made = []
    for package_id in range(count):
        start = draw_from(st.integers(min_value=0, max_value=HOURS)) * HOUR_MS
        end = start + draw_from(st.integers(min_value=1, max_value=HOURS)) * HOUR_MS
        purchased = start - draw_from(st.integers(min_value=1, max_value=HOUR_MS))
        balances = []
        for meter in draw_from(st.lists(st.sampled_from(METERS), min_size=1, max_size=2, unique=True)):
            for number_class in draw_from(st.lists(st.sampled_from((None, *CLASSES)), min_size=1, max_size=3,
                                                   unique=True)):
                granted = draw_from(st.integers(min_value=0, max_value=50))
                used = draw_from(st.integers(min_value=0, max_value=granted))
                balances.append(QuotaBalance(meter, number_class, granted, used))
        made.append(Package(package_id, 1, purchased, start, end, tuple(balances)))
    return made


usage = st.tuples(st.sampled_from(METERS), st.sampled_from(CLASSES))
hour_starts = st.integers(min_value=0, max_value=2 * HOURS).map(lambda h: h * HOUR_MS)


def drawn(result: Drawdown) -> Counter[tuple[int, str, str | None]]:
    totals: Counter[tuple[int, str, str | None]] = Counter()
    for d in result.draws:
        totals[(d.package_id, d.meter, d.number_class)] += d.units
    return totals


@given(packages(), usage, st.integers(min_value=0, max_value=200), hour_starts,
       st.integers(min_value=0, max_value=HOUR_MS - 1))
def test_a_draw_takes_no_more_than_is_left_and_accounts_for_every_unit(
        held: list[Package], meter_and_class: tuple[str, str], units: int, hour: int, into_hour: int) -> None:
    meter, number_class = meter_and_class
    at = hour + into_hour
    result = draw(held, meter, number_class, units, at)
    assert result.package_units + result.payg_units == units
    assert all(d.units > 0 for d in result.draws)
    by_id = {p.package_id: p for p in held}
    for (package_id, quota_meter, quota_class), taken in drawn(result).items():
        package = by_id[package_id]
        quota = next(q for q in package.balances if (q.meter, q.number_class) == (quota_meter, quota_class))
        assert package.effective_from_ms <= at < package.expires_at_ms
        assert quota_meter == meter and quota_class in (None, number_class)
        assert taken <= quota.remaining
    available = sum(q.remaining for p in held if p.effective_from_ms <= at < p.expires_at_ms
                    for q in p.balances if q.meter == meter and q.number_class in (None, number_class))
    assert result.payg_units == max(0, units - available)  # PAYG only for what the packages lack
    for package in after_draws(held, result.draws):
        assert all(0 <= q.used <= q.granted for q in package.balances)


@given(packages(), usage, st.lists(st.integers(min_value=0, max_value=40), max_size=12), hour_starts,
       st.data())
def test_drawing_an_hour_record_by_record_equals_drawing_its_total(
        held: list[Package], meter_and_class: tuple[str, str], record_units: list[int], hour: int,
        data: st.DataObject) -> None:
    meter, number_class = meter_and_class
    times = [hour + data.draw(st.integers(min_value=0, max_value=HOUR_MS - 1)) for _ in record_units]
    state, per_record, payg = held, Counter[tuple[int, str, str | None]](), 0
    for units, at in zip(record_units, sorted(times), strict=True):
        result = draw(state, meter, number_class, units, at)
        state = after_draws(state, result.draws)
        per_record += drawn(result)
        payg += result.payg_units
    aggregate = draw(held, meter, number_class, sum(record_units), hour)
    assert per_record == drawn(aggregate)
    assert payg == aggregate.payg_units
