"""The SLA clock, worked examples computed by hand (DESIGN §2 "SLA clock").

Seeded targets (hours of the ticket's clock): business critical 1/4, high 4/9, medium 9/27,
low 18/45; 24/7 (premium critical) 1/4. Business hours Mon–Fri 09:00–18:00 IST; Monday
26 January 2026 is a holiday here. 6 March 2026 is a Friday.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from desktop.services.business_calendar import BusinessCalendar
from desktop.services.sla import SlaEvent, SlaPolicyTable, evaluate, follow_up_due

IST = ZoneInfo("Asia/Kolkata")
UTC = timezone.utc
CAL = BusinessCalendar(holidays=[date(2026, 1, 26)])
POLICIES = SlaPolicyTable()


def ist(*args: int) -> datetime:
    return datetime(*args, tzinfo=IST)


def status(at: datetime, value: str) -> SlaEvent:
    return SlaEvent(at, "status", status=value)


def reply(at: datetime) -> SlaEvent:
    return SlaEvent(at, "reply", public=True)


def run(created, priority, tier, events, now, **kw):  # noqa: ANN001, ANN201
    return evaluate(created, priority, tier, events, POLICIES, CAL, now, **kw)


def test_friday_evening_on_the_business_clock():
    created = ist(2026, 3, 6, 17, 30)  # Friday, standard, high: 4 h / 9 h
    # response: 30 min Friday + 3 h 30 Monday; resolution: 30 min + 8 h 30 on Monday
    early = run(created, "high", "standard", [], ist(2026, 3, 9, 11, 0))
    assert early.clock == "business"
    assert early.response.due_at == ist(2026, 3, 9, 12, 30)
    assert early.resolution.due_at == ist(2026, 3, 9, 17, 30)
    assert early.response.used_minutes == 150 and early.response.state == "running"
    assert early.sla_due_at == ist(2026, 3, 9, 12, 30)
    assert early.response.due_at.tzinfo is not None
    # 210 of 240 minutes = 87.5 %: at risk; a minute past the target: breached
    assert run(created, "high", "standard", [], ist(2026, 3, 9, 12, 0)).response.state == "at_risk"
    late = run(created, "high", "standard", [], ist(2026, 3, 9, 12, 31))
    assert late.response.state == "breached"
    assert late.resolution.state == "running"  # 241 of 540 minutes


def test_premium_critical_on_a_saturday_night_runs_24x7():
    created = ist(2026, 3, 7, 22, 15)  # Saturday
    events = [reply(ist(2026, 3, 7, 22, 50)), status(ist(2026, 3, 7, 23, 0), "in_progress"),
              status(ist(2026, 3, 8, 1, 0), "resolved")]
    result = run(created, "critical", "premium", events, ist(2026, 3, 8, 9, 0))
    assert result.clock == "24x7"
    assert result.response.due_at == ist(2026, 3, 7, 23, 15)
    assert result.resolution.due_at == ist(2026, 3, 8, 2, 15)
    assert (result.response.state, result.response.used_minutes) == ("met", 35)
    assert (result.resolution.state, result.resolution.used_minutes) == ("met", 165)
    assert result.first_response_at == ist(2026, 3, 7, 22, 50)
    assert result.resolved_at == ist(2026, 3, 8, 1, 0)
    assert result.sla_due_at is None
    # the same ticket under a standard contract waits for Monday's business hours
    standard = run(created, "critical", "standard", [], ist(2026, 3, 8, 9, 0))
    assert standard.clock == "business"
    assert standard.response.due_at == ist(2026, 3, 9, 10, 0)
    assert standard.resolution.due_at == ist(2026, 3, 9, 13, 0)
    assert standard.response.used_minutes == 0


def test_a_holiday_inside_the_span():
    created = ist(2026, 1, 23, 14, 0)  # Friday; Monday 26 is Republic Day; basic, medium 9 h/27 h
    result = run(created, "medium", "basic", [], ist(2026, 1, 23, 15, 0))
    # response: 4 h Friday + 5 h Tuesday; resolution: 4 + 9 (Tue) + 9 (Wed) + 5 (Thu)
    assert result.response.due_at == ist(2026, 1, 27, 14, 0)
    assert result.resolution.due_at == ist(2026, 1, 29, 14, 0)
    on_holiday = run(created, "medium", "basic", [], ist(2026, 1, 26, 17, 0))
    assert on_holiday.response.used_minutes == 240  # the holiday adds nothing


def test_waiting_on_the_client_pauses_and_resumes():
    created = ist(2026, 3, 9, 10, 0)  # Monday; standard, medium 9 h / 27 h
    events = [status(ist(2026, 3, 9, 10, 30), "acknowledged"),
              status(ist(2026, 3, 9, 15, 0), "waiting_on_client")]
    paused = run(created, "medium", "standard", events, ist(2026, 3, 10, 12, 0))
    assert paused.response.state == "met" and paused.response.used_minutes == 30
    assert paused.resolution.state == "paused"
    assert paused.resolution_paused
    assert paused.resolution.due_at is None            # unknown until the client answers
    assert paused.resolution.used_minutes == 300       # 10:00–15:00 Monday
    assert paused.sla_due_at is None                   # no clock is running
    events.append(status(ist(2026, 3, 11, 10, 0), "in_progress"))
    resumed = run(created, "medium", "standard", events, ist(2026, 3, 11, 12, 0))
    # 22 h left from Wed 10:00: 8 h Wed, 9 h Thu, 5 h Fri → Fri 13 Mar 14:00
    assert resumed.resolution.due_at == ist(2026, 3, 13, 14, 0)
    assert resumed.resolution.used_minutes == 420
    assert resumed.resolution.state == "running"
    assert not resumed.resolution_paused
    assert resumed.sla_due_at == ist(2026, 3, 13, 14, 0)
    # without the wait it would have been due Thu 12 Mar 10:00: a pause never makes it earlier
    unpaused = run(created, "medium", "standard", events[:1], ist(2026, 3, 11, 12, 0))
    assert unpaused.resolution.due_at == ist(2026, 3, 12, 10, 0)


def test_a_reopened_ticket_continues_from_the_time_used():
    created = ist(2026, 3, 10, 9, 0)  # Tuesday; standard, high 4 h / 9 h
    events = [reply(ist(2026, 3, 10, 9, 30)), status(ist(2026, 3, 10, 13, 0), "resolved")]
    resolved = run(created, "high", "standard", events, ist(2026, 3, 10, 15, 0))
    assert resolved.resolution.state == "met"
    assert resolved.resolution.used_minutes == 240
    assert resolved.resolved_at == ist(2026, 3, 10, 13, 0)
    assert resolved.resolution.stopped_at == ist(2026, 3, 10, 13, 0)
    assert resolved.resolution.due_at == ist(2026, 3, 10, 18, 0)  # the due that applied
    events.append(status(ist(2026, 3, 11, 10, 0), "in_progress"))  # reopened Wednesday
    reopened = run(created, "high", "standard", events, ist(2026, 3, 11, 14, 0))
    # 5 h left from Wed 10:00 → Wed 15:00; at 14:00 480 of 540 minutes are used
    assert reopened.resolution.due_at == ist(2026, 3, 11, 15, 0)
    assert reopened.resolution.used_minutes == 480
    assert reopened.resolution.state == "at_risk"
    assert reopened.resolved_at is None
    events.append(status(ist(2026, 3, 11, 16, 0), "resolved"))
    again = run(created, "high", "standard", events, ist(2026, 3, 12, 9, 0))
    assert again.resolution.state == "breached"
    assert again.resolution.used_minutes == 600
    assert again.resolution.due_at == ist(2026, 3, 11, 15, 0)
    assert again.resolved_at == ist(2026, 3, 11, 16, 0)


def test_a_priority_change_remeasures_from_creation():
    created = ist(2026, 3, 9, 9, 0)  # Monday; standard, low 18 h / 45 h
    events = [SlaEvent(ist(2026, 3, 9, 11, 0), "priority", priority="high")]
    before = run(created, "low", "standard", [], ist(2026, 3, 9, 10, 59))
    assert before.response.due_at == ist(2026, 3, 10, 18, 0)
    after = run(created, "low", "standard", events, ist(2026, 3, 9, 12, 0))
    assert after.priority == "high"
    assert after.response.due_at == ist(2026, 3, 9, 13, 0)      # 4 h from creation
    assert after.resolution.due_at == ist(2026, 3, 9, 18, 0)    # 9 h from creation
    assert after.response.used_minutes == 180
    assert after.response.state == "at_risk"                    # exactly 75 %
    assert after.first_response_at is None                      # a priority change is no reply


def test_raising_a_premium_ticket_to_critical_switches_to_the_24x7_clock():
    created = ist(2026, 3, 6, 17, 0)  # Friday
    events = [SlaEvent(ist(2026, 3, 6, 17, 20), "priority", priority="critical")]
    result = run(created, "high", "premium", events, ist(2026, 3, 6, 18, 30))
    assert result.clock == "24x7"
    assert result.response.due_at == ist(2026, 3, 6, 18, 0)
    assert result.resolution.due_at == ist(2026, 3, 6, 21, 0)
    assert result.response.state == "breached"


def test_an_internal_note_or_assignment_does_not_stop_the_response_clock():
    created = ist(2026, 3, 9, 9, 0)
    events = [SlaEvent(ist(2026, 3, 9, 10, 0), "note"),
              SlaEvent(ist(2026, 3, 9, 10, 30), "assignment"),
              reply(ist(2026, 3, 9, 11, 0))]
    result = run(created, "medium", "standard", events, ist(2026, 3, 9, 12, 0))
    assert result.first_response_at == ist(2026, 3, 9, 11, 0)
    assert result.response.used_minutes == 120
    assert result.response.stopped_at == ist(2026, 3, 9, 11, 0)


def test_a_status_change_out_of_new_stops_the_response_clock():
    created = ist(2026, 3, 9, 9, 0)
    events = [status(ist(2026, 3, 9, 9, 0), "new"), status(ist(2026, 3, 9, 9, 45), "acknowledged")]
    result = run(created, "high", "standard", events, ist(2026, 3, 9, 12, 0))
    assert result.first_response_at == ist(2026, 3, 9, 9, 45)
    assert result.response.state == "met"


def test_exactly_at_the_target_is_met_and_a_second_later_is_breached():
    created = ist(2026, 3, 9, 9, 0)  # standard, high 4 h / 9 h
    on_time = [reply(ist(2026, 3, 9, 13, 0)), status(ist(2026, 3, 9, 18, 0), "resolved")]
    result = run(created, "high", "standard", on_time, ist(2026, 3, 10, 9, 0))
    assert (result.response.state, result.response.used_minutes) == ("met", 240)
    assert (result.resolution.state, result.resolution.used_minutes) == ("met", 540)
    late = [reply(ist(2026, 3, 9, 13, 0, 1)), status(ist(2026, 3, 9, 18, 0, 1), "resolved")]
    # 18:00:01 is after closing, so the resolution still used exactly 9 business hours
    result = run(created, "high", "standard", late, ist(2026, 3, 10, 9, 0))
    assert result.response.state == "breached"
    assert result.resolution.state == "met"
    # a running clock exactly at its due instant is not yet breached
    assert run(created, "high", "standard", [], ist(2026, 3, 9, 13, 0)).response.state == "at_risk"
    assert run(created, "high", "standard", [],
               ist(2026, 3, 9, 13, 0, 0, 1)).response.state == "breached"


def test_opened_outside_business_hours():
    tuesday_early = run(ist(2026, 3, 10, 6, 0), "low", "standard", [], ist(2026, 3, 10, 8, 0))
    assert tuesday_early.response.due_at == ist(2026, 3, 11, 18, 0)  # 9 h Tue + 9 h Wed
    assert tuesday_early.response.used_minutes == 0
    wednesday_late = run(ist(2026, 3, 11, 20, 30), "medium", "basic", [],
                         ist(2026, 3, 11, 23, 0))
    assert wednesday_late.response.due_at == ist(2026, 3, 12, 18, 0)


def test_a_ticket_without_a_contract_uses_the_business_clock():
    created = ist(2026, 3, 7, 22, 15)  # Saturday night, critical, no contract
    result = run(created, "critical", None, [], ist(2026, 3, 8, 12, 0))
    assert result.clock == "business"
    assert result.response.due_at == ist(2026, 3, 9, 10, 0)
    assert result.resolution.due_at == ist(2026, 3, 9, 13, 0)
    assert run(created, "critical", "none", [], ist(2026, 3, 8, 12, 0)) == result


def test_closing_without_resolving_stops_the_clock():
    created = ist(2026, 3, 9, 9, 0)
    events = [status(ist(2026, 3, 9, 10, 0), "closed")]
    result = run(created, "medium", "standard", events, ist(2026, 3, 20, 9, 0))
    assert result.resolution.state == "met"
    assert result.resolved_at == ist(2026, 3, 9, 10, 0)
    assert result.resolution.used_minutes == 60


def test_resolved_then_closed_keeps_the_resolution_instant():
    created = ist(2026, 3, 9, 9, 0)
    events = [status(ist(2026, 3, 9, 10, 0), "resolved"), status(ist(2026, 3, 12, 10, 0), "closed")]
    result = run(created, "medium", "standard", events, ist(2026, 3, 20, 9, 0))
    assert result.resolved_at == ist(2026, 3, 9, 10, 0)
    assert result.resolution.used_minutes == 60


def test_a_wait_after_the_breach_shows_the_breach_not_the_pause():
    created = ist(2026, 3, 9, 9, 0)  # standard, critical 1 h / 4 h
    events = [reply(ist(2026, 3, 9, 9, 10)), status(ist(2026, 3, 9, 15, 0), "waiting_on_client")]
    result = run(created, "critical", "standard", events, ist(2026, 3, 10, 9, 0))
    assert result.resolution.state == "breached"
    assert result.resolution_paused
    assert result.resolution.used_minutes == 360


def test_only_events_up_to_now_count_and_order_does_not_matter():
    created = ist(2026, 3, 9, 9, 0)
    events = [status(ist(2026, 3, 9, 16, 0), "resolved"), reply(ist(2026, 3, 9, 10, 0))]
    at_noon = run(created, "high", "standard", events, ist(2026, 3, 9, 12, 0))
    assert at_noon.first_response_at == ist(2026, 3, 9, 10, 0)
    assert at_noon.resolved_at is None
    assert at_noon.resolution.state == "running"
    assert at_noon.resolution.used_minutes == 180
    later = run(created, "high", "standard", events, ist(2026, 3, 9, 17, 0))
    assert later.resolved_at == ist(2026, 3, 9, 16, 0)
    assert later.resolution.state == "met"


def test_the_at_risk_share_is_a_setting():
    created = ist(2026, 3, 9, 9, 0)  # high: 4 h response; at 11:00 half is used
    now = ist(2026, 3, 9, 11, 0)
    assert run(created, "high", "standard", [], now).response.state == "running"
    assert run(created, "high", "standard", [], now, at_risk_percent=50).response.state == "at_risk"


def test_edited_policies_are_used():
    table = SlaPolicyTable([("basic", "medium", "business", 120, 600)])
    result = evaluate(ist(2026, 3, 9, 9, 0), "medium", "basic", [], table, CAL,
                      ist(2026, 3, 9, 9, 30))
    assert result.response.due_at == ist(2026, 3, 9, 11, 0)
    assert result.resolution.target_minutes == 600
    # a tier without rows falls back to the seeded "none" targets
    fallback = evaluate(ist(2026, 3, 9, 9, 0), "medium", "standard", [], table, CAL,
                        ist(2026, 3, 9, 9, 30))
    assert fallback.response.target_minutes == 540


def test_the_follow_up_is_three_business_days_after_the_resolution():
    # resolved Fri 6 Mar 15:00 → three 9-hour business days later: Wed 11 Mar 15:00
    assert follow_up_due(ist(2026, 3, 6, 15, 0), CAL) == ist(2026, 3, 11, 15, 0)
    # resolved on Friday 23 Jan; Monday is a holiday → Thu 29 Jan
    assert follow_up_due(ist(2026, 1, 23, 11, 0), CAL) == ist(2026, 1, 29, 11, 0)
    assert follow_up_due(ist(2026, 3, 6, 15, 0), CAL, business_days=1) == ist(2026, 3, 9, 15, 0)


@pytest.mark.parametrize("state_events,expected", [
    ([], "running"),
    ([status(ist(2026, 3, 9, 9, 30), "in_progress")], "running"),
    ([status(ist(2026, 3, 9, 9, 30), "waiting_on_client")], "paused"),
    ([status(ist(2026, 3, 9, 9, 30), "resolved")], "met"),
])
def test_resolution_states(state_events, expected):
    result = run(ist(2026, 3, 9, 9, 0), "low", "standard", state_events, ist(2026, 3, 9, 10, 0))
    assert result.resolution.state == expected
