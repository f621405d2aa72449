"""Writing the whole database as a portable dump, streamed and deterministic (DESIGN §7).

The output is exactly ``json.dumps(document, indent=2, ensure_ascii=False)`` plus a newline,
but produced piece by piece: tickets are read in chunks (their events and time entries with
them) and written as they come, so memory does not grow with the database. Order is fixed:
staff by user name, clients by name (their contacts and contracts in entry order and by
period), tickets by number, holidays and maintenance by date, report records by client and
period. Instants are UTC ISO 8601 with ``+00:00``; amounts are ``"15000.00"``.

Only facts are written; what import derives again (a ticket's status and current priority, its
contract, coverage verdict and SLA clocks) is left out, so that export → import → export gives
the same bytes.
"""
from __future__ import annotations

import json
import os
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import DateTime, Integer, String, any_, bindparam, select, type_coerce
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from desktop.models import (Client, Contact, Contract, FollowUp, Holiday, MaintenanceTemplate,
                            Occurrence, ReportNote, SentReport, Setting, SlaPolicy, StaffUser,
                            Ticket, TicketEvent, TimeEntry, Tier)
from desktop.models.enums import PRIORITY_ORDER, EventType, TierCode
from desktop.storage.files import atomic_path

from .dump import FORMAT, VERSION, DumpSummary

UTC = timezone.utc
CHUNK = 2000  # tickets per read
TIER_ORDER = {code: i for i, code in enumerate([*TierCode, "none"])}
_encode = json.encoder.encode_basestring  # what json.dumps(ensure_ascii=False) uses


