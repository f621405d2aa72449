"""Demo data (issue 2, ``aftercare demo``): realistic, complete, reproducible, SLA and coverage
filled by the real engines, on SQLite and PostgreSQL, never into a database that has clients."""
from __future__ import annotations

import hashlib
import random
import re
from collections import Counter
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text
from sqlalchemy.orm import selectinload

from desktop.errors import UserError
from desktop.models import (Client, Contact, Contract, FollowUp, Holiday, Occurrence, ReportNote,
                            StaffUser, Ticket, TicketEvent, Tier, TimeEntry)
from desktop.services import demo as demo_module
from desktop.services.coverage import contract_in_force, coverage_verdict
from desktop.services.demo import DemoCancelled, generate_demo
from desktop.services.demo_tickets import DAY, IST_OFFSET, work_add
from desktop.services.sla import SlaContext, creation_priority, evaluate, sla_events
from desktop.storage.database import open_database

UTC = timezone.utc
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)  # a Friday, 15:30 in Kolkata
IST = timezone(timedelta(hours=5, minutes=30))


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    """One demo database (40 clients, 3,000 tickets) shared by the read-only tests below."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    db = open_database(f"sqlite:///{path}")
    summary = generate_demo(db, clients=40, tickets=3000, seed=7, now=NOW)
    yield db, summary
    db.dispose()


def _fingerprint(db) -> dict:  # noqa: ANN001
    """Aggregates and a digest of every ticket, event and contract row: equal data, equal
    fingerprint (ids included, instants compared as instants)."""
    with db.session() as session:
        counts = {model.__tablename__: session.scalar(select(func.count()).select_from(model))
                  for model in (Client, Contact, Contract, Ticket, TicketEvent, TimeEntry,
                                FollowUp, Occurrence)}
        digest = hashlib.sha256()
        for row in session.execute(select(
                Ticket.id, Ticket.number, Ticket.client_id, Ticket.contract_id, Ticket.title,
                Ticket.priority, Ticket.status, Ticket.category, Ticket.channel,
                Ticket.created_at, Ticket.response_due_at, Ticket.resolution_due_at,
                Ticket.sla_due_at, Ticket.in_scope, Ticket.assignee_id).order_by(Ticket.id)):
            digest.update(repr(tuple(row)).encode())
        for row in session.execute(select(
                TicketEvent.ticket_id, TicketEvent.at, TicketEvent.type, TicketEvent.status,
                TicketEvent.priority, TicketEvent.body).order_by(TicketEvent.id)):
            digest.update(repr(tuple(row)).encode())
        for row in session.execute(select(
                Contract.client_id, Contract.tier_code, Contract.start, Contract.end,
                Contract.monthly_fee).order_by(Contract.id)):
            digest.update(repr(tuple(row)).encode())
        for row in session.execute(select(
                Occurrence.task, Occurrence.due, Occurrence.done_at, Occurrence.outcome,
                Occurrence.figures).order_by(Occurrence.contract_id, Occurrence.task,
                                             Occurrence.period_key)):
            digest.update(repr(tuple(row)).encode())
        names = list(session.scalars(select(Client.name).order_by(Client.id)))
        minutes = session.scalar(select(func.sum(TimeEntry.minutes)))
        ratings = session.scalar(select(func.sum(FollowUp.rating)))
    return {"counts": counts, "digest": digest.hexdigest(), "names": names,
            "minutes": minutes, "ratings": ratings}


# --- reproducible ------------------------------------------------------------------------------
def test_same_seed_gives_the_same_data_whatever_the_number_of_workers(tmp_path, monkeypatch):
    monkeypatch.setattr(demo_module, "CHUNK_TICKETS", 300)  # several chunks from few tickets
    prints = []
    for name, workers in (("a", 0), ("b", 2)):
        db = open_database(f"sqlite:///{tmp_path / name}.db")
        generate_demo(db, clients=12, tickets=1000, seed=3, now=NOW, workers=workers)
        prints.append(_fingerprint(db))
        db.dispose()
    assert prints[0] == prints[1]
    assert prints[0]["counts"]["tickets"] == 1000

    other = open_database(f"sqlite:///{tmp_path / 'c'}.db")
    generate_demo(other, clients=12, tickets=1000, seed=4, now=NOW)
    assert _fingerprint(other)["digest"] != prints[0]["digest"]
    other.dispose()


# --- what a support manager sees -------------------------------------------------------------
def test_the_counts_asked_for_and_all_four_tiers(demo_db):
    db, summary = demo_db
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Client)) == 40
        assert session.scalar(select(func.count()).select_from(Ticket)) == 3000
        numbers = list(session.scalars(select(Ticket.number).order_by(Ticket.created_at,
                                                                      Ticket.id)))
        tiers = set(session.scalars(select(Contract.tier_code)))
        staff = session.scalar(select(func.count()).select_from(StaffUser))
        events = session.scalar(select(func.count()).select_from(TicketEvent))
    assert numbers == list(range(1, 3001))  # numbered in the order they came in
    assert tiers == {"warranty", "basic", "standard", "premium"}
    assert 4 <= staff <= 6
    assert 3 <= events / 3000 <= 6.5
    assert (summary.clients, summary.tickets, summary.events) == (40, 3000, events)
    assert "3,000 tickets" in summary.line


def test_clients_look_like_indian_businesses_with_reachable_contacts(demo_db):
    db, _ = demo_db
    with db.session() as session:
        clients = session.scalars(select(Client).options(selectinload(Client.contacts))).all()
        for client in clients:
            assert re.fullmatch(r"[A-Z][\w& ()]+", client.name), client.name
            domain = client.website.removeprefix("https://www.")
            assert client.email.endswith("@" + domain)
            assert client.phone.startswith("+91 ")
            assert 1 <= len(client.contacts) <= 3
            for contact in client.contacts:
                assert contact.email.endswith("@" + domain)
                assert re.fullmatch(r"\+91 [6-9]\d{4} \d{5}", contact.phone), contact.phone
            assert any(c.receives_reports for c in client.contacts)
    assert len({c.name for c in clients}) == 40


def test_contracts_warranty_after_handover_then_paid_tiers_renewed_at_tier_fees(demo_db):
    db, _ = demo_db
    today = NOW.astimezone(IST).date()
    with db.session() as session:
        fees = {t.code: (t.monthly_fee, t.content_minutes_per_month)
                for t in session.scalars(select(Tier))}
        contracts = session.scalars(select(Contract).order_by(Contract.client_id,
                                                              Contract.start)).all()
    by_client: dict[int, list[Contract]] = {}
    for contract in contracts:
        by_client.setdefault(contract.client_id, []).append(contract)
        assert (contract.monthly_fee, contract.content_minutes_allowance) == fees[
            contract.tier_code]
        assert contract.end >= contract.start
    renewals = 0
    for history in by_client.values():
        warranty = history[0]
        assert warranty.tier_code == "warranty"
        assert warranty.handover_date == warranty.start
        assert 30 <= (warranty.end - warranty.start).days + 1 <= 90
        assert today - timedelta(days=731) <= warranty.start <= today
        for before, after in zip(history, history[1:]):
            assert after.tier_code in ("basic", "standard", "premium")
            assert after.start > before.end  # one after the other, never overlapping
            if after.renewed_from_id is not None:
                assert after.renewed_from_id == before.id
                assert after.start == before.end + timedelta(days=1)
                renewals += 1
    assert renewals >= 5
    in_warranty_now = [h for h in by_client.values()
                       if len(h) == 1 and h[0].start <= today <= h[0].end]
    assert in_warranty_now


def test_every_ticket_has_its_sla_fields_and_coverage_as_the_engines_compute_them(demo_db):
    db, _ = demo_db
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Ticket).where(
            (Ticket.response_due_at.is_(None)) | (Ticket.scope_reason == ""))) == 0
        ctx = SlaContext.load(session)
        zone = ctx.calendar.zone
        sample = session.scalars(
            select(Ticket).where(Ticket.id % 7 == 0)
            .options(selectinload(Ticket.events), selectinload(Ticket.contract),
                     selectinload(Ticket.time_entries))).all()
        assert len(sample) > 400
        for ticket in sample:
            tier = ticket.contract.tier_code if ticket.contract else None
            result = evaluate(ticket.created_at, creation_priority(ticket), tier,
                              sla_events(ticket), ctx.policies, ctx.calendar, NOW,
                              ctx.at_risk_percent)
            assert (ticket.clock, ticket.response_due_at, ticket.resolution_due_at,
                    ticket.sla_due_at, ticket.resolution_paused, ticket.first_response_at,
                    ticket.resolved_at) == (
                result.clock, result.response.due_at, result.resolution.due_at,
                result.sla_due_at, result.resolution_paused, result.first_response_at,
                result.resolved_at), ticket.number
            assert ticket.resolution_used_minutes == int(result.resolution.used_minutes)
            assert ticket.response_breached == (result.response.state == "breached")
            assert ticket.resolution_breached == (result.resolution.state == "breached")
            assert ticket.priority == result.priority
            verdict = coverage_verdict(tier, ticket.category, ticket.channel)
            assert (ticket.in_scope, ticket.scope_reason) == (verdict.in_scope, verdict.reason)
            in_force = contract_in_force(session, ticket.client_id, ticket.created_at, zone)
            assert ticket.contract_id == (in_force.id if in_force else None)
            statuses = [e.status for e in ticket.events if e.type == "status"]
            assert ticket.status == (statuses[-1] if statuses else "new")
            assert all(e.at <= NOW for e in ticket.events)
            assert ticket.created_at <= NOW
            if ticket.events:
                assert ticket.updated_at == max(e.at for e in ticket.events)
            assert ticket.scope_override in (None, True)
            # the audit trail in the shapes services.tickets writes
            previous = "new"
            for event in ticket.events:
                if event.type == "status":
                    assert event.data == {"from": previous}
                    previous = event.status
                elif event.type == "assignment":
                    assert event.data["to"] == ticket.assignee_id and event.body
            logged = sorted((e.data["date"], e.data["minutes"], e.data["category"], e.body)
                            for e in ticket.events if e.type == "time_entry")
            assert logged == sorted((t.work_date.isoformat(), t.minutes, t.category, t.note)
                                    for t in ticket.time_entries)
            for entry in ticket.time_entries:
                assert entry.work_date == entry.created_at.astimezone(IST).date()


def test_some_tickets_are_open_some_at_risk_some_breached(demo_db):
    db, _ = demo_db
    with db.session() as session:
        ctx = SlaContext.load(session)
        open_tickets = session.scalars(
            select(Ticket).where(Ticket.status.not_in(("resolved", "closed")))
            .options(selectinload(Ticket.events), selectinload(Ticket.contract))).all()
        states = Counter()
        for ticket in open_tickets:
            tier = ticket.contract.tier_code if ticket.contract else None
            result = evaluate(ticket.created_at, creation_priority(ticket), tier,
                              sla_events(ticket), ctx.policies, ctx.calendar, NOW,
                              ctx.at_risk_percent)
            states[result.response.state] += 1
            states[result.resolution.state] += 1
        statuses = Counter(session.scalars(select(Ticket.status)))
        breached_running = session.scalar(select(func.count()).select_from(Ticket).where(
            Ticket.sla_due_at < NOW))
        past_breaches = session.scalar(select(func.count()).select_from(Ticket).where(
            Ticket.resolution_breached.is_(True), Ticket.status == "closed"))
    assert 10 <= len(open_tickets) <= 300
    assert states["at_risk"] >= 1 and states["breached"] >= 1 and states["running"] >= 1
    assert breached_running >= 1 and past_breaches >= 1
    for status in ("new", "acknowledged", "in_progress", "waiting_on_client", "resolved",
                   "closed"):
        assert statuses[status] >= 1, status


def test_histories_are_believable(demo_db):
    db, _ = demo_db
    with db.session() as session:
        kinds = Counter(session.scalars(select(TicketEvent.type)))
        reopened = session.scalar(text(
            "SELECT COUNT(DISTINCT ticket_id) FROM ticket_events WHERE type = 'status' "
            "AND status = 'resolved' GROUP BY ticket_id HAVING COUNT(*) > 1 LIMIT 1"))
        waits = session.scalar(select(func.count()).select_from(TicketEvent).where(
            TicketEvent.status == "waiting_on_client"))
        authors = set(session.scalars(select(TicketEvent.author_id)))
        priorities = Counter(session.scalars(select(Ticket.priority)))
        content_minutes = session.scalar(select(func.sum(TimeEntry.minutes)).where(
            TimeEntry.category == "content_update"))
        event_priority = session.execute(select(TicketEvent.priority, TicketEvent.data).where(
            TicketEvent.type == "priority")).all()
        titles = list(session.scalars(select(Ticket.title)))
    for kind in ("status", "reply", "note", "priority", "assignment", "time_entry"):
        assert kinds[kind] > 0, kind
    assert reopened and waits > 0
    assert 4 <= len(authors - {None}) <= 6
    assert priorities["critical"] < priorities["high"] < priorities["medium"]
    assert content_minutes > 0
    assert all(p and data and data["from"] != p for p, data in event_priority)
    # the seed's examples are there
    assert "Website completely down" in titles
    assert any(t.startswith("Contact form not working") for t in titles)
    assert any(t.startswith("Typo on") for t in titles)


def test_follow_ups_after_resolution_with_ratings(demo_db):
    db, _ = demo_db
    with db.session() as session:
        resolved = session.scalar(select(func.count()).select_from(Ticket).where(
            Ticket.resolved_at.is_not(None)))
        rows = session.execute(select(FollowUp, Ticket.resolved_at).join(
            Ticket, Ticket.id == FollowUp.ticket_id)).all()
    assert len(rows) == resolved
    done = [f for f, _ in rows if f.done_at is not None]
    assert len(done) > 0.6 * len(rows)
    for follow_up, resolved_at in rows:
        assert follow_up.due_at > resolved_at
        if follow_up.done_at is not None:
            assert 1 <= follow_up.rating <= 5 and follow_up.done_at <= NOW
        else:
            assert follow_up.rating is None
    assert Counter(f.rating for f in done).most_common(1)[0][0] in (4, 5)


def test_maintenance_mostly_done_with_outcomes_notes_and_figures(demo_db):
    db, _ = demo_db
    from desktop.services.maintenance_figures import clean_figures

    today = NOW.astimezone(IST).date()
    with db.session() as session:
        occurrences = session.scalars(select(Occurrence)).all()
    past = [o for o in occurrences if o.due < today]
    done = [o for o in past if o.done_at is not None]
    assert len(done) >= 0.9 * len(past)
    assert any(o.done_at is None for o in past)  # a few overdue, as in real life
    assert all(o.done_at is None for o in occurrences if o.due >= today)
    assert {o.outcome for o in done} == {"ok", "issues_found", "skipped"}
    tasks_with_figures = Counter()
    for occ in done:
        assert occ.notes and occ.done_by_id is not None
        if occ.figures is not None:
            assert clean_figures(occ.task, occ.figures) == occ.figures, occ.task
            tasks_with_figures[occ.task] += 1
    for task in ("backup_verification", "plugin_updates", "security_scan", "uptime_review",
                 "performance_check", "security_updates"):
        assert tasks_with_figures[task] > 0, task
    backups = [o.figures for o in done if o.task == "backup_verification" and o.figures]
    assert any(f["restore_tested"] for f in backups)
    components = [row for o in done if o.task == "plugin_updates" and o.figures
                  for row in o.figures["components"]]
    assert any(row["held_back"] and row["reason"] for row in components)
    assert any(row["to_version"] for row in components)


def test_report_notes_for_recent_months_and_the_last_quarter(demo_db):
    db, _ = demo_db
    with db.session() as session:
        notes = session.execute(select(ReportNote.kind, ReportNote.period,
                                       ReportNote.body)).all()
    periods = Counter((kind, period) for kind, period, _ in notes)
    assert set(periods) >= {("monthly_summary", "2026-10"), ("monthly_summary", "2026-08"),
                            ("quarterly_recommendations", "2026-Q3")}
    assert ("monthly_summary", "2026-11") not in periods  # the month is not over yet
    assert all(body for _, _, body in notes)


def test_holidays_cover_the_demo_history(demo_db):
    db, _ = demo_db
    with db.session() as session:
        years = set(session.scalars(select(func.strftime("%Y", Holiday.day))))
    assert {"2024", "2025", "2026"} <= years


def test_search_index_is_rebuilt_after_the_load(demo_db):
    db, _ = demo_db
    from desktop.services.search import search_index_intact

    with db.session() as session:
        assert search_index_intact(session)
        hits = session.scalar(text(
            "SELECT COUNT(*) FROM tickets_fts WHERE tickets_fts MATCH 'website'"))
        expected = session.scalar(select(func.count()).select_from(Ticket).where(
            Ticket.title.ilike("%website%")))
    assert hits == expected > 0


# --- refusals, cancelling, the command ---------------------------------------------------------
def test_refuses_a_database_that_already_has_clients(sqlite_url):
    db = open_database(sqlite_url)
    generate_demo(db, clients=4, tickets=50, seed=1, now=NOW)
    before = _fingerprint(db)
    with pytest.raises(UserError, match="already has 4 clients"):
        generate_demo(db, clients=4, tickets=50, seed=2, now=NOW)
    assert _fingerprint(db) == before
    db.dispose()


@pytest.mark.parametrize("workers", [0, 2])
def test_cancelling_writes_nothing(sqlite_url, monkeypatch, workers):
    monkeypatch.setattr(demo_module, "CHUNK_TICKETS", 100)
    db = open_database(sqlite_url)

    def progress(fraction, message):  # noqa: ANN001, ANN202
        return fraction < 0.5

    with pytest.raises(DemoCancelled):
        generate_demo(db, clients=5, tickets=400, seed=1, now=NOW, progress=progress,
                      workers=workers)
    counts = _fingerprint(db)["counts"]
    assert set(counts.values()) == {0}
    generate_demo(db, clients=5, tickets=400, seed=1, now=NOW)  # still usable afterwards
    db.dispose()


@pytest.mark.parametrize("clients, tickets", [(0, 10), (5, -1)])
def test_bad_counts_are_refused_plainly(sqlite_url, clients, tickets):
    db = open_database(sqlite_url)
    with pytest.raises(UserError, match="number of"):
        generate_demo(db, clients=clients, tickets=tickets)
    db.dispose()


def test_command_line(sqlite_url, capsys):
    from desktop.cli import main

    assert main(["--database", sqlite_url, "demo", "--clients", "6", "--tickets", "300",
                 "--seed", "5"]) == 0
    out, err = capsys.readouterr()
    assert out.count("\n") == 1 and "6 clients" in out and "300 tickets" in out
    assert "demo: 100%" in err  # not a terminal: plain percentage lines

    assert main(["demo", "--database", sqlite_url, "--clients", "6"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "already has 6 clients" in err
    assert "Traceback" not in err


def test_tickets_zero_still_makes_clients_and_maintenance(sqlite_url):
    db = open_database(sqlite_url)
    summary = generate_demo(db, clients=4, tickets=0, seed=1, now=NOW)
    assert (summary.clients, summary.tickets) == (4, 0) and summary.occurrences > 0
    db.dispose()


# --- PostgreSQL too ------------------------------------------------------------------------------
def _indexes(db) -> dict:  # noqa: ANN001
    from sqlalchemy import inspect

    inspector = inspect(db.engine)
    found = {table: sorted((i["name"], tuple(i["column_names"]), bool(i["unique"]))
                           for i in inspector.get_indexes(table))
             for table in ("tickets", "ticket_events", "time_entries", "follow_ups")}
    if db.is_sqlite:
        with db.engine.connect() as connection:
            found["sqlite_master"] = sorted(connection.exec_driver_sql(
                "SELECT type, name, sql FROM sqlite_master").all())
    else:
        with db.engine.connect() as connection:
            found["pg_indexes"] = sorted(connection.exec_driver_sql(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'").all())
    return found


def test_both_databases_get_the_same_data(db_url, tmp_path):
    db = open_database(db_url)
    schema = _indexes(db)
    generate_demo(db, clients=8, tickets=600, seed=11, now=NOW)
    assert _indexes(db) == schema  # indexes, search index and triggers all back as they were
    got = _fingerprint(db)
    with db.transaction() as session:  # ids continue after the loaded ones
        client = session.scalars(select(Client)).first()
        ticket = Ticket(number=601, client_id=client.id, title="Typo on the About Us page",
                        priority="low", category="bug_fix", channel="email",
                        created_at=NOW, updated_at=NOW, scope_reason="")
        session.add(ticket)
        session.flush()
        assert ticket.id == 601
        session.add(TicketEvent(ticket_id=ticket.id, at=NOW, type="note", body="x"))
        session.add(Client(name="A new client"))
    db.dispose()
    reference = open_database(f"sqlite:///{tmp_path / 'reference.db'}")
    generate_demo(reference, clients=8, tickets=600, seed=11, now=NOW)
    assert _fingerprint(reference) == got
    reference.dispose()


# --- the helpers -------------------------------------------------------------------------------
@settings(max_examples=200, deadline=None)
@given(start=st.integers(min_value=1_700_000_000, max_value=1_800_000_000),
       minutes=st.integers(min_value=1, max_value=5 * 9 * 60))
def test_work_add_lands_in_working_hours_after_exactly_that_much_work(start, minutes):
    end = work_add(start, minutes)
    local = end + IST_OFFSET
    weekday = (local // DAY + 3) % 7
    seconds = local % DAY
    assert weekday < 5 and 9 * 3600 < seconds <= 18 * 3600
    # count the working seconds between start and end minute by minute of whole days
    worked, t = 0, start
    while t < end:
        local_t = t + IST_OFFSET
        day_start = local_t - local_t % DAY
        if (local_t // DAY + 3) % 7 < 5:
            lo = max(local_t, day_start + 9 * 3600)
            hi = min(end + IST_OFFSET, day_start + 18 * 3600)
            worked += max(0, hi - lo)
        t = day_start + DAY - IST_OFFSET
    assert worked == minutes * 60


def test_work_add_worked_example():
    # Friday 20 November 2026 17:00 IST + 2 hours of work = Monday 23 November 10:00 IST
    friday_5pm = int(datetime(2026, 11, 20, 17, 0, tzinfo=IST).timestamp())
    assert work_add(friday_5pm, 120) == int(datetime(2026, 11, 23, 10, 0,
                                                      tzinfo=IST).timestamp())
    # before opening time: the work starts at 09:00
    early = int(datetime(2026, 11, 18, 7, 30, tzinfo=IST).timestamp())
    assert work_add(early, 30) == int(datetime(2026, 11, 18, 9, 30, tzinfo=IST).timestamp())


@settings(max_examples=30, deadline=None)
@given(tickets=st.integers(min_value=0, max_value=5000), chunk=st.integers(10, 2000))
def test_chunks_split_exactly_the_tickets_asked_for(tickets, chunk):
    specs = demo_module._chunk_specs(_CONTEXT, tickets, random.Random(1), chunk)
    assert sum(count for _, _, days in specs for _, count in days) == tickets
    first = 1
    for index, first_id, days in specs:
        assert first_id == first
        size = sum(count for _, count in days)
        assert size <= chunk
        first += size
    for _, _, days in specs:  # days only where a client could write in
        for day, _count in days:
            segment = _CONTEXT.segments[_CONTEXT.day_segment[day]]
            assert segment.client_ids


def _build_context():
    from desktop.services.demo_clients import plan_clients
    from desktop.services.sla import SlaPolicyTable
    from desktop.services.business_calendar import BusinessCalendar

    today = date(2026, 11, 20)
    plans = plan_clients(10, today, random.Random(1))
    contract_id = 0
    for i, plan in enumerate(plans, start=1):
        plan.id = i
        for contract in plan.contracts:
            contract_id += 1
            contract.id = contract_id
    sla = SlaContext(SlaPolicyTable(), BusinessCalendar(), 75)
    return demo_module._chunk_context(plans, [(1, "priya")], {}, 1, NOW, today, sla, "")


_CONTEXT = _build_context()


def test_progress_on_a_terminal_is_one_line_redrawn_in_place():
    import io

    from desktop.commands.demo import TerminalProgress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Terminal()
    progress = TerminalProgress(stream)
    progress(0.05, "tickets")
    progress(0.5, "tickets 500 of 1,000")
    progress.close()
    written = stream.getvalue()
    assert "\n" not in written
    assert written.count("\r") == 4  # two redraws, then the line wiped
    assert "demo:  50%  tickets 500 of 1,000" in written
    assert written.endswith("\r")


def test_another_open_connection_only_means_the_wal_stays(sqlite_url):
    db = open_database(sqlite_url)
    other = open_database(sqlite_url)
    with other.engine.connect() as connection:
        connection.exec_driver_sql("SELECT COUNT(*) FROM tiers").scalar()
        generate_demo(db, clients=4, tickets=100, seed=1, now=NOW)
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000
    assert _fingerprint(other)["counts"]["tickets"] == 100
    other.dispose()
    db.dispose()
