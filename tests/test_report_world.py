"""A small, hand-computable client history for the report tests (see test_report_data.py).

Acme Traders has a Standard contract for 2026 (4 h content allowance). No holidays, so the
business clock is simply Monday–Friday 09:00–18:00 IST. Figures are worked out in the tests.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select

from desktop.models import (Client, Contact, Contract, FollowUp, Holiday, Occurrence, ReportNote,
                            Ticket, TicketEvent, TimeEntry)
from desktop.services import maintenance, sla
from desktop.services.coverage import apply_coverage
from desktop.services.staff import get_or_create_staff

IST = ZoneInfo("Asia/Kolkata")
NOW = datetime(2026, 4, 5, 12, 0, tzinfo=timezone.utc)
TRICKY = "<script>alert('x')</script> & “quotes” — ₹ 1,50,000 café"


def ist(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=IST)


# number, title, priority, category, created, events [(at, type, status, body)], entries
TICKETS = [
    (90, "Search returns nothing", "high", "functionality", ist(2026, 1, 14, 10),
     [(ist(2026, 1, 14, 11), "reply", None, "Looking into it now."),
      (ist(2026, 1, 14, 15), "status", "resolved", "")], []),
    (100, "Gallery images missing", "medium", "bug_fix", ist(2026, 2, 25, 10),
     [(ist(2026, 2, 25, 12), "status", "acknowledged", ""),
      (ist(2026, 3, 2, 9, 30), "status", "resolved", "")], []),
    (101, "Checkout is down", "critical", "technical_issue", ist(2026, 3, 3, 10),
     [(ist(2026, 3, 3, 10, 30), "reply", None, "Payment gateway certificate expired; renewing."),
      (ist(2026, 3, 3, 12), "status", "resolved", ""),
      (ist(2026, 3, 3, 12, 1), "reply", None,
       "Root cause: the gateway's TLS certificate expired. Renewed and monitored.")], []),
    (102, TRICKY, "high", "functionality", ist(2026, 3, 10, 10),
     [(ist(2026, 3, 10, 15, 30), "reply", None, "Fixed the <form> handler & retested."),
      (ist(2026, 3, 11, 9, 30), "status", "resolved", "")], []),
    (103, "Broken link on About page", "medium", "bug_fix", ist(2026, 3, 16, 11),
     [(ist(2026, 3, 16, 11, 15), "status", "acknowledged", ""),
      (ist(2026, 3, 17, 11), "status", "resolved", "")], []),
    (104, "Update the spring catalogue pages", "low", "content_update", ist(2026, 3, 20, 9),
     [(ist(2026, 3, 20, 10), "reply", None, "On it."),
      (ist(2026, 3, 20, 10, 5), "status", "in_progress", "")],
     [(date(2026, 3, 20), 180, "content_update"), (date(2026, 3, 25), 90, "content_update")]),
    (105, "Train the new editor", "low", "training", ist(2026, 3, 24, 10),
     [(ist(2026, 3, 24, 15), "status", "resolved", "")],
     [(date(2026, 3, 24), 60, "training")]),
]


def build_world(session, *, with_maintenance: bool = True) -> int:
    """Create Acme Traders and its Q1 2026; returns the client id."""
    session.execute(delete(Holiday))
    staff = get_or_create_staff(session, "meera")
    client = Client(name="Acme Traders", email="info@acme.example", website="acme.example")
    client.contacts = [Contact(name="Ravi Kumar", email="ravi@acme.example", role="Owner"),
                       Contact(name="Asha Rao", email="asha@acme.example", role="Marketing"),
                       Contact(name="Accounts", email="", receives_reports=False)]
    session.add(client)
    session.flush()
    contract = Contract(client_id=client.id, tier_code="standard", start=date(2026, 1, 1),
                        end=date(2026, 12, 31), monthly_fee=Decimal("30000.00"),
                        content_minutes_allowance=240)
    session.add(contract)
    session.flush()
    ctx = sla.SlaContext.load(session)
    for number, title, priority, category, created, events, entries in TICKETS:
        ticket = Ticket(number=number, client_id=client.id, contract_id=contract.id,
                        title=title, priority=priority, category=category, channel="email",
                        status="new", created_at=created, updated_at=created,
                        assignee_id=staff.id)
        session.add(ticket)
        session.flush()
        session.refresh(ticket, ["contract"])
        for at, kind, status, body in events:
            ticket.events.append(TicketEvent(at=at, type=kind, status=status,
                                             public=kind == "reply", body=body,
                                             author_id=staff.id))
            if status:
                ticket.status = status
        for work_date, minutes, entry_category in entries:
            ticket.time_entries.append(TimeEntry(work_date=work_date, minutes=minutes,
                                                 category=entry_category, author_id=staff.id))
        apply_coverage(ticket)
        sla.apply_to_ticket(ticket, ctx, NOW)
    session.flush()
    numbers = {t.number: t for t in session.scalars(select(Ticket))}
    session.add_all([
        FollowUp(ticket_id=numbers[101].id, due_at=ist(2026, 3, 6, 12),
                 done_at=ist(2026, 3, 9, 10), rating=5, comment="Quick & calm <3"),
        FollowUp(ticket_id=numbers[103].id, due_at=ist(2026, 3, 20, 11),
                 done_at=ist(2026, 3, 20, 12), rating=4, comment=""),
    ])
    session.add(ReportNote(client_id=client.id, kind="monthly_summary", period="2026-03",
                           body=f"A calm month.\n\n{TRICKY}"))
    session.add(ReportNote(client_id=client.id, kind="quarterly_recommendations",
                           period="2026-Q1", body="Move to Premium for 24/7 cover."))
    if with_maintenance:
        maintenance.regenerate(session, today=date(2026, 4, 5))
        session.flush()
        march = {o.task: o for o in session.scalars(select(Occurrence).where(
            Occurrence.client_id == client.id, Occurrence.period_key == "2026-03"))}
        done = ist(2026, 3, 30, 16)
        results = {
            "backup_verification": ("ok", "Restored to staging.", {
                "latest_backup": "2026-03-29", "size_mb": 2400.0, "restore_tested": True,
                "restore_result": "site OK"}),
            "plugin_updates": ("ok", "", {"components": [
                {"name": "WooCommerce", "from_version": "8.1", "to_version": "8.2",
                 "held_back": False, "reason": ""},
                {"name": "Yoast SEO", "from_version": "21.0", "to_version": "21.1",
                 "held_back": False, "reason": ""},
                {"name": "Elementor", "from_version": "3.18", "to_version": "",
                 "held_back": True, "reason": "waiting for the theme's compatibility fix"}]}),
            "uptime_review": ("ok", "", {"uptime_percent": 99.95, "incidents": [
                {"start": "2026-03-03T04:30:00+00:00", "duration_minutes": 120,
                 "cause": "gateway certificate expired"}]}),
            "performance_check": ("ok", "", {"score": 87, "load_time_seconds": 1.8}),
            "security_scan": ("issues_found", "One outdated library patched.", {"findings": [
                {"severity": "medium", "finding": "jQuery 1.12", "action": "updated to 3.7"}]}),
            "security_updates": ("skipped", "Nothing released this month.", {}),
        }
        for task, (outcome, notes, figures) in results.items():
            maintenance.mark_done(session, march[task].id, outcome, notes, figures,
                                  done_by_id=staff.id, now=done)
        session.flush()
    return client.id


def _period_days(first: date, last: date):
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)
