"""The dashboard's figures and charts, hand-computed (DESIGN §4 "Dashboard")."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.models import Client, Contract, Occurrence, Ticket, TicketEvent, TimeEntry
from desktop.services.dashboard import (at_risk_ticket_ids, dashboard_charts, dashboard_figures,
                                        hours_text)
from desktop.services.sla import recompute_tickets

IST = timezone(timedelta(hours=5, minutes=30))
UTC = timezone.utc
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=IST)  # Tuesday, business hours


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=IST)


def ticket(session, number, contract, priority, created, events=(), status="new"):
    t = Ticket(number=number, client_id=contract.client_id, contract_id=contract.id,
               title=f"T{number}", priority=priority, status=status, category="bug_fix",
               channel="email", created_at=created, updated_at=created)
    session.add(t)
    session.flush()
    for when, new_status in events:
        session.add(TicketEvent(ticket_id=t.id, at=when, type="status", status=new_status))
        t.status = new_status
    session.flush()
    return t


@pytest.fixture
def agency(db):
    """Two clients: Sharma (standard, 2026) and Kaveri (premium, ends 30 March 2026).

    Tickets, all on the business clock (none is premium-critical), evaluated when last touched:
      T1 critical, Tue 10:00, new: response due 11:00 → breached at noon
      T2 high, Tue 09:00, new: response due 13:00; 180 of 240 min used = 75 % → at risk
      T3 high, Tue 09:30, new: 150 of 240 min = 62.5 % → running
      T4 medium, Tue 09:00, acknowledged 09:10: resolution due Fri 18:00 → running
      T5 low, Tue 09:00, resolved 10:00 → closed out, met
      T6 medium, Tue 09:00, waiting on client 09:05 → paused
      T7 high, Mon 09:00, acknowledged 09:30: resolution (9 h) due Mon 18:00 → breached
      T8 low, 2 Feb, acknowledged, resolved 16 Feb: resolution (45 h) due Fri 6 Feb → breached
      T9 low, 2 Feb, resolved 3 Feb → met
    """
    with db.transaction() as s:
        sharma, kaveri = Client(name="Sharma Textiles"), Client(name="Kaveri Ayurveda")
        s.add_all([sharma, kaveri])
        s.flush()
        std = Contract(client_id=sharma.id, tier_code="standard", start=date(2026, 1, 1),
                       end=date(2026, 12, 31), monthly_fee=Decimal("30000"),
                       content_minutes_allowance=240)
        prem = Contract(client_id=kaveri.id, tier_code="premium", start=date(2025, 3, 31),
                        end=date(2026, 3, 30), monthly_fee=Decimal("60000"),
                        content_minutes_allowance=480)
        old = Contract(client_id=kaveri.id, tier_code="basic", start=date(2024, 3, 31),
                       end=date(2025, 3, 30), monthly_fee=Decimal("15000"))
        s.add_all([std, prem, old])
        s.flush()
        tickets = [
            ticket(s, 1, std, "critical", at(10, 10)),
            ticket(s, 2, std, "high", at(10, 9)),
            ticket(s, 3, std, "high", at(10, 9, 30)),
            ticket(s, 4, std, "medium", at(10, 9), [(at(10, 9, 10), "acknowledged")]),
            ticket(s, 5, prem, "low", at(10, 9), [(at(10, 10), "resolved")]),
            ticket(s, 6, prem, "medium", at(10, 9), [(at(10, 9, 5), "waiting_on_client")]),
            ticket(s, 7, std, "high", at(9, 9), [(at(9, 9, 30), "acknowledged")]),
            ticket(s, 8, std, "low", at(2, 9, month=2),
                   [(at(2, 9, 30, month=2), "acknowledged"), (at(16, 11, month=2), "resolved")]),
            ticket(s, 9, prem, "low", at(2, 9, month=2), [(at(3, 9, month=2), "resolved")]),
        ]
        for t in tickets:  # stored as the SLA service leaves them after the last event
            last = max([t.created_at] + [e.at for e in t.events])
            recompute_tickets(s, last + timedelta(minutes=1), [t.id])
        for task, due, done in [("a", date(2026, 3, 2), None), ("b", date(2026, 2, 27), None),
                                ("c", date(2026, 2, 27), at(27, 12, month=2)),
                                ("d", date(2026, 3, 13), None), ("e", date(2026, 3, 30), None),
                                ("f", date(2026, 3, 10), None)]:
            s.add(Occurrence(contract_id=std.id, client_id=sharma.id, task=task, name=task,
                             cadence="monthly", period_key=str(due), due=due, done_at=done))
        s.add_all([TimeEntry(ticket_id=tickets[3].id, work_date=date(2026, 3, 9), minutes=90,
                             category="content_update"),
                   TimeEntry(ticket_id=tickets[4].id, work_date=date(2026, 2, 20), minutes=60,
                             category="content_update"),
                   TimeEntry(ticket_id=tickets[4].id, work_date=date(2026, 3, 10), minutes=30,
                             category="bug_fix")])
    return db


def test_figures(agency):
    with agency.session() as s:
        f = dashboard_figures(s, NOW)
    assert f.today == date(2026, 3, 10)
    assert f.open_by_priority == {"critical": 1, "high": 3, "medium": 2, "low": 0}
    assert f.open_total == 6
    assert (f.breached, f.at_risk) == (2, 1)
    # overdue: a (2 Mar) and b (27 Feb), not c (done); due this week: f (today), d (Fri)
    assert (f.overdue_maintenance, f.maintenance_due_this_week) == (2, 2)
    # Kaveri's premium ends 30 March: 20 days away, no later contract
    assert f.renewals == {30: 1, 60: 1, 90: 1}
    assert f.mrr == {"INR": Decimal("90000.00")}
    assert f.mrr_text == "₹90,000.00"
    assert f.active_contracts == 2
    assert (f.content_minutes_used, f.content_minutes_allowance) == (90, 720)
    assert f.content_hours_text == "1 h 30 min of 12 h"


def test_at_risk_names_the_ticket_and_agrees_with_the_queue(agency):
    from desktop.services.queue import QueueFilter, QueueQuery, QueueSla, QueueSort

    with agency.session() as s:
        ids = at_risk_ticket_ids(s, NOW)
        numbers = [s.get(Ticket, i).number for i in ids]
        flt = QueueFilter(statuses=("new", "acknowledged", "in_progress", "waiting_on_client"),
                          sla_states=("at_risk",))
        queue_count = QueueQuery(s, flt, QueueSort(), NOW, QueueSla.load(s)).count()
        breached = QueueQuery(s, flt.with_(sla_states=("breached",)), QueueSort(), NOW,
                              QueueSla.load(s)).count()
    assert numbers == [2]
    assert queue_count == 1 and breached == 2


def test_at_risk_threshold_moves_with_the_setting(agency):
    """At 70 % T3 (62.5 % used) is still running; at 60 % it is at risk too."""
    with agency.session() as s:
        assert [s.get(Ticket, i).number for i in at_risk_ticket_ids(s, NOW, 60)] == [2, 3]


def test_exactly_at_due_is_not_breached_a_minute_later_it_is(agency):
    with agency.session() as s:
        f = dashboard_figures(s, at(10, 13))  # T2's response due instant exactly
    assert f.breached == 2  # exactly at the target is met, not breached (DESIGN §2)
    with agency.session() as s:
        f = dashboard_figures(s, at(10, 13, 1))
    assert f.breached == 3


def test_charts(agency):
    with agency.session() as s:
        charts = dashboard_charts(s, NOW, weeks=6, months=3)
    assert [w.week_start for w in charts.weeks] == [date(2026, 2, 2) + timedelta(weeks=n)
                                                    for n in range(6)]
    assert [(w.opened, w.resolved) for w in charts.weeks] == [
        (2, 1), (0, 0), (0, 1), (0, 0), (0, 0), (7, 1)]
    assert [(m.month, m.resolved, m.met, m.met_percent) for m in charts.sla_months] == [
        ("2026-01", 0, 0, None), ("2026-02", 2, 1, 50.0), ("2026-03", 1, 1, 100.0)]


def test_an_empty_database(db):
    with db.session() as s:
        f = dashboard_figures(s, NOW)
        charts = dashboard_charts(s, NOW)
    assert f.open_total == 0 and f.breached == 0 and f.at_risk == 0
    assert f.mrr_text == "₹0.00"
    assert len(charts.weeks) == 12 and all(w.opened == 0 for w in charts.weeks)
    assert all(m.met_percent is None for m in charts.sla_months)


@pytest.mark.parametrize("minutes, text", [(0, "0 h"), (45, "45 min"), (240, "4 h"),
                                           (90, "1 h 30 min"), (60000, "1,000 h")])
def test_hours_text(minutes, text):
    assert hours_text(minutes) == text


@pytest.fixture(scope="module")
def scratch_db(tmp_path_factory):
    """One SQLite database for the property test; each example empties it first."""
    from desktop.storage.database import open_database

    db = open_database(f"sqlite:///{tmp_path_factory.mktemp('mrr') / 'a.db'}")
    yield db
    db.dispose()


@settings(max_examples=15, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["basic", "standard", "premium"]),
                          st.integers(min_value=-400, max_value=400),
                          st.integers(min_value=1, max_value=500),
                          st.decimals(min_value=0, max_value=200000, places=2)),
                max_size=8))
def test_mrr_is_the_sum_of_fees_in_force(scratch_db, contracts):
    db = scratch_db
    today = NOW.date()
    expected = Decimal("0.00")
    with db.transaction() as s:
        s.query(Contract).delete()
        s.query(Client).delete()
    with db.transaction() as s:
        for n, (tier, offset, length, fee) in enumerate(contracts):
            c = Client(name=f"C{n}")
            s.add(c)
            s.flush()
            start = today + timedelta(days=offset)
            end = start + timedelta(days=length)
            s.add(Contract(client_id=c.id, tier_code=tier, start=start, end=end,
                           monthly_fee=fee))
            if start <= today <= end:
                expected += fee
    with db.session() as s:
        f = dashboard_figures(s, NOW)
    assert f.mrr.get("INR", Decimal("0.00")) == expected
