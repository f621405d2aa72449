"""Clients and their contacts: the list, the detail page, and create/edit/archive (DESIGN §4).

Services take a ``Session`` and return plain dataclasses, so the views never lazy-load ORM rows
after the session closed. Every write calls ``record_change`` and is audited in the log
``desktop.audit`` with who and when (there is no audit table for non-ticket rows yet).
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from desktop.errors import StaleDataError, UserError
from desktop.models import (Client, Contact, Contract, Occurrence, SentReport, StaffUser, Ticket,
                            TimeEntry, Tier, utcnow)
from desktop.models.enums import OPEN_STATUSES, PRIORITY_ORDER
from desktop.storage.changes import record_change
from desktop.storage.conflicts import refuse_stale

audit = logging.getLogger("desktop.audit")

EMAIL_RE = re.compile(r"^[^@\s<>,;\"']+@[^@\s<>,;\"']+\.[A-Za-z]{2,}$")
PHONE_CHARS_RE = re.compile(r"^\+?[0-9 ()\-./]+$")
NAME_MAX = 200
MAINTENANCE_HORIZON_DAYS = 30


# validation -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class FieldError:
    """A problem with one field of a form: ``field`` names it, ``message`` says it plainly."""

    field: str
    message: str


def first_error(errors: list[FieldError]) -> None:
    """Raise the first problem as a ``UserError`` (one plain sentence), if there is one."""
    if errors:
        raise UserError(errors[0].message)


def email_error(text: str, label: str = "E-mail") -> str | None:
    """None when ``text`` is empty or looks like one e-mail address (name@example.com)."""
    text = text.strip()
    if text and not EMAIL_RE.match(text):
        return f"{label} '{text}' is not an e-mail address (like name@example.com)"
    return None


def phone_error(text: str, label: str = "Phone") -> str | None:
    """None when ``text`` is empty or a phone number: digits, spaces, + ( ) - . /, and 7 to 15
    digits in all (ITU E.164 allows 15), e.g. ``+91 98765 43210`` or ``022-2345 6789``."""
    text = text.strip()
    if not text:
        return None
    digits = sum(ch.isdigit() for ch in text)
    if not PHONE_CHARS_RE.match(text) or not 7 <= digits <= 15:
        return f"{label} '{text}' is not a phone number (like +91 98765 43210)"
    return None


# input and output shapes ---------------------------------------------------------------------
@dataclass
class ContactInput:
    name: str = ""
    email: str = ""
    phone: str = ""
    role: str = ""
    receives_reports: bool = True
    id: int | None = None


@dataclass
class ClientInput:
    """What the client editor submits."""

    name: str = ""
    email: str = ""
    phone: str = ""
    website: str = ""
    notes: str = ""
    contacts: list[ContactInput] = field(default_factory=list)


@dataclass(frozen=True)
class ClientRow:
    """One line of the client list."""

    id: int
    name: str
    email: str
    phone: str
    archived: bool
    tier_code: str | None      # the contract in force today, None without one
    tier_name: str
    contract_end: date | None
    open_tickets: int


@dataclass(frozen=True)
class ContactInfo:
    id: int
    name: str
    email: str
    phone: str
    role: str
    receives_reports: bool


@dataclass(frozen=True)
class ContractSummary:
    id: int
    tier_code: str
    tier_name: str
    start: date
    end: date
    monthly_fee: object  # Decimal
    currency: str
    state: str  # "current", "future" or "past"


@dataclass(frozen=True)
class OpenTicket:
    id: int
    number: int
    title: str
    priority: str
    status: str
    sla_due_at: datetime | None
    breached: bool


@dataclass(frozen=True)
class MaintenanceDue:
    id: int
    name: str
    due: date
    overdue: bool


@dataclass(frozen=True)
class SentReportInfo:
    kind: str
    period: str
    sent_at: datetime
    recipients: str
    file_name: str
    sent_by: str


@dataclass(frozen=True)
class ClientDetail:
    id: int
    version: int
    name: str
    email: str
    phone: str
    website: str
    notes: str
    archived: bool
    created_at: datetime
    contacts: list[ContactInfo]
    contracts: list[ContractSummary]
    open_tickets: list[OpenTicket]
    maintenance_due: list[MaintenanceDue]
    content_minutes_used: int
    content_minutes_allowance: int
    content_minutes_billable: int
    reports_sent: list[SentReportInfo]

    @property
    def current_contract(self) -> ContractSummary | None:
        return next((c for c in self.contracts if c.state == "current"), None)

    @property
    def report_recipients(self) -> list[ContactInfo]:
        return [c for c in self.contacts if c.receives_reports and c.email]

    def as_input(self) -> ClientInput:
        return ClientInput(
            name=self.name, email=self.email, phone=self.phone, website=self.website,
            notes=self.notes,
            contacts=[ContactInput(name=c.name, email=c.email, phone=c.phone, role=c.role,
                                   receives_reports=c.receives_reports, id=c.id)
                      for c in self.contacts])


def contract_state(start: date, end: date, today: date) -> str:
    """``current`` while ``start <= today <= end`` (the end date is inclusive), else
    ``future`` or ``past``."""
    if today < start:
        return "future"
    if today > end:
        return "past"
    return "current"


# queries ---------------------------------------------------------------------------------------
def list_clients(session: Session, search: str = "", include_archived: bool = False,
                 today: date | None = None) -> list[ClientRow]:
    """The client list: name, contact details, the tier in force today and open tickets.

    ``search`` matches the name, e-mail or phone of the client or of any of its contacts,
    case-insensitively. Archived clients are left out unless asked for.
    """
    today = today or date.today()
    query = select(Client.id, Client.name, Client.email, Client.phone, Client.archived)
    if not include_archived:
        query = query.where(Client.archived.is_(False))
    text = search.strip().lower()
    if text:
        pattern = f"%{_escape_like(text)}%"
        contact_match = select(Contact.client_id).where(or_(
            func.lower(Contact.name).like(pattern, escape="\\"),
            func.lower(Contact.email).like(pattern, escape="\\"),
            Contact.phone.like(pattern, escape="\\")))
        query = query.where(or_(func.lower(Client.name).like(pattern, escape="\\"),
                                func.lower(Client.email).like(pattern, escape="\\"),
                                Client.phone.like(pattern, escape="\\"),
                                Client.id.in_(contact_match)))
    clients = session.execute(query.order_by(func.lower(Client.name))).all()
    if not clients:
        return []
    ids = [c.id for c in clients]
    current = {}
    for row in session.execute(
            select(Contract.client_id, Contract.tier_code, Tier.name, Contract.end)
            .join(Tier, Tier.code == Contract.tier_code)
            .where(Contract.client_id.in_(ids), Contract.start <= today, Contract.end >= today)
            .order_by(Contract.start)):
        current[row.client_id] = (row.tier_code, row.name, row.end)
    open_counts = dict(session.execute(
        select(Ticket.client_id, func.count())
        .where(Ticket.client_id.in_(ids), Ticket.status.in_([str(s) for s in OPEN_STATUSES]))
        .group_by(Ticket.client_id)).all())
    rows = []
    for c in clients:
        tier_code, tier_name, end = current.get(c.id, (None, "", None))
        rows.append(ClientRow(id=c.id, name=c.name, email=c.email, phone=c.phone,
                              archived=c.archived, tier_code=tier_code, tier_name=tier_name,
                              contract_end=end, open_tickets=open_counts.get(c.id, 0)))
    return rows


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def content_minutes(session: Session, client_id: int, year: int, month: int
                    ) -> tuple[int, int, int]:
    """(used, allowance, billable) content-update minutes of the client's month, from the
    allowance service (DESIGN §2: time beyond the month's allowance is billable)."""
    try:
        from desktop.services.allowance import allowance_usage
    except ModuleNotFoundError:  # the allowance service has not landed in this build
        return _content_minutes_fallback(session, client_id, year, month)
    usage = allowance_usage(session, client_id, year, month)
    return usage.used_minutes, usage.allowance_minutes, usage.billable_minutes


def _content_minutes_fallback(session: Session, client_id: int, year: int, month: int
                              ) -> tuple[int, int, int]:
    first = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    used = session.scalar(
        select(func.coalesce(func.sum(TimeEntry.minutes), 0))
        .join(Ticket, Ticket.id == TimeEntry.ticket_id)
        .where(Ticket.client_id == client_id, TimeEntry.category == "content_update",
               TimeEntry.work_date >= first, TimeEntry.work_date < following)) or 0
    allowance = session.scalar(
        select(func.coalesce(func.max(Contract.content_minutes_allowance), 0))
        .where(Contract.client_id == client_id, Contract.start <= following - timedelta(days=1),
               Contract.end >= first)) or 0
    return int(used), int(allowance), max(0, int(used) - int(allowance))


def client_detail(session: Session, client_id: int, today: date | None = None) -> ClientDetail:
    """Everything the client page shows (DESIGN §4): contacts (and which receive reports),
    contracts current and past, open tickets by SLA due, maintenance due in the next 30 days or
    overdue, content hours used this month, and the reports sent."""
    today = today or date.today()
    client = session.get(Client, client_id)
    if client is None:
        raise UserError("this client no longer exists; it may have been deleted by someone else")
    contacts = [ContactInfo(c.id, c.name, c.email, c.phone, c.role, c.receives_reports)
                for c in client.contacts]
    contracts = [
        ContractSummary(id=row.id, tier_code=row.tier_code, tier_name=row.tier_name,
                        start=row.start, end=row.end, monthly_fee=row.monthly_fee,
                        currency=row.currency,
                        state=contract_state(row.start, row.end, today))
        for row in session.execute(
            select(Contract.id, Contract.tier_code, Tier.name.label("tier_name"), Contract.start,
                   Contract.end, Contract.monthly_fee, Contract.currency)
            .join(Tier, Tier.code == Contract.tier_code)
            .where(Contract.client_id == client_id)
            .order_by(Contract.start.desc()))]
    open_tickets = [
        OpenTicket(id=t.id, number=t.number, title=t.title, priority=t.priority, status=t.status,
                   sla_due_at=t.sla_due_at,
                   breached=bool(t.response_breached or t.resolution_breached))
        for t in session.execute(
            select(Ticket.id, Ticket.number, Ticket.title, Ticket.priority, Ticket.status,
                   Ticket.sla_due_at, Ticket.response_breached, Ticket.resolution_breached)
            .where(Ticket.client_id == client_id,
                   Ticket.status.in_([str(s) for s in OPEN_STATUSES])))]
    far = datetime.max.replace(tzinfo=utcnow().tzinfo)
    open_tickets.sort(key=lambda t: (t.sla_due_at or far, PRIORITY_ORDER.get(t.priority, 9),
                                     t.number))
    horizon = today + timedelta(days=MAINTENANCE_HORIZON_DAYS)
    maintenance = [
        MaintenanceDue(id=o.id, name=o.name, due=o.due, overdue=o.due < today)
        for o in session.execute(
            select(Occurrence.id, Occurrence.name, Occurrence.due)
            .where(Occurrence.client_id == client_id, Occurrence.done_at.is_(None),
                   Occurrence.due <= horizon)
            .order_by(Occurrence.due, Occurrence.name))]
    used, allowance, billable = content_minutes(session, client_id, today.year, today.month)
    reports = [
        SentReportInfo(kind=r.kind, period=r.period, sent_at=r.sent_at, recipients=r.recipients,
                       file_name=r.file_name, sent_by=r.username or "")
        for r in session.execute(
            select(SentReport.kind, SentReport.period, SentReport.sent_at, SentReport.recipients,
                   SentReport.file_name, StaffUser.username)
            .outerjoin(StaffUser, StaffUser.id == SentReport.sent_by_id)
            .where(SentReport.client_id == client_id)
            .order_by(SentReport.sent_at.desc()))]
    return ClientDetail(
        id=client.id, version=client.version, name=client.name, email=client.email,
        phone=client.phone, website=client.website, notes=client.notes,
        archived=client.archived, created_at=client.created_at, contacts=contacts,
        contracts=contracts, open_tickets=open_tickets, maintenance_due=maintenance,
        content_minutes_used=used, content_minutes_allowance=allowance,
        content_minutes_billable=billable, reports_sent=reports)


# validation and writes ------------------------------------------------------------------------
def validate_client(session: Session, data: ClientInput,
                    client_id: int | None = None) -> list[FieldError]:
    """The client editor's rules: ``client_field_errors``, and a name unique among clients
    (ignoring case and surrounding spaces)."""
    errors = client_field_errors(data)
    name = data.name.strip()
    if name and not any(e.field == "name" for e in errors):
        clash = session.scalar(select(Client.id).where(
            func.lower(Client.name) == name.lower(),
            Client.id != (client_id if client_id is not None else -1)))
        if clash is not None:
            errors.insert(0, FieldError("name", f"A client named '{name}' already exists"))
    return errors


def client_field_errors(data: ClientInput) -> list[FieldError]:
    """What the editor checks as you type: a name is required; e-mail and phone, when given,
    have the right format; every contact has a name and a well-formed e-mail/phone; a contact
    who receives reports needs an e-mail address."""
    errors: list[FieldError] = []
    name = data.name.strip()
    if not name:
        errors.append(FieldError("name", "Name is required"))
    elif len(name) > NAME_MAX:
        errors.append(FieldError("name", f"Name is longer than {NAME_MAX} characters"))
    if (message := email_error(data.email)):
        errors.append(FieldError("email", message))
    if (message := phone_error(data.phone)):
        errors.append(FieldError("phone", message))
    for index, contact in enumerate(data.contacts, start=1):
        where = f"contacts[{index}]"
        label = f"Contact {index}"
        if not contact.name.strip():
            errors.append(FieldError(where, f"{label}: a name is required"))
        if (message := email_error(contact.email, f"{label}: e-mail")):
            errors.append(FieldError(where, message))
        if (message := phone_error(contact.phone, f"{label}: phone")):
            errors.append(FieldError(where, message))
        if contact.receives_reports and not contact.email.strip():
            errors.append(FieldError(
                where, f"{label}: an e-mail address is needed to receive reports"))
    return errors


def _client_fields(client: Client) -> dict:
    return {"name": client.name, "email": client.email, "phone": client.phone,
            "website": client.website, "notes": client.notes,
            "contacts": [{"name": c.name, "email": c.email, "phone": c.phone, "role": c.role,
                          "receives_reports": c.receives_reports} for c in client.contacts]}


def _input_fields(data: ClientInput) -> dict:
    return {"name": data.name.strip(), "email": data.email.strip(),
            "phone": data.phone.strip(), "website": data.website.strip(), "notes": data.notes,
            "contacts": [{"name": c.name.strip(), "email": c.email.strip(),
                          "phone": c.phone.strip(), "role": c.role.strip(),
                          "receives_reports": c.receives_reports} for c in data.contacts]}


def input_from_fields(values: dict) -> ClientInput:
    """A ``ClientInput`` from the fields chosen in the conflict dialog (contacts as dicts)."""
    contacts = [ContactInput(**{k: v for k, v in c.items()
                                if k in ContactInput.__dataclass_fields__})
                for c in values.get("contacts") or []]
    return ClientInput(contacts=contacts, **{k: values.get(k, "") for k in
                                            ("name", "email", "phone", "website", "notes")})


def _apply(client: Client, data: ClientInput) -> bool:
    """Copy the form onto the client and its contacts; True when anything changed."""
    fields_ = _input_fields(data)
    changed = False
    for key in ("name", "email", "phone", "website", "notes"):
        if getattr(client, key) != fields_[key]:
            setattr(client, key, fields_[key])
            changed = True
    existing = {c.id: c for c in client.contacts}
    keep = []
    for contact_in, values in zip(data.contacts, fields_["contacts"]):
        contact = existing.get(contact_in.id) if contact_in.id is not None else None
        if contact is None:
            contact = Contact(**values)
            client.contacts.append(contact)
            changed = True
        else:
            for key, value in values.items():
                if getattr(contact, key) != value:
                    setattr(contact, key, value)
                    changed = True
        keep.append(contact)
    for contact in list(client.contacts):
        if contact not in keep:
            client.contacts.remove(contact)
            changed = True
    return changed


def _who(session: Session, user_id: int | None) -> str:
    if user_id:
        user = session.get(StaffUser, user_id)
        if user is not None:
            return user.username
    return "unknown"


def create_client(session: Session, data: ClientInput, user_id: int | None = None,
                  now: datetime | None = None) -> int:
    """Create a client with its contacts after ``validate_client``; returns its id."""
    now = now or utcnow()
    first_error(validate_client(session, data))
    client = Client(created_at=now)
    _apply(client, data)
    session.add(client)
    session.flush()
    record_change(session, "client", client.id)
    audit.info("client %s created by %s at %s", client.id, _who(session, user_id),
               now.isoformat())
    return client.id


def update_client(session: Session, client_id: int, version: int, data: ClientInput,
                  user_id: int | None = None, now: datetime | None = None) -> int:
    """Save the editor's changes to a client read at ``version``; returns the new version.

    A client changed by someone else since it was read is refused (DESIGN §3) with both
    versions in the ``StaleDataError``, and nothing is written.
    """
    now = now or utcnow()
    client = session.get(Client, client_id)
    if client is None:
        raise UserError("this client no longer exists; it may have been deleted by someone else")
    if client.version != version:
        raise StaleDataError.changed("client", client_id, mine=_input_fields(data),
                                     theirs=_client_fields(client),
                                     theirs_version=client.version)
    first_error(validate_client(session, data, client_id))
    if _apply(client, data):
        if not session.is_modified(client, include_collections=False):
            # a contacts-only edit still moves the client's version, so that a second editor
            # of the same client (contacts are edited through the client's form) notices
            flag_modified(client, "name")
        with refuse_stale("client", client_id, mine=_input_fields(data)):
            session.flush()
    record_change(session, "client", client_id)
    audit.info("client %s edited by %s at %s", client_id, _who(session, user_id),
               now.isoformat())
    return client.version


def archive_client(session: Session, client_id: int, archived: bool = True,
                   user_id: int | None = None, now: datetime | None = None) -> None:
    """Archive (or restore) a client: it leaves the client list and pickers but keeps its
    history, contracts and tickets. Nothing is deleted."""
    now = now or utcnow()
    client = session.get(Client, client_id)
    if client is None:
        raise UserError("this client no longer exists; it may have been deleted by someone else")
    if client.archived == archived:
        return
    with refuse_stale("client", client_id):
        client.archived = archived
        session.flush()
    record_change(session, "client", client_id)
    audit.info("client %s %s by %s at %s", client_id, "archived" if archived else "restored",
               _who(session, user_id), now.isoformat())


def client_names(session: Session, include_archived: bool = False) -> list[tuple[int, str]]:
    """(id, name) of clients for pickers, by name."""
    query = select(Client.id, Client.name)
    if not include_archived:
        query = query.where(Client.archived.is_(False))
    return [(r.id, r.name) for r in session.execute(query.order_by(func.lower(Client.name)))]


__all__ = [
    "FieldError", "ContactInput", "ClientInput", "ClientRow", "ClientDetail", "ContactInfo",
    "ContractSummary", "OpenTicket", "MaintenanceDue", "SentReportInfo", "list_clients",
    "client_detail", "validate_client", "client_field_errors", "create_client", "update_client", "archive_client",
    "client_names", "contract_state", "input_from_fields", "email_error", "phone_error", "first_error",
    "content_minutes",
]