# --- formatting, byte for byte like json.dumps(indent=2, ensure_ascii=False) ----------------
def to_json(value: Any, indent: str = "") -> str:
    """``json.dumps(value, indent=2, ensure_ascii=False)`` for JSON data, nested at ``indent``
    (a faster specialisation: the standard encoder drops to pure Python when indenting)."""
    if isinstance(value, str):
        return _encode(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = indent + "  "
        parts = [f"{inner}{_key(key)}: {to_json(item, inner)}" for key, item in value.items()]
        return "{\n" + ",\n".join(parts) + "\n" + indent + "}"
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        inner = indent + "  "
        return ("[\n" + ",\n".join(inner + to_json(item, inner) for item in value)
                + "\n" + indent + "]")
    return json.dumps(value, ensure_ascii=False)  # floats: the standard repr


def _key(key: Any) -> str:
    if isinstance(key, str):
        return _encode(key)
    return _encode(json.dumps(key).strip('"'))  # json.dumps turns 1 into "1", True into "true"


class Raw(str):
    """JSON text already laid out for its place in the document."""


# indentation of a ticket (an item of the top-level "tickets" list), its fields, the items of
# its lists and their fields
I1, I2, I3, I4 = "    ", "      ", "        ", "          "


def _object(fields: list[tuple[str, str]], indent: str) -> str:
    """An object from (key, JSON text) pairs; keys are plain ASCII names."""
    inner = indent + "  "
    return "{\n" + ",\n".join([f'{inner}"{key}": {text}' for key, text in fields]) + \
        "\n" + indent + "}"


def _array(items: list[str], indent: str) -> str:
    if not items:
        return "[]"
    inner = indent + "  "
    return "[\n" + ",\n".join([inner + item for item in items]) + "\n" + indent + "]"


def _quoted_instant(value: datetime) -> str:
    return '"' + value.astimezone(UTC).isoformat() + '"'


def _quoted_sqlite_instant(text: str) -> str:
    """SQLite's stored UTC text (``2026-01-12 05:35:00.000000``) as the same ISO 8601 text
    ``datetime.isoformat`` gives (``2026-01-12T05:35:00+00:00``)."""
    if len(text) == 26 and text[10] == " " and text[19] == ".":
        fraction = text[20:]
        if fraction == "000000":
            return f'"{text[:10]}T{text[11:19]}+00:00"'
        return f'"{text[:10]}T{text[11:19]}.{fraction}+00:00"'
    value = datetime.fromisoformat(text)  # any other spelling of a naive UTC instant
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return _quoted_instant(value)


class Stream:
    """A list written item by item."""

    def __init__(self, items: Iterable[Any]) -> None:
        self.items = items


def write_document(fh, parts: Iterable[tuple[str, Any]]) -> None:  # noqa: ANN001
    """Write ``{key: value, ...}`` indented by 2; a ``Stream`` value is written as it comes."""
    fh.write("{")
    first = True
    for key, value in parts:
        fh.write(("\n  " if first else ",\n  ") + _encode(key) + ": ")
        first = False
        if isinstance(value, Stream):
            empty = True
            for item in value.items:
                text = item if isinstance(item, Raw) else to_json(item, "    ")
                fh.write(("[\n    " if empty else ",\n    ") + text)
                empty = False
            fh.write("[]" if empty else "\n  ]")
        else:
            fh.write(to_json(value, "  "))
    fh.write("\n}\n" if not first else "}\n")


# --- values ----------------------------------------------------------------------------------
def instant(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat()


def day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def amount(value: Decimal) -> str:
    return str(Decimal(value).quantize(Decimal("0.01")))


# --- the document ----------------------------------------------------------------------------
class _Exporter:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.staff = {row.id: row.username for row in session.execute(
            select(StaffUser.id, StaffUser.username))}
        self.clients = {row.id: row.name for row in session.execute(
            select(Client.id, Client.name))}
        # Text is ordered here, by code point, never by the database: PostgreSQL's collation
        # follows the server's locale, and the dump must not depend on it.
        self.client_order = sorted(self.clients, key=self.clients.__getitem__)
        self.contracts: dict[int, list[Contract]] = defaultdict(list)
        for contract in session.scalars(select(Contract).order_by(
                Contract.client_id, Contract.start, Contract.end, Contract.id)):
            self.contracts[contract.client_id].append(contract)
        self.contract_index = {c.id: k for rows in self.contracts.values()
                               for k, c in enumerate(rows)}
        self.counts = defaultdict(int)
        self.postgresql = session.get_bind().dialect.name == "postgresql"
        if not self.postgresql:
            # Instants of the big tables are read as their stored text, which is quicker to
            # turn into ISO 8601 than through datetime objects.
            self.instant_column = lambda column: type_coerce(column, String)
            self.quoted_instant = _quoted_sqlite_instant
        else:  # the driver's own aware datetimes; _quoted_instant turns them to UTC
            self.instant_column = lambda column: type_coerce(column, DateTime(timezone=True))
            self.quoted_instant = _quoted_instant

    def user(self, user_id: int | None) -> str | None:
        return self.staff.get(user_id) if user_id is not None else None

    def settings(self) -> dict:
        rows = sorted(self.session.scalars(select(Setting)), key=lambda row: row.key)
        return {row.key: row.value for row in rows}

    def staff_list(self) -> list[dict]:
        rows = sorted(self.session.scalars(select(StaffUser)), key=lambda u: u.username)
        self.counts["staff"] = len(self.staff)
        return [{"username": u.username, "display_name": u.display_name, "email": u.email,
                 "active": u.active} for u in rows]

    def tiers(self) -> list[dict]:
        rows = self.session.scalars(select(Tier))
        return [{"code": t.code, "name": t.name, "monthly_fee": amount(t.monthly_fee),
                 "currency": t.currency, "channels": t.channels,
                 "content_minutes_per_month": t.content_minutes_per_month,
                 "sort_order": t.sort_order}
                for t in sorted(rows, key=lambda t: (TIER_ORDER.get(t.code, 99), t.code))]

    def policies(self) -> list[dict]:
        rows = self.session.scalars(select(SlaPolicy))
        return [{"tier": p.tier_code, "priority": p.priority, "clock": p.clock,
                 "response_minutes": p.response_minutes,
                 "resolution_minutes": p.resolution_minutes}
                for p in sorted(rows, key=lambda p: (TIER_ORDER.get(p.tier_code, 99), p.tier_code,
                                                     PRIORITY_ORDER.get(p.priority, 99),
                                                     p.priority))]

    def templates(self) -> list[dict]:
        rows = self.session.scalars(select(MaintenanceTemplate))
        return [{"tier": t.tier_code, "task": t.task, "name": t.name, "cadence": t.cadence,
                 "days_before_end": t.days_before_end, "active": t.active,
                 "sort_order": t.sort_order}
                for t in sorted(rows, key=lambda t: (TIER_ORDER.get(t.tier_code, 99),
                                                     t.tier_code, t.sort_order, t.task))]

    def holidays(self) -> list[dict]:
        rows = self.session.scalars(select(Holiday).order_by(Holiday.day))
        result = [{"date": day(h.day), "name": h.name, "active": h.active} for h in rows]
        self.counts["holidays"] = len(result)
        return result

    def client_list(self) -> list[dict]:
        contacts = defaultdict(list)
        for contact in self.session.scalars(select(Contact).order_by(Contact.client_id,
                                                                     Contact.id)):
            contacts[contact.client_id].append(contact)
        result = []
        clients = {client.id: client for client in self.session.scalars(select(Client))}
        for client in (clients[client_id] for client_id in self.client_order):
            contracts = self.contracts.get(client.id, [])
            self.counts["contracts"] += len(contracts)
            result.append({
                "name": client.name, "email": client.email, "phone": client.phone,
                "website": client.website, "notes": client.notes, "archived": client.archived,
                "contacts": [{"name": c.name, "email": c.email, "phone": c.phone,
                              "role": c.role, "receives_reports": c.receives_reports}
                             for c in contacts.get(client.id, [])],
                "contracts": [{
                    "tier": c.tier_code, "start": day(c.start), "end": day(c.end),
                    "monthly_fee": amount(c.monthly_fee), "currency": c.currency,
                    "content_minutes_allowance": c.content_minutes_allowance,
                    "handover_date": day(c.handover_date),
                    "renewed_from": self.contract_index.get(c.renewed_from_id),
                    "notes": c.notes} for c in contracts]})
        self.counts["clients"] = len(result)
        return result

    def tickets(self) -> Iterator[dict]:
        """Tickets by number, read in chunks with their events and time entries."""
        t = Ticket.__table__.c
        numbers = self.session.execute(select(t.id).order_by(t.number)).scalars().all()
        for start in range(0, len(numbers), CHUNK):
            ids = numbers[start:start + CHUNK]
            tickets = {row[0]: row for row in self.session.execute(
                select(t.id, t.number, t.client_id, t.title, t.description, t.priority,
                       t.category, t.channel, self.instant_column(t.created_at),
                       t.assignee_id, t.scope_override, t.override_reason)
                .where(self.among(t.id, ids))).all()}
            events = defaultdict(list)
            e = TicketEvent.__table__.c
            for row in self.session.execute(
                    select(e.ticket_id, self.instant_column(e.at), e.type, e.author_id,
                           e.status, e.priority,
                           e.public, e.body, e.data).where(self.among(e.ticket_id, ids))
                    .order_by(e.ticket_id, e.at, e.id)).all():
                events[row[0]].append(row)
            entries = defaultdict(list)
            w = TimeEntry.__table__.c
            for row in self.session.execute(
                    select(w.ticket_id, w.work_date, w.minutes, w.category, w.note,
                           w.author_id).where(self.among(w.ticket_id, ids))
                    .order_by(w.ticket_id, w.work_date, w.id)).all():
                entries[row[0]].append(row)
            for ticket_id in ids:
                yield self.ticket(tickets[ticket_id], events[ticket_id], entries[ticket_id])

    # A ticket is written straight to text (it is most of the dump); the layout is that of
    # json.dumps(indent=2) for an item of the top-level "tickets" list, which the round-trip
    # tests check against json.dumps itself.
    def ticket(self, row, events: list, entries: list) -> Raw:  # noqa: ANN001
        (_, number, client_id, title, description, current_priority, category, channel,
         created_at, assignee_id, scope_override, override_reason) = row
        self.counts["tickets"] += 1
        self.counts["events"] += len(events)
        self.counts["time_entries"] += len(entries)
        # The dump's ``priority`` is the one the ticket was created with: the ``from`` of its
        # first priority event (sla.creation_priority), else its current priority.
        priority = current_priority
        for event in events:
            if event[2] == EventType.PRIORITY:
                priority = (event[8] or {}).get("from") or current_priority
                break
        fields = [("number", int.__repr__(number)),
                  ("client", _encode(self.clients[client_id])),
                  ("title", _encode(title)), ("description", _encode(description)),
                  ("priority", _encode(priority)), ("category", _encode(category)),
                  ("channel", _encode(channel)), ("created_at", self.quoted_instant(created_at))]
        if assignee_id is not None:
            fields.append(("assignee", to_json(self.staff.get(assignee_id))))
        if scope_override is not None:
            fields.append(("scope_override", "true" if scope_override else "false"))
        if override_reason:
            fields.append(("override_reason", _encode(override_reason)))
        fields.append(("events", _array([self.event(e) for e in events], I2)))
        fields.append(("time_entries", _array([self.entry(w) for w in entries], I2)))
        return Raw(_object(fields, I1))

    def event(self, row) -> str:  # noqa: ANN001
        _, at, kind, author_id, status, priority, public, body, data = row
        fields = [("at", self.quoted_instant(at)), ("type", _encode(kind))]
        if author_id is not None:
            fields.append(("author", to_json(self.staff.get(author_id))))
        if status is not None:
            fields.append(("status", _encode(status)))
        if priority is not None:
            fields.append(("priority", _encode(priority)))
        if bool(public) != (kind == EventType.REPLY):
            fields.append(("public", "true" if public else "false"))
        if body:
            fields.append(("body", _encode(body)))
        if data is not None:
            fields.append(("data", to_json(data, I4)))
        return _object(fields, I3)

    def entry(self, row) -> str:  # noqa: ANN001
        _, work_date, minutes, category, note, author_id = row
        fields = [("date", f'"{work_date.isoformat()}"'), ("minutes", int.__repr__(minutes)),
                  ("category", _encode(category)), ("note", _encode(note))]
        if author_id is not None:
            fields.append(("author", to_json(self.staff.get(author_id))))
        return _object(fields, I3)

    def among(self, column, ids: list[int]):  # noqa: ANN001, ANN201
        """``column IN ids``; on PostgreSQL as ``= ANY(array)``, one parameter instead of
        thousands (psycopg parses every placeholder of a query)."""
        if self.postgresql:
            return column == any_(bindparam(None, ids, type_=ARRAY(Integer)))
        return column.in_(ids)

    def follow_ups(self) -> Iterator[dict]:
        f, t = FollowUp.__table__.c, Ticket.__table__.c
        query = (select(t.number, f.due_at, f.done_at, f.rating, f.comment, f.done_by_id)
                 .join_from(FollowUp.__table__, Ticket.__table__, f.ticket_id == t.id)
                 .order_by(t.number))
        for number, due_at, done_at, rating, comment, done_by_id in (
                self.session.execute(query).yield_per(CHUNK)):
            yield {"ticket": number, "due_at": instant(due_at), "done_at": instant(done_at),
                   "rating": rating, "comment": comment, "done_by": self.user(done_by_id)}

    def maintenance(self) -> Iterator[dict]:
        """Occurrences by client name, then due date, task and period; read client by client."""
        o = Occurrence.__table__.c
        columns = [o.id, o.task, o.name, o.cadence, o.due, o.period_key, o.contract_id,
                   o.done_at, o.done_by_id, o.outcome, o.notes, o.figures]
        if "rescheduled" in o:
            columns.append(o.rescheduled)
        for client_id in self.client_order:
            client_name = self.clients[client_id]
            rows = self.session.execute(select(*columns).where(o.client_id == client_id)).all()
            rows.sort(key=lambda row: (row.due, row.task, row.period_key, row.id))
            for occ in rows:
                self.counts["maintenance"] += 1
                doc = {"client": client_name, "task": occ.task, "name": occ.name,
                       "cadence": occ.cadence, "due": day(occ.due),
                       "period_key": occ.period_key,
                       "contract_index": self.contract_index.get(occ.contract_id),
                       "done_at": instant(occ.done_at), "done_by": self.user(occ.done_by_id),
                       "outcome": occ.outcome, "notes": occ.notes}
                if occ.figures is not None:
                    doc["figures"] = occ.figures
                if getattr(occ, "rescheduled", False):
                    doc["rescheduled"] = True
                yield doc

    def report_notes(self, kind: str, key: str) -> list[dict]:
        notes = self.session.scalars(select(ReportNote).where(ReportNote.kind == kind)).all()
        notes = sorted(notes, key=lambda n: (self.clients[n.client_id], n.period, n.id))
        return [{"client": self.clients[n.client_id], key: n.period, "body": n.body}
                for n in notes]

    def sent_reports(self) -> list[dict]:
        sent = sorted(self.session.scalars(select(SentReport)),
                      key=lambda r: (self.clients[r.client_id], r.sent_at, r.kind, r.period,
                                     r.id))
        return [{"client": self.clients[r.client_id], "kind": r.kind, "period": r.period,
                 "sent_at": instant(r.sent_at), "recipients": r.recipients,
                 "file_name": r.file_name, "sent_by": self.user(r.sent_by_id)}
                for r in sent]

    def parts(self) -> Iterator[tuple[str, Any]]:
        yield "format", FORMAT
        yield "version", VERSION
        yield "settings", self.settings()
        yield "staff", self.staff_list()
        yield "tiers", self.tiers()
        yield "sla_policies", self.policies()
        yield "templates", self.templates()
        yield "holidays", self.holidays()
        yield "clients", self.client_list()
        yield "tickets", Stream(self.tickets())
        yield "follow_ups", Stream(self.follow_ups())
        yield "maintenance", Stream(self.maintenance())
        yield "monthly_summaries", self.report_notes("monthly_summary", "month")
        yield "quarterly_recommendations", self.report_notes("quarterly_recommendations",
                                                             "quarter")
        yield "sent_reports", self.sent_reports()


def write(db, path: str | os.PathLike) -> DumpSummary:  # noqa: ANN001
    """Export ``db`` to ``path`` whole or not at all (a temporary file, then a rename). A
    database that fails while being read (a server gone) is a UserError; no file is left."""
    from sqlalchemy.exc import SQLAlchemyError

    from desktop.errors import UserError

    try:
        return _write(db, path)
    except SQLAlchemyError as exc:
        orig = getattr(exc, "orig", None) or exc
        lines = str(orig).strip().splitlines()
        detail = lines[0] if lines else type(orig).__name__
        raise UserError(f"could not read the database ({detail}); {path} was not "
                        "written") from None


def _write(db, path: str | os.PathLike) -> DumpSummary:  # noqa: ANN001
    from desktop.errors import UserError

    with db.session() as session:
        # One snapshot for the whole export, even while others keep writing.
        if session.get_bind().dialect.name == "postgresql":
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        else:  # the driver starts no transaction for reads; a deferred BEGIN holds one
            session.connection().exec_driver_sql("BEGIN")
        exporter = _Exporter(session)
        with atomic_path(path) as tmp:
            try:
                with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
                    write_document(fh, exporter.parts())
            except OSError as exc:
                raise UserError(f"cannot write {path}: {exc.strerror}") from None
    counts = exporter.counts
    return DumpSummary(clients=counts["clients"], contracts=counts["contracts"],
                       tickets=counts["tickets"], events=counts["events"],
                       time_entries=counts["time_entries"], maintenance=counts["maintenance"],
                       staff=counts["staff"], holidays=counts["holidays"])
