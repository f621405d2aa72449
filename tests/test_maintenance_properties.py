"""Property tests of the due-date rules (DESIGN §2): whatever the contract period and holidays,
every due date is a business day inside the contract and no later than the end of its period."""
from __future__ import annotations

import calendar
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from desktop.services.business_calendar import BusinessCalendar
from desktop.services.maintenance import due_dates_for, period_key_for

starts = st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31))
lengths = st.integers(min_value=0, max_value=1100)
holiday_sets = st.frozensets(st.dates(min_value=date(2024, 1, 1), max_value=date(2032, 12, 31)),
                             max_size=60)
cadences = st.sampled_from([("monthly", None), ("quarterly", None), ("annual", None),
                            ("annual", 30), ("once", 7), ("once", None)])


def period_end(key: str, start: date, end: date) -> date:
    if key == "end":
        return end
    if key.startswith("Y"):
        n = int(key[1:])
        try:
            anniversary = start.replace(year=start.year + n)
        except ValueError:
            anniversary = start.replace(year=start.year + n, day=28)
        return anniversary - timedelta(days=1)
    year = int(key[:4])
    month = int(key[6:]) * 3 if "-Q" in key else int(key[5:])
    return date(year, month, calendar.monthrange(year, month)[1])


@given(start=starts, length=lengths, holidays=holiday_sets, cadence=cadences)
def test_every_due_date_is_a_business_day_within_contract_and_period(start, length, holidays,
                                                                      cadence):
    end = start + timedelta(days=length)
    cal = BusinessCalendar(weekdays=range(5), holidays=holidays)
    dues = due_dates_for(*cadence, start, end, cal)
    for key, due in dues.items():
        assert cal.is_business_day(due)
        assert due <= period_end(key, start, end)
        assert start <= due <= end or (key == "end" and due <= end)
        # nothing later in the period would have been a business day
        day = due + timedelta(days=1)
        if key != "end":
            while day <= min(period_end(key, start, end), end):
                assert not cal.is_business_day(day) or day > end
                day += timedelta(days=1)
        assert period_key_for(*cadence, start, due) == key


@given(start=starts, length=lengths, holidays=holiday_sets)
def test_monthly_tasks_cover_each_month_whose_due_date_is_in_force_once(start, length, holidays):
    end = start + timedelta(days=length)
    cal = BusinessCalendar(weekdays=range(5), holidays=holidays)
    dues = due_dates_for("monthly", None, start, end, cal)
    months = set()
    day = start
    while day <= end:
        months.add((day.year, day.month))
        day += timedelta(days=1)
    assert {(int(k[:4]), int(k[5:])) for k in dues} <= months
    # every month fully inside the contract is there
    for year, month in months:
        first, last = date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
        if start <= first and last <= end:
            assert f"{year:04d}-{month:02d}" in dues
