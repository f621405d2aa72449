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


# --- regenerating against a real database --------------------------------------------------
from datetime import datetime, timezone  # noqa: E402
from decimal import Decimal  # noqa: E402

import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402
from sqlalchemy import delete, select  # noqa: E402

from desktop.models import Client, Contract, Occurrence  # noqa: E402
from desktop.services import maintenance as m  # noqa: E402

NOW = datetime(2026, 6, 15, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def shared_db(tmp_path_factory):
    from desktop.storage.database import open_database

    db = open_database(f"sqlite:///{tmp_path_factory.mktemp('prop') / 'p.db'}")
    yield db
    db.dispose()


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 6, 30)),
       length=st.integers(min_value=20, max_value=800),
       new_length=st.integers(min_value=0, max_value=800),
       tier=st.sampled_from(["warranty", "basic", "standard", "premium"]),
       every=st.integers(min_value=2, max_value=7),
       today=st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31)))
def test_editing_the_period_never_touches_done_work_and_regenerating_is_idempotent(
        shared_db, start, length, new_length, tier, every, today):
    with shared_db.transaction() as session:
        session.execute(delete(Occurrence))
        session.execute(delete(Contract))
        session.execute(delete(Client))
        client = Client(name="Property Co")
        session.add(client)
        session.flush()
        contract = Contract(client_id=client.id, tier_code=tier, start=start,
                            end=start + timedelta(days=length), monthly_fee=Decimal("1.00"))
        session.add(contract)
        session.flush()
        m.regenerate(session, today=today)
        occs = list(session.scalars(select(Occurrence).order_by(Occurrence.id)))
        done = {}
        for occ in occs[::every]:
            row = m.mark_done(session, occ.id, "skipped", f"done {occ.id}", None, None, NOW)
            done[occ.id] = (row.task, row.period_key, row.due, row.notes)
        contract.end = start + timedelta(days=new_length)
        m.regenerate(session, today=today, contract_ids=[contract.id])
        again = m.regenerate(session, today=today)
        assert (again.created, again.moved, again.removed) == (0, 0, 0)
        after = {o.id: o for o in session.scalars(select(Occurrence))}
        for occ_id, (task, key, due, notes) in done.items():
            kept = after[occ_id]
            assert (kept.task, kept.period_key, kept.due, kept.notes) == (task, key, due, notes)
        for occ in after.values():
            if occ.id in done:
                continue
            assert start <= occ.due <= contract.end or occ.period_key == "end"
            assert occ.due <= contract.end
        keys = [(o.task, o.period_key) for o in after.values()]
        assert len(keys) == len(set(keys))
