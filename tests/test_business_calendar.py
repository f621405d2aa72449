"""The business clock (DESIGN §2): Mon–Fri 09:00–18:00 Asia/Kolkata minus holidays, and 24/7.

Worked examples are computed by hand on the 2026 calendar (6 March 2026 is a Friday; Monday
26 January 2026, Republic Day, is the holiday in these examples).
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.services.business_calendar import ALWAYS, BusinessCalendar, clock_for

IST = ZoneInfo("Asia/Kolkata")
UTC = timezone.utc
REPUBLIC_DAY = date(2026, 1, 26)


def ist(*args: int) -> datetime:
    return datetime(*args, tzinfo=IST)


@pytest.fixture
def calendar() -> BusinessCalendar:
    return BusinessCalendar(holidays=[REPUBLIC_DAY])


# --- worked examples ----------------------------------------------------------------------
def test_friday_evening_carries_over_the_weekend(calendar):
    # Fri 17:00 + 2 h: one hour on Friday, one on Monday morning
    assert calendar.add(ist(2026, 3, 6, 17, 0), 120) == ist(2026, 3, 9, 10, 0)


def test_a_target_that_ends_at_closing_time_is_due_at_closing_time(calendar):
    assert calendar.add(ist(2026, 3, 6, 17, 0), 60) == ist(2026, 3, 6, 18, 0)
    assert calendar.add(ist(2026, 3, 9, 9, 0), 9 * 60) == ist(2026, 3, 9, 18, 0)


def test_a_holiday_inside_the_span_is_skipped(calendar):
    # Fri 23 Jan 16:00 + 9 h: 2 h on Friday, Monday is Republic Day, 7 h on Tuesday
    assert calendar.add(ist(2026, 1, 23, 16, 0), 9 * 60) == ist(2026, 1, 27, 16, 0)
    without_holiday = BusinessCalendar()
    assert without_holiday.add(ist(2026, 1, 23, 16, 0), 9 * 60) == ist(2026, 1, 26, 16, 0)


def test_opened_outside_business_hours_starts_at_the_next_opening(calendar):
    assert calendar.add(ist(2026, 3, 10, 7, 30), 60) == ist(2026, 3, 10, 10, 0)  # before 09:00
    assert calendar.add(ist(2026, 3, 10, 20, 0), 60) == ist(2026, 3, 11, 10, 0)  # after 18:00
    assert calendar.add(ist(2026, 3, 7, 22, 0), 60) == ist(2026, 3, 9, 10, 0)    # Saturday night


def test_minutes_between_counts_only_business_time(calendar):
    assert calendar.minutes_between(ist(2026, 3, 6, 17, 0), ist(2026, 3, 9, 10, 0)) == 120
    assert calendar.minutes_between(ist(2026, 3, 7, 8, 0), ist(2026, 3, 8, 20, 0)) == 0
    assert calendar.minutes_between(ist(2026, 3, 9, 10, 0), ist(2026, 3, 9, 9, 0)) == 0
    # a whole week with the holiday: 4 days of 9 h
    assert calendar.minutes_between(ist(2026, 1, 24), ist(2026, 1, 31)) == 4 * 9 * 60


def test_instants_in_any_offset_give_the_same_answer(calendar):
    start = ist(2026, 3, 6, 17, 0)
    due = calendar.add(start.astimezone(UTC), 120)
    assert due == ist(2026, 3, 9, 10, 0)
    assert due.tzinfo is not None


def test_seconds_are_kept_exactly(calendar):
    start = ist(2026, 3, 9, 10, 7, 33, 250000)
    assert calendar.add(start, 90) == ist(2026, 3, 9, 11, 37, 33, 250000)
    assert calendar.minutes_between(start, ist(2026, 3, 9, 10, 8, 3, 250000)) == 0.5


def test_business_days(calendar):
    assert calendar.is_business_day(date(2026, 3, 6))        # Friday
    assert not calendar.is_business_day(date(2026, 3, 7))    # Saturday
    assert not calendar.is_business_day(REPUBLIC_DAY)
    assert calendar.previous_business_day(date(2026, 1, 27)) == date(2026, 1, 23)
    assert calendar.previous_business_day(date(2026, 3, 9)) == date(2026, 3, 6)
    assert calendar.next_business_day(date(2026, 1, 23)) == date(2026, 1, 27)
    assert calendar.on_or_before(date(2026, 3, 8)) == date(2026, 3, 6)
    assert calendar.on_or_before(date(2026, 3, 6)) == date(2026, 3, 6)


def test_other_hours_and_a_zone_with_daylight_saving():
    london = BusinessCalendar("Europe/London", time(9), time(17, 30))
    lon = ZoneInfo("Europe/London")
    # Fri 27 Mar 2026 17:00 GMT + 1 h: 30 min Friday, Monday 30 Mar (now BST) 09:30
    due = london.add(datetime(2026, 3, 27, 17, 0, tzinfo=lon), 60)
    assert due == datetime(2026, 3, 30, 9, 30, tzinfo=lon)
    assert due.astimezone(UTC) == datetime(2026, 3, 30, 8, 30, tzinfo=UTC)
    assert london.day_minutes == 510


def test_business_days_come_from_the_settings():
    saturdays = BusinessCalendar(weekdays=[5])
    assert saturdays.add(ist(2026, 3, 6, 17, 0), 60) == ist(2026, 3, 7, 10, 0)
    assert saturdays.add(ist(2026, 3, 7, 17, 0), 120) == ist(2026, 3, 14, 10, 0)
    assert saturdays.previous_business_day(date(2026, 3, 13)) == date(2026, 3, 7)


def test_the_24x7_clock_counts_every_minute():
    assert ALWAYS.add(ist(2026, 3, 7, 22, 0), 60) == ist(2026, 3, 7, 23, 0)
    assert ALWAYS.minutes_between(ist(2026, 3, 7, 22, 0), ist(2026, 3, 8, 22, 0)) == 24 * 60
    assert clock_for("24x7", BusinessCalendar()) is ALWAYS


def test_long_spans_and_far_dates_agree_with_a_fresh_calendar(calendar):
    late = ist(2031, 6, 2, 12, 0)
    early = ist(2001, 2, 5, 12, 0)
    first = calendar.add(late, 600 * 9 * 60)   # 600 business days, beyond the built range
    calendar.add(early, 60)                    # grows the range backwards
    assert calendar.add(late, 600 * 9 * 60) == first
    assert BusinessCalendar(holidays=[REPUBLIC_DAY]).add(late, 600 * 9 * 60) == first
    assert calendar.add(early, 60) == ist(2001, 2, 5, 13, 0)


def test_business_time_across_a_range_grown_backwards(calendar):
    calendar.add(ist(2031, 6, 2, 12, 0), 60)  # builds the days around 2031 first
    # 2001-02-05 is a Monday: one business day of 9 h, then the weekend
    assert calendar.minutes_between(ist(2001, 2, 5, 9, 0), ist(2001, 2, 12, 9, 0)) == 5 * 540
    fresh = BusinessCalendar(holidays=[REPUBLIC_DAY])
    fresh.add(ist(2031, 6, 2, 12, 0), 60)
    # the later instant is looked up first, the earlier one then grows the range backwards
    span = fresh.minutes_between(ist(2001, 2, 9, 12, 0), ist(2031, 6, 2, 12, 0))
    assert span == calendar.minutes_between(ist(2001, 2, 9, 12, 0), ist(2031, 6, 2, 12, 0))
    assert 7000 * 540 < span < 8000 * 540  # about 7,800 weekdays in 30 years


def test_hours_must_end_after_they_start():
    with pytest.raises(ValueError):
        BusinessCalendar(start=time(18), end=time(9))


def test_from_session_uses_settings_and_active_holidays(db):
    from sqlalchemy import delete

    from desktop.models import Holiday
    from desktop.services.settings import load_settings, save_settings

    with db.transaction() as session:
        session.execute(delete(Holiday))
        session.add(Holiday(day=REPUBLIC_DAY, name="Republic Day"))
        session.add(Holiday(day=date(2026, 1, 27), name="Not observed", active=False))
        settings = load_settings(session)
        settings.business_start, settings.business_end = "10:00", "17:00"
        save_settings(session, settings)
    with db.session() as session:
        calendar = BusinessCalendar.from_session(session)
    assert not calendar.is_business_day(REPUBLIC_DAY)
    assert calendar.is_business_day(date(2026, 1, 27))
    # Fri 23 Jan 16:00 + 7 h: 1 h Friday, 6 h on Tuesday from 10:00
    assert calendar.add(ist(2026, 1, 23, 16, 0), 7 * 60) == ist(2026, 1, 27, 16, 0)


# --- properties ---------------------------------------------------------------------------
instants = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2028, 12, 31),
                        timezones=st.just(UTC))
minutes = st.integers(min_value=1, max_value=60 * 9 * 30)
HOLIDAYS = [REPUBLIC_DAY, date(2026, 8, 15), date(2025, 10, 2), date(2027, 1, 26)]
CAL = BusinessCalendar(holidays=HOLIDAYS)


def reference_minutes(a: datetime, b: datetime) -> float:
    """Business minutes by walking the local days one by one (the obvious way)."""
    if b <= a:
        return 0.0
    total = 0.0
    day = a.astimezone(IST).date() - timedelta(days=1)
    while datetime.combine(day, time(0), IST) <= b:
        if day.weekday() < 5 and day not in HOLIDAYS:
            opens = datetime.combine(day, time(9), IST)
            closes = datetime.combine(day, time(18), IST)
            lo, hi = max(a, opens), min(b, closes)
            if hi > lo:
                total += (hi - lo).total_seconds() / 60
        day += timedelta(days=1)
    return total


@given(instants, minutes)
def test_a_due_instant_lies_inside_business_hours_or_at_their_end(start, target):
    due = CAL.add(start, target).astimezone(IST)
    assert CAL.is_business_day(due.date())
    assert time(9) < due.time() <= time(18)


@given(instants, minutes, st.integers(min_value=0, max_value=5000))
def test_a_larger_target_never_gives_an_earlier_due(start, target, more):
    assert CAL.add(start, target + more) >= CAL.add(start, target)


@given(instants, minutes)
def test_the_business_time_up_to_the_due_instant_is_the_target(start, target):
    due = CAL.add(start, target)
    assert due > start
    assert CAL.minutes_between(start, due) == target


@given(instants, st.integers(min_value=0, max_value=60 * 24 * 40))
def test_business_time_matches_the_day_by_day_count_and_never_exceeds_wall_time(a, span):
    b = a + timedelta(minutes=span)
    counted = CAL.minutes_between(a, b)
    assert counted == pytest.approx(reference_minutes(a, b), abs=1e-6)
    assert counted <= span


@given(instants, instants, instants)
def test_business_time_adds_up(a, b, c):
    a, b, c = sorted((a, b, c))
    assert CAL.minutes_between(a, c) == pytest.approx(
        CAL.minutes_between(a, b) + CAL.minutes_between(b, c), abs=1e-6)
