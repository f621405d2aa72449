"""Writing a checked dump into the database, in one transaction and in bulk (DESIGN §7).

The database holds no client and no ticket when this runs (``refuse_non_empty``), so every
client-side row (clients, contacts, contracts, tickets, events, time entries, occurrences,
follow-ups, report notes, sent reports) is new: rows get their ids here and go in by the
thousand (the driver's ``executemany`` on SQLite, ``COPY`` on PostgreSQL), never one ORM
object at a time; on PostgreSQL the id sequences are moved past them afterwards. The agency's policy (settings, tiers, SLA targets, templates,
holidays) and the staff are few rows and go through the ORM first, so that each ticket's SLA
clocks and coverage verdict are computed against the imported policy, with the SLA service's
own ``evaluate``/``store_result`` and ``coverage_verdict``.
"""
from __future__ import annotations

import json
from datetime import date, datetime, timezone
from operator import itemgetter
from typing import Any

from sqlalchemy import Boolean, Date, Integer, String, delete, func, insert, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from desktop.errors import UserError
from desktop.models import JSONText, UTCDateTime
from desktop.models import (Client, Contact, Contract, FollowUp, Holiday, MaintenanceTemplate,
                            Occurrence, ReportNote, SentReport, Setting, SlaPolicy, StaffUser,
                            Ticket, TicketEvent, TimeEntry, Tier)
from desktop.models.enums import Status
from desktop.storage.changes import record_change

from .dump import DumpSummary
from .dump_validate import ParsedDump, ValidationContext

UTC = timezone.utc
CHUNK = 5000  # tickets per batch of inserts
LOAD_CACHE_KIB = 256 * 1024  # SQLite page cache while loading (taken only as needed)
BULK_MODELS = (Ticket, TicketEvent, TimeEntry, FollowUp, Occurrence)
ID_TABLES = (Client, Contact, Contract, Ticket, TicketEvent, TimeEntry, Occurrence, FollowUp,
             ReportNote, SentReport)


def refuse_non_empty(session: Session) -> None:
    """Import loads only into a database without clients and tickets (DESIGN §7); the seeded
    tiers, policies, templates, holidays and settings do not count."""
    has_client = session.scalar(select(Client.id).limit(1)) is not None
    has_ticket = session.scalar(select(Ticket.id).limit(1)) is not None
    if has_client or has_ticket:
        clients = session.scalar(select(func.count()).select_from(Client))
        tickets = session.scalar(select(func.count()).select_from(Ticket))
        raise UserError(
            f"this database already holds {clients} client{'s' if clients != 1 else ''} and "
            f"{tickets} ticket{'s' if tickets != 1 else ''}; a dump is imported only into an "
            "empty database (name a new one with --database); nothing was imported")


def validation_context(session: Session) -> ValidationContext:
    from .settings import load_settings

    tiers = {t.code: (t.monthly_fee, t.currency, t.content_minutes_per_month)
             for t in session.scalars(select(Tier))}
    templates = {(t.tier_code, t.task): (t.name, t.cadence, t.days_before_end)
                 for t in session.scalars(select(MaintenanceTemplate))}
    return ValidationContext(tiers, templates, load_settings(session).time_zone)


_UNSET = object()
SLA_COLUMNS = ("clock", "response_due_at", "resolution_due_at", "sla_due_at",
               "resolution_paused", "resolution_used_minutes", "first_response_at",
               "resolved_at", "response_breached", "resolution_breached")


class _Columns:
    """Receives ``sla.store_result``'s attributes (a ticket row to insert): every attribute
    reads as unset until written, so that store_result writes each one; ``vars()`` of it is
    then the row's SLA columns."""


for _name in SLA_COLUMNS:
    setattr(_Columns, _name, _UNSET)


def load(db, parsed: ParsedDump, *, now: datetime | None = None) -> DumpSummary:  # noqa: ANN001
    """Write ``parsed`` in one transaction; on any error nothing is written. A database error
    (another import at the same moment, a locked file, a server gone) becomes a UserError."""
    try:
        return _load(db, parsed, now or datetime.now(UTC))
    except SQLAlchemyError as exc:
        orig = getattr(exc, "orig", None) or exc
        lines = str(orig).strip().splitlines()
        detail = lines[0] if lines else type(orig).__name__
        raise UserError(f"the database refused the import ({detail}); "
                        "nothing was imported") from None


