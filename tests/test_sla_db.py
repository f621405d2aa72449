"""The SLA on stored tickets, on SQLite and PostgreSQL: what apply_to_ticket writes, and the
re-measure after a policy, holiday or contract edit (DESIGN §2 "Due instants are computed and
stored with the ticket ... and recomputed on every event")."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select

from desktop.models import Client, Contract, Holiday, SlaPolicy, Ticket, TicketEvent
from desktop.services.sla import SlaContext, apply_to_ticket, creation_priority, recompute_tickets

IST = ZoneInfo("Asia/Kolkata")
UTC = timezone.utc


def ist(*args: int) -> datetime:
    return datetime(*args, tzinfo=IST)


def make_ticket(session, *, tier: str | None = "standard", priority: str = "high",  # noqa: ANN001
                created: datetime = ist(2026, 3, 6, 17, 30), number: int = 1,
                events: list[dict] | None = None) -> Ticket:
    client = session.scalar(select(Client).where(Client.name == "Acme"))
    if client is None:
        client = Client(name="Acme")
        session.add(client)
        session.flush()
    contract = None
    if tier is not None:
        contract = Contract(client_id=client.id, tier_code=tier, start=date(2026, 1, 1),
                            end=date(2026, 12, 31), monthly_fee=Decimal("30000.00"))
        session.add(contract)
        session.flush()
    ticket = Ticket(number=number, client_id=client.id, contract=contract, title="Form broken",
                    priority=priority, status="new", category="bug_fix", channel="email",
                    created_at=created, updated_at=created)
    for event in events or []:
        ticket.events.append(TicketEvent(**event))
    session.add(ticket)
    session.flush()
    return ticket


def test_apply_to_ticket_stores_due_instants_in_utc(db):
    with db.transaction() as session:
        ticket = make_ticket(session)
        result = apply_to_ticket(ticket, SlaContext.load(session), ist(2026, 3, 9, 11, 0))
        ticket_id = ticket.id
    assert result.response.state == "running"
    with db.session() as session:
        stored = session.get(Ticket, ticket_id)
        # Friday 17:30 IST, high: response Mon 12:30 IST, resolution Mon 17:30 IST
        assert stored.response_due_at == ist(2026, 3, 9, 12, 30)
        assert stored.response_due_at.tzinfo is not None
        assert stored.resolution_due_at == ist(2026, 3, 9, 17, 30)
        assert stored.sla_due_at == ist(2026, 3, 9, 12, 30)
        assert stored.clock == "business"
        assert stored.resolution_used_minutes == 150
        assert not stored.resolution_paused and not stored.response_breached


def test_a_paused_ticket_has_no_resolution_due_and_sorts_after_running_ones(db):
    with db.transaction() as session:
        ctx = SlaContext.load(session)
        waiting = make_ticket(session, number=1, events=[
            dict(at=ist(2026, 3, 9, 10, 0), type="status", status="waiting_on_client")])
        running = make_ticket(session, number=2)
        for ticket in (waiting, running):
            apply_to_ticket(ticket, ctx, ist(2026, 3, 9, 12, 0))
    with db.session() as session:
        w = session.scalar(select(Ticket).where(Ticket.number == 1))
        assert w.resolution_paused and w.resolution_due_at is None and w.sla_due_at is None
        assert w.first_response_at == ist(2026, 3, 9, 10, 0)
        assert w.resolution_used_minutes == 90  # Fri 17:30–18:00 and Mon 09:00–10:00
        queue = session.scalars(select(Ticket.number).where(Ticket.sla_due_at.is_not(None))
                                .order_by(Ticket.sla_due_at)).all()
        assert queue == [2]


def test_the_priority_at_creation_comes_from_the_first_priority_event(db):
    with db.transaction() as session:
        ticket = make_ticket(session, tier="premium", priority="critical",
                             created=ist(2026, 3, 7, 22, 0), events=[
                                 dict(at=ist(2026, 3, 7, 22, 30), type="priority",
                                      priority="critical", data={"from": "low"})])
        assert creation_priority(ticket) == "low"
        result = apply_to_ticket(ticket, SlaContext.load(session), ist(2026, 3, 7, 23, 30))
        assert result.clock == "24x7" and result.priority == "critical"
        assert ticket.response_due_at == ist(2026, 3, 7, 23, 0)
        assert ticket.response_breached
        # a ticket without priority events was created with its priority
        assert creation_priority(make_ticket(session, number=2)) == "high"


def test_resolved_and_breached_flags_are_stored(db):
    with db.transaction() as session:
        ticket = make_ticket(session, priority="critical", created=ist(2026, 3, 9, 9, 0), events=[
            dict(at=ist(2026, 3, 9, 9, 30), type="reply", public=True, body="On it"),
            dict(at=ist(2026, 3, 9, 14, 0), type="status", status="resolved")])
        apply_to_ticket(ticket, SlaContext.load(session), ist(2026, 3, 10, 9, 0))
        assert ticket.resolved_at == ist(2026, 3, 9, 14, 0)
        assert ticket.first_response_at == ist(2026, 3, 9, 9, 30)
        assert not ticket.response_breached and ticket.resolution_breached
        assert ticket.resolution_used_minutes == 300
        assert ticket.sla_due_at is None


def test_recompute_after_a_new_holiday_and_a_policy_edit(db):
    with db.transaction() as session:
        ticket = make_ticket(session)  # Friday 17:30, standard high
        apply_to_ticket(ticket, SlaContext.load(session), ist(2026, 3, 6, 17, 45))
        ticket_id = ticket.id
    with db.session() as session:
        version = session.get(Ticket, ticket_id).version
    with db.transaction() as session:
        session.execute(delete(Holiday).where(Holiday.day == date(2026, 3, 9)))
        session.add(Holiday(day=date(2026, 3, 9), name="Office closed"))
        assert recompute_tickets(session, ist(2026, 3, 6, 17, 45)) == 1
    with db.session() as session:
        stored = session.get(Ticket, ticket_id)
        assert stored.response_due_at == ist(2026, 3, 10, 12, 30)  # Monday closed: Tuesday
        assert stored.version == version + 1
    with db.transaction() as session:
        policy = session.scalar(select(SlaPolicy).where(SlaPolicy.tier_code == "standard",
                                                        SlaPolicy.priority == "high"))
        policy.response_minutes = 60
        session.flush()
        assert recompute_tickets(session, ist(2026, 3, 6, 17, 45), ticket_ids=[ticket_id]) == 1
        # nothing changed since: nothing rewritten
        assert recompute_tickets(session, ist(2026, 3, 6, 17, 45)) == 0
    with db.session() as session:
        assert session.get(Ticket, ticket_id).response_due_at == ist(2026, 3, 10, 9, 30)


def test_a_ticket_whose_contract_is_removed_falls_back_to_no_contract(db):
    with db.transaction() as session:
        ticket = make_ticket(session, tier="premium", priority="critical",
                             created=ist(2026, 3, 7, 22, 0))
        apply_to_ticket(ticket, SlaContext.load(session), ist(2026, 3, 7, 22, 10))
        assert ticket.clock == "24x7"
        ticket_id = ticket.id
    with db.transaction() as session:
        session.get(Ticket, ticket_id).contract_id = None
        session.flush()
        session.expire_all()
        recompute_tickets(session, ist(2026, 3, 7, 22, 10), ticket_ids=[ticket_id])
    with db.session() as session:
        stored = session.get(Ticket, ticket_id)
        assert stored.clock == "business"
        assert stored.response_due_at == ist(2026, 3, 9, 10, 0)


def test_recompute_flushes_pending_edits_and_refreshes_loaded_tickets(db):
    with db.transaction() as session:
        ticket = make_ticket(session, tier="premium", priority="critical",
                             created=ist(2026, 3, 7, 22, 0))
        apply_to_ticket(ticket, SlaContext.load(session), ist(2026, 3, 7, 22, 10))
        ticket_id = ticket.id
    with db.transaction() as session:
        loaded = session.get(Ticket, ticket_id)
        version = loaded.version
        loaded.contract = None  # not flushed yet: recompute must see it
        assert recompute_tickets(session, ist(2026, 3, 7, 22, 10), ticket_ids=[ticket_id]) == 1
        # the object already in the session shows the new clock and version
        assert loaded.clock == "business"
        assert loaded.response_due_at == ist(2026, 3, 9, 10, 0)
        assert loaded.version == version + 2  # the edit, then the re-measure
