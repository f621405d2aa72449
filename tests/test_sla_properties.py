"""Properties of the SLA clock over random ticket timelines (hypothesis; DESIGN §2)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import assume, given
from hypothesis import strategies as st

from desktop.services.business_calendar import BusinessCalendar
from desktop.services.sla import SlaEvent, SlaPolicyTable, evaluate

IST = ZoneInfo("Asia/Kolkata")
UTC = timezone.utc
CAL = BusinessCalendar(holidays=[date(2026, 1, 26), date(2026, 8, 15), date(2026, 10, 2)])
POLICIES = SlaPolicyTable()
PRIORITIES = ["critical", "high", "medium", "low"]
TIERS = [None, "warranty", "basic", "standard", "premium"]
STATUSES = ["new", "acknowledged", "in_progress", "waiting_on_client", "resolved", "closed"]

created_st = st.datetimes(min_value=datetime(2025, 6, 1), max_value=datetime(2027, 6, 1),
                          timezones=st.just(UTC))
event_st = st.one_of(
    st.tuples(st.just("status"), st.sampled_from(STATUSES)),
    st.tuples(st.just("reply"), st.none()),
    st.tuples(st.just("note"), st.none()),
    st.tuples(st.just("assignment"), st.none()),
    st.tuples(st.just("priority"), st.sampled_from(PRIORITIES)),
)


@st.composite
def tickets(draw, kinds=event_st):  # noqa: ANN001, ANN201
    created = draw(created_st)
    at = created
    events = []
    for kind, value in draw(st.lists(kinds, max_size=8)):
        at += timedelta(minutes=draw(st.integers(0, 60 * 24 * 4)))
        if kind == "status":
            events.append(SlaEvent(at, "status", status=value))
        elif kind == "priority":
            events.append(SlaEvent(at, "priority", priority=value))
        else:
            events.append(SlaEvent(at, kind, public=kind == "reply"))
    now = at + timedelta(minutes=draw(st.integers(-60 * 24, 60 * 24 * 10)))
    return (created, draw(st.sampled_from(PRIORITIES)), draw(st.sampled_from(TIERS)), events,
            now)


def wall_minutes(a: datetime, b: datetime) -> float:
    return max(0.0, (b - a).total_seconds() / 60)


@given(tickets())
def test_used_time_never_exceeds_wall_time(ticket):
    created, priority, tier, events, now = ticket
    result = evaluate(created, priority, tier, events, POLICIES, CAL, now)
    wall = wall_minutes(created, now)
    assert 0 <= result.response.used_minutes <= wall + 1e-9
    assert 0 <= result.resolution.used_minutes <= wall + 1e-9


@given(tickets())
def test_evaluating_twice_gives_the_same_answer(ticket):
    created, priority, tier, events, now = ticket
    first = evaluate(created, priority, tier, events, POLICIES, CAL, now)
    assert evaluate(created, priority, tier, list(events), POLICIES, CAL, now) == first
    assert evaluate(created, priority, tier, tuple(events), POLICIES,
                    BusinessCalendar(holidays=CAL.holidays), now) == first


@given(tickets(), st.integers(1, 60 * 40), st.integers(1, 60 * 40), st.integers(0, 60 * 40))
def test_a_larger_target_never_gives_an_earlier_due(ticket, response, resolution, more):
    created, priority, tier, events, now = ticket
    clock = "24x7" if tier == "premium" and priority == "critical" else "business"
    small = SlaPolicyTable([(tier or "none", p, clock, response, resolution) for p in PRIORITIES])
    large = SlaPolicyTable([(tier or "none", p, clock, response + more, resolution + more)
                            for p in PRIORITIES])
    a = evaluate(created, priority, tier, events, small, CAL, now)
    b = evaluate(created, priority, tier, events, large, CAL, now)
    assert b.response.due_at >= a.response.due_at
    if a.resolution.due_at is not None:
        assert b.resolution.due_at >= a.resolution.due_at
    assert b.response.used_minutes == a.response.used_minutes


quiet_st = st.one_of(st.tuples(st.just("reply"), st.none()), st.tuples(st.just("note"), st.none()))


@given(tickets(kinds=quiet_st), st.integers(0, 60 * 24 * 5), st.integers(0, 60 * 24 * 5))
def test_a_pause_never_makes_a_due_earlier(ticket, start_offset, length):
    created, priority, tier, events, now = ticket
    pause_start = created + timedelta(minutes=start_offset)
    pause_end = pause_start + timedelta(minutes=length)
    assume(pause_end <= now)
    paused_events = sorted(events + [SlaEvent(pause_start, "status", status="waiting_on_client"),
                                     SlaEvent(pause_end, "status", status="in_progress")],
                           key=lambda e: e.at)
    plain = evaluate(created, priority, tier, events, POLICIES, CAL, now)
    paused = evaluate(created, priority, tier, paused_events, POLICIES, CAL, now)
    assert paused.resolution.due_at >= plain.resolution.due_at
    assert paused.resolution.used_minutes <= plain.resolution.used_minutes


@given(tickets())
def test_business_due_instants_lie_inside_business_hours(ticket):
    created, priority, tier, events, now = ticket
    result = evaluate(created, priority, tier, events, POLICIES, CAL, now)
    if result.clock != "business":
        return
    for due in (result.response.due_at, result.resolution.due_at):
        if due is None:
            continue
        local = due.astimezone(IST)
        assert CAL.is_business_day(local.date())
        assert time(9) < local.time() <= time(18)


@given(tickets())
def test_states_agree_with_used_time_and_due_instants(ticket):
    created, priority, tier, events, now = ticket
    result = evaluate(created, priority, tier, events, POLICIES, CAL, now)
    clock = CAL if result.clock == "business" else None
    for clock_state in (result.response, result.resolution):
        used, target = clock_state.used_minutes, clock_state.target_minutes
        assert (clock_state.state == "breached") == (used > target)
        if clock_state.state == "met":
            assert clock_state.stopped_at is not None
    # a running resolution clock that has not breached runs out exactly at its due instant
    if result.resolution.state in ("running", "at_risk") and clock is not None:
        left = clock.minutes_between(max(now, created), result.resolution.due_at)
        assert abs(result.resolution.used_minutes + left - result.resolution.target_minutes) < 1e-6
    if result.sla_due_at is not None:
        running = [c.due_at for c in (result.response, result.resolution)
                   if c.stopped_at is None and c.state != "paused" and c.due_at is not None]
        assert result.sla_due_at == min(running)


@given(tickets(), st.integers(1, 60 * 24 * 7))
def test_used_time_never_decreases_as_time_passes(ticket, later):
    created, priority, tier, events, now = ticket
    a = evaluate(created, priority, tier, events, POLICIES, CAL, now)
    b = evaluate(created, priority, tier, events, POLICIES, CAL, now + timedelta(minutes=later))
    # (a priority change between the two instants may switch clocks and re-measure everything)
    assume(a.clock == b.clock)
    assert b.response.used_minutes >= a.response.used_minutes
    assert b.resolution.used_minutes >= a.resolution.used_minutes