def _load(db, parsed: ParsedDump, now: datetime) -> DumpSummary:  # noqa: ANN001
    with db.transaction() as session:
        refuse_non_empty(session)
        sqlite = session.get_bind().dialect.name == "sqlite"
        if sqlite:
            # A bigger page cache for this load: the indexes of the big tables are built
            # row by row, and the default 2 MB cache makes that re-read pages (about 20%).
            cache_size = session.scalar(text("PRAGMA cache_size"))
            session.execute(text(f"PRAGMA cache_size = {-LOAD_CACHE_KIB}"))
        _load_policy(session, parsed)
        staff = _load_staff(session, parsed)
        session.flush()
        counts = _load_rows(session, parsed, staff, now)
        if session.get_bind().dialect.name == "postgresql":
            for model in ID_TABLES:
                table = model.__tablename__
                session.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"))
        for kind in ("settings", "staff", "client", "contract", "ticket", "occurrence",
                     "report"):
            record_change(session, kind)
        if sqlite:
            session.execute(text(f"PRAGMA cache_size = {int(cache_size)}"))
    return DumpSummary(**counts, staff=len(parsed.usernames),
                       holidays=len(parsed.holidays) if parsed.holidays is not None else 0)


def _load_policy(session: Session, parsed: ParsedDump) -> None:
    if parsed.settings is not None:
        rows = {row.key: row for row in session.scalars(select(Setting))}
        for key, value in parsed.settings.items():
            if key in rows:
                if rows[key].value != value:
                    rows[key].value = value
            else:
                session.add(Setting(key=key, value=value))
    if parsed.tiers is not None:
        existing = {row.code: row for row in session.scalars(select(Tier))}
        for tier in parsed.tiers:
            row = existing.get(tier.code) or Tier(code=tier.code)
            for name in ("name", "monthly_fee", "currency", "channels",
                         "content_minutes_per_month", "sort_order"):
                value = getattr(tier, name)
                if getattr(row, name) != value:
                    setattr(row, name, value)
            if tier.code not in existing:
                session.add(row)
        session.flush()
    if parsed.sla_policies is not None:
        existing = {(row.tier_code, row.priority): row
                    for row in session.scalars(select(SlaPolicy))}
        for policy in parsed.sla_policies:
            row = existing.get((policy.tier, policy.priority))
            if row is None:
                row = SlaPolicy(tier_code=policy.tier, priority=policy.priority)
                session.add(row)
            for name, value in (("clock", policy.clock),
                                ("response_minutes", policy.response_minutes),
                                ("resolution_minutes", policy.resolution_minutes)):
                if getattr(row, name) != value:
                    setattr(row, name, value)
    if parsed.templates is not None:
        # The dump's templates replace the database's: a template the user removed stays removed.
        session.execute(delete(MaintenanceTemplate))
        if parsed.templates:
            session.execute(insert(MaintenanceTemplate), [
                {"tier_code": t.tier, "task": t.task, "name": t.name, "cadence": t.cadence,
                 "days_before_end": t.days_before_end, "active": t.active,
                 "sort_order": t.sort_order, "version": 1} for t in parsed.templates])
    if parsed.holidays is not None:
        # DESIGN §7: "When present they replace the database's holiday list."
        session.execute(delete(Holiday))
        if parsed.holidays:
            session.execute(insert(Holiday), [
                {"day": h.day, "name": h.name, "active": h.active} for h in parsed.holidays])
    session.flush()


def _load_staff(session: Session, parsed: ParsedDump) -> dict[str, int]:
    """Staff users by name: those the dump lists (their details updated) and every author or
    assignee the database lacks, created (DESIGN §7)."""
    users = {row.username: row for row in session.scalars(select(StaffUser))}
    for person in parsed.staff:
        row = users.get(person.username)
        if row is None:
            row = StaffUser(username=person.username,
                            display_name=person.display_name
                            if person.display_name is not None else person.username,
                            email=person.email or "",
                            active=True if person.active is None else person.active)
            session.add(row)
            users[person.username] = row
            continue
        for name in ("display_name", "email", "active"):
            value = getattr(person, name)
            if value is not None and getattr(row, name) != value:
                setattr(row, name, value)
    for username in sorted(parsed.usernames - set(users)):
        row = StaffUser(username=username, display_name=username, email="", active=True)
        session.add(row)
        users[username] = row
    session.flush()
    return {name: row.id for name, row in users.items()}


def _next_id(session: Session, model) -> int:  # noqa: ANN001
    return (session.scalar(select(func.max(model.id))) or 0) + 1


def _insert(session: Session, model, rows: list[dict]) -> None:  # noqa: ANN001
    """Insert many rows of one table: Core executemany for the small tables; for the big ones
    (tickets, events, time entries, follow-ups, occurrences) the driver directly, with values
    converted here exactly as the column types would (``COPY`` on PostgreSQL)."""
    if not rows:
        return
    if model not in BULK_MODELS:
        session.execute(insert(model.__table__), rows)
        return
    table = model.__table__
    names = list(rows[0])
    connection = session.connection()
    sqlite = connection.dialect.name == "sqlite"
    converters = [(i, f) for i, name in enumerate(names)
                  if (f := _converter(table.c[name].type, sqlite)) is not None]
    # Column by column: the conversions run over plain lists, the rows are re-formed by zip.
    columns_data: list = list(zip(*map(itemgetter(*names), rows))) if len(names) > 1 else [
        [row[names[0]] for row in rows]]
    for i, convert in converters:
        columns_data[i] = [None if value is None else convert(value)
                           for value in columns_data[i]]
    data = list(zip(*columns_data))
    columns = ", ".join(f'"{name}"' for name in names)
    if sqlite:
        connection.exec_driver_sql(
            f'INSERT INTO "{table.name}" ({columns}) VALUES ({", ".join("?" * len(names))})',
            data)
        return
    driver = connection.connection.driver_connection
    # Binary COPY: the server parses no text, psycopg packs the values in C.
    with driver.cursor() as cursor, cursor.copy(
            f'COPY "{table.name}" ({columns}) FROM STDIN (FORMAT BINARY)') as copy:
        copy.set_types([_pg_type(table.c[name].type) for name in names])
        for values in data:
            copy.write_row(values)


def _pg_type(column_type) -> str:  # noqa: ANN001
    """The PostgreSQL type a binary COPY sends for a column (as the migration creates it)."""
    if isinstance(column_type, UTCDateTime):
        return "timestamptz"
    if isinstance(column_type, JSONText):
        return "text"
    if isinstance(column_type, Boolean):
        return "bool"
    if isinstance(column_type, Date):
        return "date"
    if isinstance(column_type, Integer):
        return "int4"
    if isinstance(column_type, String):
        return "varchar" if getattr(column_type, "length", None) else "text"
    return "text"


def _sqlite_instant(value: datetime) -> str:
    # The text SQLAlchemy's SQLite DATETIME stores: naive UTC, microseconds always written.
    # (Validation hands over instants in UTC already; others are converted.)
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.isoformat(" ", "microseconds")[:26]


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)  # as JSONText does


def _converter(column_type, sqlite: bool):  # noqa: ANN001, ANN202
    if isinstance(column_type, JSONText):
        return _json_text
    if isinstance(column_type, UTCDateTime):
        return _sqlite_instant if sqlite else None
    if isinstance(column_type, (Integer, String)):
        return None
    if isinstance(column_type, Boolean):
        return int if sqlite else None
    if isinstance(column_type, Date):
        return date.isoformat if sqlite else None
    raise TypeError(f"no bulk conversion for {column_type!r}")  # use Core for such tables


def _load_rows(session: Session, parsed: ParsedDump, staff: dict[str, int],
               now: datetime) -> dict[str, int]:
    from . import search
    from .coverage import coverage_verdict
    from .settings import load_settings
    from .sla import SlaContext, SlaEvent, evaluate, follow_up_due, store_result

    settings = load_settings(session)
    ctx = SlaContext.load(session)

    # clients, contacts, contracts
    client_ids: list[int] = []
    contract_ids: list[list[int]] = []
    contract_tiers: list[list[str]] = []
    client_rows, contact_rows, contract_rows, renewals = [], [], [], []
    next_client, next_contact, next_contract = (_next_id(session, Client),
                                                _next_id(session, Contact),
                                                _next_id(session, Contract))
    for client in parsed.clients:
        client_id = next_client
        next_client += 1
        client_ids.append(client_id)
        client_rows.append({"id": client_id, "name": client.name, "email": client.email,
                            "phone": client.phone, "website": client.website,
                            "notes": client.notes, "archived": client.archived,
                            "created_at": now, "version": 1})
        for contact in client.contacts:
            contact_rows.append({"id": next_contact, "client_id": client_id,
                                 "name": contact.name, "email": contact.email,
                                 "phone": contact.phone, "role": contact.role,
                                 "receives_reports": contact.receives_reports, "version": 1})
            next_contact += 1
        ids, tiers = [], []
        for contract in client.contracts:
            ids.append(next_contract)
            tiers.append(contract.tier)
            contract_rows.append({
                "id": next_contract, "client_id": client_id, "tier_code": contract.tier,
                "start": contract.start, "end": contract.end,
                "monthly_fee": contract.monthly_fee, "currency": contract.currency,
                "content_minutes_allowance": contract.content_minutes_allowance,
                "handover_date": contract.handover_date, "renewed_from_id": None,
                "notes": contract.notes, "version": 1})
            next_contract += 1
        for k, contract in enumerate(client.contracts):
            if contract.renewed_from is not None:
                renewals.append((ids[k], ids[contract.renewed_from]))
        contract_ids.append(ids)
        contract_tiers.append(tiers)
    _insert(session, Client, client_rows)
    _insert(session, Contact, contact_rows)
    _insert(session, Contract, contract_rows)
    for contract_id, renewed_from_id in renewals:
        session.execute(Contract.__table__.update().where(Contract.__table__.c.id == contract_id)
                        .values(renewed_from_id=renewed_from_id))

    # tickets, their events and time entries, with SLA clocks and coverage computed
    search.drop_search_triggers(session)
    ticket_ids: list[int] = []
    resolved: list[datetime | None] = []
    next_ticket, next_event, next_entry = (_next_id(session, Ticket),
                                           _next_id(session, TicketEvent),
                                           _next_id(session, TimeEntry))
    events_count = entries_count = 0
    tickets = parsed.tickets
    for start in range(0, len(tickets), CHUNK):
        ticket_rows, event_rows, entry_rows = [], [], []
        for ticket in tickets[start:start + CHUNK]:
            ticket_id = next_ticket
            next_ticket += 1
            ticket_ids.append(ticket_id)
            tier = (contract_tiers[ticket.client][ticket.contract]
                    if ticket.contract is not None else None)
            result = evaluate(ticket.created_at, ticket.priority, tier,
                              [SlaEvent(e.at, e.type, e.status, e.priority, e.public)
                               for e in ticket.events],
                              ctx.policies, ctx.calendar, now, ctx.at_risk_percent)
            sla_columns = _Columns()
            store_result(sla_columns, result)
            row = vars(sla_columns)
            missing = [name for name in SLA_COLUMNS if name not in row]
            if missing:  # the SLA service stores fewer fields than this loader knows
                raise RuntimeError(f"SLA result lacks {missing}")
            verdict = coverage_verdict(tier, ticket.category, ticket.channel)
            resolved.append(result.resolved_at if ticket.status in (Status.RESOLVED,
                                                                    Status.CLOSED) else None)
            row.update({
                "id": ticket_id, "number": ticket.number,
                "client_id": client_ids[ticket.client],
                "contract_id": (contract_ids[ticket.client][ticket.contract]
                                if ticket.contract is not None else None),
                "title": ticket.title, "description": ticket.description,
                "priority": ticket.current_priority, "status": ticket.status,
                "category": ticket.category, "channel": ticket.channel,
                "assignee_id": staff[ticket.assignee] if ticket.assignee else None,
                "created_at": ticket.created_at, "updated_at": ticket.updated_at,
                "closed_at": ticket.closed_at, "in_scope": verdict.in_scope,
                "scope_reason": verdict.reason, "scope_override": ticket.scope_override,
                "override_reason": ticket.override_reason, "version": 1})
            ticket_rows.append(row)
            for event in ticket.events:
                event_rows.append({
                    "id": next_event, "ticket_id": ticket_id, "at": event.at,
                    "type": event.type,
                    "author_id": staff[event.author] if event.author else None,
                    "status": event.status, "priority": event.priority,
                    "public": event.public, "body": event.body, "data": event.data})
                next_event += 1
            for entry in ticket.time_entries:
                entry_rows.append({
                    "id": next_entry, "ticket_id": ticket_id, "work_date": entry.work_date,
                    "minutes": entry.minutes, "category": entry.category, "note": entry.note,
                    "author_id": staff[entry.author] if entry.author else None,
                    "created_at": now, "version": 1})
                next_entry += 1
        _insert(session, Ticket, ticket_rows)
        _insert(session, TicketEvent, event_rows)
        _insert(session, TimeEntry, entry_rows)
        events_count += len(event_rows)
        entries_count += len(entry_rows)
    search.rebuild_search_index(session)

    # satisfaction follow-ups: the dump's, or one per resolved ticket (DESIGN §2)
    follow_rows = []
    next_follow = _next_id(session, FollowUp)
    if parsed.follow_ups is not None:
        for follow in parsed.follow_ups:
            follow_rows.append({
                "id": next_follow, "ticket_id": ticket_ids[follow.ticket],
                "due_at": follow.due_at, "done_at": follow.done_at, "rating": follow.rating,
                "comment": follow.comment,
                "done_by_id": staff[follow.done_by] if follow.done_by else None, "version": 1})
            next_follow += 1
    else:
        days = int(settings.follow_up_business_days)
        for ticket_id, resolved_at in zip(ticket_ids, resolved):
            if resolved_at is not None:
                follow_rows.append({
                    "id": next_follow, "ticket_id": ticket_id,
                    "due_at": follow_up_due(resolved_at, ctx.calendar, days), "done_at": None,
                    "rating": None, "comment": "", "done_by_id": None, "version": 1})
                next_follow += 1
    for i in range(0, len(follow_rows), CHUNK * 4):
        _insert(session, FollowUp, follow_rows[i:i + CHUNK * 4])

    # maintenance occurrences
    occurrence_rows = []
    next_occurrence = _next_id(session, Occurrence)
    for item in parsed.maintenance:
        occurrence_rows.append({
            "id": next_occurrence, "client_id": client_ids[item.client],
            "contract_id": (contract_ids[item.client][item.contract]
                            if item.contract is not None else None),
            "task": item.task, "name": item.name, "cadence": item.cadence,
            "period_key": item.period_key, "due": item.due, "done_at": item.done_at,
            "done_by_id": staff[item.done_by] if item.done_by else None,
            "outcome": item.outcome, "notes": item.notes, "figures": item.figures,
            "rescheduled": item.rescheduled, "version": 1})
        next_occurrence += 1
    for i in range(0, len(occurrence_rows), CHUNK * 4):
        _insert(session, Occurrence, occurrence_rows[i:i + CHUNK * 4])

    # what the manager wrote for reports, and the reports sent
    next_note = _next_id(session, ReportNote)
    note_rows = []
    for note in parsed.report_notes:
        note_rows.append({"id": next_note, "client_id": client_ids[note.client],
                          "kind": note.kind, "period": note.period, "body": note.body,
                          "version": 1})
        next_note += 1
    _insert(session, ReportNote, note_rows)
    next_sent = _next_id(session, SentReport)
    sent_rows = []
    for sent in parsed.sent_reports:
        sent_rows.append({"id": next_sent, "client_id": client_ids[sent.client],
                          "kind": sent.kind, "period": sent.period, "sent_at": sent.sent_at,
                          "recipients": sent.recipients, "file_name": sent.file_name,
                          "sent_by_id": staff[sent.sent_by] if sent.sent_by else None})
        next_sent += 1
    _insert(session, SentReport, sent_rows)
    return {"clients": len(client_rows), "contracts": len(contract_rows),
            "tickets": len(ticket_ids), "events": events_count,
            "time_entries": entries_count, "maintenance": len(occurrence_rows)}
