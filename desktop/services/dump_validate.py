"""Reading a portable dump into checked plain data (DESIGN §7), before anything is written.

Every problem is collected with its place and value (``tickets[3].priority: 'urgent' is not one
of critical, high, medium, low``); when there is any, ``DumpError`` names the first few. The
result, ``ParsedDump``, holds plain dataclasses whose references are resolved to positions
(a ticket's client is an index into ``clients``), ready for the bulk loader.

Derived on the way (DESIGN §7): a ticket's status (its last status event, ``new`` if none), its
current priority (``priority`` changed by priority events), its contract (the client's contract
in force on the agency's date of ``created_at``; the latest-starting one when two overlap); a
maintenance item's contract (the one whose period contains ``due``, else the nearest), its
cadence and name (from the tier's template) and its period key (``YYYY-MM``, ``YYYY-Qn``, ``Yn``
counted from the contract start, or ``end`` for tasks placed before the contract's end).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from desktop.models import (Client, Contact, Contract, Holiday, MaintenanceTemplate, Occurrence,
                            ReportNote, SentReport, StaffUser, Ticket, Tier)
from desktop.models.enums import (Cadence, Category, Channel, Clock, EventType, Outcome,
                                  Priority, Status, TierCode)

from .dump import FORMAT, VERSION, DumpError

UTC = timezone.utc
MAX_PROBLEMS = 200
NO_CONTRACT = "none"

TIERS = tuple(TierCode)
PRIORITIES = tuple(Priority)
STATUSES = tuple(Status)
CATEGORIES = tuple(Category)
CHANNELS = tuple(Channel)
OUTCOMES = tuple(Outcome)
EVENT_TYPES = tuple(EventType)
CADENCES = tuple(Cadence)
CLOCKS = tuple(Clock)
REPORT_KINDS = ("monthly", "quarterly")
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
QUARTER = re.compile(r"^\d{4}-Q[1-4]$")
PERIOD_KEY = re.compile(r"^(\d{4}-(0[1-9]|1[0-2])|\d{4}-Q[1-4]|Y[1-9]\d*|end)$")
HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
MISSING = object()


# --- the checked data ------------------------------------------------------------------------
@dataclass(slots=True)
class StaffIn:
    username: str
    display_name: str | None  # None: keep the database's / default to the username
    email: str | None
    active: bool | None


@dataclass(slots=True)
class TierIn:
    code: str
    name: str
    monthly_fee: Decimal
    currency: str
    channels: str
    content_minutes_per_month: int
    sort_order: int


@dataclass(slots=True)
class PolicyIn:
    tier: str
    priority: str
    clock: str
    response_minutes: int
    resolution_minutes: int


@dataclass(slots=True)
class TemplateIn:
    tier: str
    task: str
    name: str
    cadence: str
    days_before_end: int | None
    active: bool
    sort_order: int


@dataclass(slots=True)
class HolidayIn:
    day: date
    name: str
    active: bool


@dataclass(slots=True)
class ContactIn:
    name: str
    email: str
    phone: str
    role: str
    receives_reports: bool


@dataclass(slots=True)
class ContractIn:
    tier: str
    start: date
    end: date
    monthly_fee: Decimal
    currency: str
    content_minutes_allowance: int
    handover_date: date | None
    renewed_from: int | None  # index into the client's contracts
    notes: str


@dataclass(slots=True)
class ClientIn:
    name: str
    email: str
    phone: str
    website: str
    notes: str
    archived: bool
    contacts: list[ContactIn]
    contracts: list[ContractIn]


@dataclass(slots=True)
class EventIn:
    at: datetime
    type: str
    author: str | None
    status: str | None
    priority: str | None
    public: bool
    body: str
    data: Any


@dataclass(slots=True)
class TimeEntryIn:
    work_date: date
    minutes: int
    category: str
    note: str
    author: str | None


@dataclass(slots=True)
class TicketIn:
    number: int
    client: int  # index into clients
    title: str
    description: str
    priority: str  # at creation
    category: str
    channel: str
    created_at: datetime
    assignee: str | None
    scope_override: bool | None
    override_reason: str
    events: list[EventIn]
    time_entries: list[TimeEntryIn]
    # derived
    status: str = "new"
    current_priority: str = ""
    contract: int | None = None  # index into the client's contracts
    closed_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(slots=True)
class OccurrenceIn:
    client: int
    contract: int | None
    task: str
    name: str
    cadence: str
    period_key: str
    due: date
    done_at: datetime | None
    done_by: str | None
    outcome: str | None
    notes: str
    figures: Any
    rescheduled: bool


@dataclass(slots=True)
class FollowUpIn:
    ticket: int  # index into tickets
    due_at: datetime
    done_at: datetime | None
    rating: int | None
    comment: str
    done_by: str | None


@dataclass(slots=True)
class ReportNoteIn:
    client: int
    kind: str
    period: str
    body: str


@dataclass(slots=True)
class SentReportIn:
    client: int
    kind: str
    period: str
    sent_at: datetime
    recipients: str
    file_name: str
    sent_by: str | None


@dataclass
class ParsedDump:
    settings: dict[str, Any] | None = None
    staff: list[StaffIn] = field(default_factory=list)
    tiers: list[TierIn] | None = None
    sla_policies: list[PolicyIn] | None = None
    templates: list[TemplateIn] | None = None
    holidays: list[HolidayIn] | None = None
    clients: list[ClientIn] = field(default_factory=list)
    tickets: list[TicketIn] = field(default_factory=list)
    maintenance: list[OccurrenceIn] = field(default_factory=list)
    follow_ups: list[FollowUpIn] | None = None
    report_notes: list[ReportNoteIn] = field(default_factory=list)
    sent_reports: list[SentReportIn] = field(default_factory=list)
    usernames: set[str] = field(default_factory=set)  # every staff name referred to


@dataclass
class ValidationContext:
    """What validation needs from the database (used when the dump does not bring its own)."""

    tiers: dict[str, tuple[Decimal, str, int]]  # code -> (monthly fee, currency, content minutes)
    templates: dict[tuple[str, str], tuple[str, str, int | None]]  # (tier, task) -> template
    time_zone: str = "Asia/Kolkata"


# --- showing values in messages --------------------------------------------------------------
def show(value: Any) -> str:
    """A value as the user wrote it, quoted like the DESIGN's example, cut when long."""
    if isinstance(value, str):
        text = value if len(value) <= 60 else value[:57] + "…"
        # one printable line: no newline, NUL shown as \x00, a lone surrogate as \ud800
        text = text.replace("\n", " ").replace("\x00", "\\x00")
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
        return "'" + text + "'"
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def one_of(choices) -> str:  # noqa: ANN001
    return "is not one of " + ", ".join(str(c) for c in choices)


def _max_len(column) -> int | None:  # noqa: ANN001
    return getattr(column.type, "length", None)


# Column lengths, read from the model so that PostgreSQL never refuses a value mid-import.
LEN = {
    "username": _max_len(StaffUser.__table__.c.username),
    "display_name": _max_len(StaffUser.__table__.c.display_name),
    "staff_email": _max_len(StaffUser.__table__.c.email),
    "client_name": _max_len(Client.__table__.c.name),
    "client_email": _max_len(Client.__table__.c.email),
    "client_phone": _max_len(Client.__table__.c.phone),
    "website": _max_len(Client.__table__.c.website),
    "contact_name": _max_len(Contact.__table__.c.name),
    "contact_email": _max_len(Contact.__table__.c.email),
    "contact_phone": _max_len(Contact.__table__.c.phone),
    "role": _max_len(Contact.__table__.c.role),
    "currency": _max_len(Contract.__table__.c.currency),
    "title": _max_len(Ticket.__table__.c.title),
    "tier_name": _max_len(Tier.__table__.c.name),
    "holiday_name": _max_len(Holiday.__table__.c.name),
    "task": _max_len(MaintenanceTemplate.__table__.c.task),
    "template_name": _max_len(MaintenanceTemplate.__table__.c.name),
    "occurrence_name": _max_len(Occurrence.__table__.c.name),
    "file_name": _max_len(SentReport.__table__.c.file_name),
    "setting_key": 100,
    "note_kind": _max_len(ReportNote.__table__.c.kind),
}


# --- the reader ------------------------------------------------------------------------------
class Reader:
    """Field readers that record a problem and return a stand-in instead of raising, so that
    one pass finds every problem."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.total = 0

    def problem(self, place: str, message: str) -> None:
        self.total += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(f"{place}: {message}")

    # containers
    def obj(self, value: Any, place: str) -> dict | None:
        if isinstance(value, dict):
            return value
        self.problem(place, f"{show(value)} is not an object ({{...}})")
        return None

    def items(self, doc: dict, key: str, place: str, *, required: bool = False) -> list | None:
        """The list at ``doc[key]``; None when absent (and not required) or not a list."""
        value = doc.get(key, MISSING)
        if value is MISSING or (value is None and not required):
            if required:
                self.problem(_at(place, key), "is required but missing")
            return None
        if not isinstance(value, list):
            self.problem(_at(place, key), f"{show(value)} is not a list ([...])")
            return None
        return value

    # scalars
    def text(self, doc: dict, key: str, place: str, *, required: bool = True,
             default: str = "", max_len: int | None = None, nonempty: bool = False) -> str:
        value = doc.get(key, MISSING)
        if value is MISSING or value is None:
            if required:
                self.problem(_at(place, key), "is required but missing")
            return default
        if not isinstance(value, str):
            self.problem(_at(place, key), f"{show(value)} is not text")
            return default
        if nonempty and not value.strip():
            self.problem(_at(place, key), "is empty")
        elif max_len is not None and len(value) > max_len:
            self.problem(_at(place, key), f"{show(value)} is longer than {max_len} characters")
        elif not storable(value):
            self.problem(_at(place, key), f"{show(value)} {unstorable(value)}")
            return default
        return value

    def optional_text(self, doc: dict, key: str, place: str, *,
                      max_len: int | None = None) -> str | None:
        """A name that may be absent: null, missing and blank all mean none."""
        value = doc.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return self.text(doc, key, place, max_len=max_len, nonempty=True) or None

    def choice(self, doc: dict, key: str, place: str, choices: tuple, *,
               required: bool = True, default: str | None = None) -> str | None:
        value = doc.get(key, MISSING)
        if value is MISSING or value is None:
            if required:
                self.problem(_at(place, key), "is required but missing")
            return default
        if value not in choices:
            self.problem(_at(place, key), f"{show(value)} {one_of(choices)}")
            return default
        return value

    def integer(self, doc: dict, key: str, place: str, *, required: bool = True,
                default: int | None = 0, minimum: int | None = None,
                maximum: int | None = None) -> int | None:
        value = doc.get(key, MISSING)
        if value is MISSING or value is None:
            if required:
                self.problem(_at(place, key), "is required but missing")
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            else:
                self.problem(_at(place, key), f"{show(value)} is not a whole number")
                return default
        if minimum is not None and value < minimum:
            if minimum == 0:
                self.problem(_at(place, key), f"{show(value)} is negative")
            else:
                self.problem(_at(place, key), f"{show(value)} is less than {minimum}")
            return default
        if maximum is None:
            maximum = MAX_INT  # what a database integer column holds
        if value > maximum:
            self.problem(_at(place, key), f"{show(value)} is more than {maximum}")
            return default
        return value

    def boolean(self, doc: dict, key: str, place: str, *, default: bool | None = False,
                required: bool = False) -> bool | None:
        value = doc.get(key, MISSING)
        if value is MISSING or value is None:
            if required:
                self.problem(_at(place, key), "is required but missing")
            return default
        if not isinstance(value, bool):
            self.problem(_at(place, key), f"{show(value)} is not true or false")
            return default
        return value

    def day(self, doc: dict, key: str, place: str, *, required: bool = True) -> date | None:
        value = doc.get(key, MISSING)
        if value is MISSING or value is None:
            if required:
                self.problem(_at(place, key), "is required but missing")
            return None
        if isinstance(value, str) and len(value) == 10:
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.problem(_at(place, key), f"{show(value)} is not a date (YYYY-MM-DD)")
        return None

    def instant(self, doc: dict, key: str, place: str, *,
                required: bool = True) -> datetime | None:
        value = doc.get(key, MISSING)
        if value is MISSING or value is None:
            if required:
                self.problem(_at(place, key), "is required but missing")
            return None
        if isinstance(value, str) and len(value) >= 16 and value[10:11] in ("T", " "):
            try:
                parsed = datetime.fromisoformat(value)
            except ValueError:
                parsed = None
            if parsed is not None:
                if parsed.tzinfo is None:
                    self.problem(_at(place, key), f"{show(value)} has no UTC offset "
                                 "(write it like 2026-03-02T10:15:00+05:30)")
                    return None
                try:
                    # In UTC from here on: instants of one zone compare without look-ups.
                    return parsed.astimezone(UTC)
                except OverflowError:
                    self.problem(_at(place, key), f"{show(value)} is out of range")
                    return None
        self.problem(_at(place, key), f"{show(value)} is not an instant "
                     "(ISO 8601 with an offset, like 2026-03-02T10:15:00+05:30)")
        return None

    def money(self, doc: dict, key: str, place: str, *, required: bool = True,
              default: Decimal | None = None) -> Decimal | None:
        value = doc.get(key, MISSING)
        if value is MISSING or value is None:
            if required:
                self.problem(_at(place, key), "is required but missing")
            return default
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            self.problem(_at(place, key), f"{show(value)} is not an amount "
                         "(a decimal string like \"15000.00\")")
            return default
        try:
            amount = Decimal(str(value).strip())
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite():
            self.problem(_at(place, key), f"{show(value)} is not an amount "
                         "(a decimal string like \"15000.00\")")
            return default
        if amount < 0:
            self.problem(_at(place, key), f"{show(value)} is negative")
            return default
        if amount != amount.quantize(Decimal("0.01")):
            self.problem(_at(place, key), f"{show(value)} has more than two decimal places")
            return default
        if amount >= Decimal("1e12"):
            self.problem(_at(place, key), f"{show(value)} is too large")
            return default
        return amount.quantize(Decimal("0.01"))

    def json_value(self, doc: dict, key: str, place: str, *, kind: type = dict) -> Any:
        value = doc.get(key)
        if value is None:
            return None
        if not isinstance(value, kind):
            self.problem(_at(place, key), f"{show(value)} is not an object ({{...}})")
            return None
        if not json_storable(value):
            self.problem(_at(place, key), JSON_UNSTORABLE)
            return None
        return value


MAX_INT = 2_000_000_000


def storable(text: str) -> bool:
    """Text a database can keep: no NUL character (PostgreSQL refuses it) and valid Unicode
    (no lone surrogate, which JSON's \\ud800 escapes can smuggle in)."""
    if text.isascii():
        return "\x00" not in text
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def unstorable(text: str) -> str:
    return "contains a NUL character" if "\x00" in text else "is not valid Unicode text"


JSON_UNSTORABLE = "holds NaN, Infinity or text that is not valid Unicode"


def json_storable(value: Any) -> bool:
    try:
        json.dumps(value, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except (UnicodeEncodeError, ValueError):
        return False
    return True


def _at(place: str, key: str) -> str:
    return f"{place}.{key}" if place else key


# --- header ----------------------------------------------------------------------------------
def check_header(document: Any, source: str | None = None) -> None:
    """The document is an object with ``"format": "aftercare"`` and a version this program
    reads; anything else is refused before the database is even looked at."""
    if not isinstance(document, dict):
        raise DumpError([f"the dump is {show(document)}, not a JSON object with "
                         f"\"format\": \"{FORMAT}\""], source=source)
    fmt = document.get("format", MISSING)
    if fmt is MISSING:
        raise DumpError([f"format: is missing (an Aftercare dump starts with "
                         f"\"format\": \"{FORMAT}\")"], source=source)
    if fmt != FORMAT:
        raise DumpError([f"format: {show(fmt)} is not '{FORMAT}'"], source=source)
    version = document.get("version", MISSING)
    if version is MISSING:
        raise DumpError(["version: is required but missing"], source=source)
    if version != VERSION or isinstance(version, bool):
        raise DumpError([f"version: {show(version)} is not supported (this program reads "
                         f"version {VERSION})"], source=source)


# --- the whole document ----------------------------------------------------------------------
def validate(document: dict, context: ValidationContext, source: str | None = None) -> ParsedDump:
    """Check every part of ``document``; return the plain data or raise ``DumpError``."""
    r = Reader()
    out = ParsedDump()
    # Parts this program does not know are left alone: DESIGN §7 says what a dump has "at
    # least", and other tools may add their own.
    out.settings = _settings(r, document)
    time_zone = context.time_zone
    if out.settings and isinstance(out.settings.get("time_zone"), str):
        time_zone = out.settings["time_zone"]
    out.staff = _staff(r, document, out)
    out.tiers = _tiers(r, document)
    tiers = dict(context.tiers)
    for tier in out.tiers or ():
        tiers[tier.code] = (tier.monthly_fee, tier.currency, tier.content_minutes_per_month)
    out.sla_policies = _policies(r, document)
    out.templates = _templates(r, document)
    templates = context.templates if out.templates is None else {
        (t.tier, t.task): (t.name, t.cadence, t.days_before_end) for t in out.templates}
    out.holidays = _holidays(r, document)
    out.clients, client_index = _clients(r, document, tiers)
    out.tickets, ticket_index = _tickets(r, document, out, client_index, time_zone)
    out.maintenance = _maintenance(r, document, out, client_index, templates)
    out.follow_ups = _follow_ups(r, document, out, ticket_index)
    out.report_notes = _report_notes(r, document, client_index)
    out.sent_reports = _sent_reports(r, document, out, client_index)
    if r.total:
        raise DumpError(r.problems, r.total, source=source)
    return out


def _settings(r: Reader, document: dict) -> dict | None:
    value = document.get("settings")
    if value is None:
        return None
    settings = r.obj(value, "settings")
    if settings is None:
        return None
    for key, item in settings.items():
        place = f"settings.{key}"
        if len(key) > LEN["setting_key"]:
            r.problem(place, f"the name is longer than {LEN['setting_key']} characters")
        elif not storable(key):
            r.problem(place, f"the name {unstorable(key)}")
        elif not json_storable(item):
            r.problem(place, JSON_UNSTORABLE)
        if key == "time_zone":
            try:
                ZoneInfo(item) if isinstance(item, str) and item else None
                if not isinstance(item, str) or not item:
                    raise ValueError
            except (ValueError, KeyError, OSError):
                r.problem(place, f"{show(item)} is not a time zone (like Asia/Kolkata)")
        elif key in ("business_start", "business_end"):
            if not isinstance(item, str) or not HHMM.match(item):
                r.problem(place, f"{show(item)} is not a time of day (HH:MM)")
        elif key == "business_days":
            if (not isinstance(item, list) or not item
                    or any(isinstance(d, bool) or not isinstance(d, int) or not 0 <= d <= 6
                           for d in item)):
                r.problem(place, f"{show(item)} is not a list of weekdays (0 = Monday … 6)")
        elif key == "at_risk_percent":
            if isinstance(item, bool) or not isinstance(item, int) or not 1 <= item <= 100:
                r.problem(place, f"{show(item)} is not a whole percentage from 1 to 100")
        elif key == "follow_up_business_days":
            if isinstance(item, bool) or not isinstance(item, int) or not 0 <= item <= 60:
                r.problem(place, f"{show(item)} is not a number of business days")
    start, end = settings.get("business_start"), settings.get("business_end")
    if (isinstance(start, str) and isinstance(end, str) and HHMM.match(start)
            and HHMM.match(end) and time.fromisoformat(end) <= time.fromisoformat(start)):
        r.problem("settings.business_end", f"{show(end)} is not after business_start "
                  f"{show(start)}")
    return settings


def _staff(r: Reader, document: dict, out: ParsedDump) -> list[StaffIn]:
    rows = r.items(document, "staff", "") or []
    staff, seen = [], {}
    for i, value in enumerate(rows):
        place = f"staff[{i}]"
        doc = r.obj(value, place)
        if doc is None:
            continue
        username = r.text(doc, "username", place, max_len=LEN["username"], nonempty=True)
        if username in seen:
            r.problem(f"{place}.username", f"{show(username)} is listed twice "
                      f"(also staff[{seen[username]}])")
            continue
        seen[username] = i
        display = doc.get("display_name")
        staff.append(StaffIn(
            username,
            r.text(doc, "display_name", place, max_len=LEN["display_name"])
            if display is not None else None,
            r.text(doc, "email", place, max_len=LEN["staff_email"])
            if doc.get("email") is not None else None,
            r.boolean(doc, "active", place, default=None)))
        out.usernames.add(username)
    return staff


def _tiers(r: Reader, document: dict) -> list[TierIn] | None:
    rows = r.items(document, "tiers", "")
    if rows is None:
        return None
    tiers, seen = [], set()
    for i, value in enumerate(rows):
        place = f"tiers[{i}]"
        doc = r.obj(value, place)
        if doc is None:
            continue
        code = r.choice(doc, "code", place, TIERS)
        if code in seen:
            r.problem(f"{place}.code", f"{show(code)} is listed twice")
        seen.add(code)
        tier = TierIn(
            code or "", r.text(doc, "name", place, max_len=LEN["tier_name"], nonempty=True),
            r.money(doc, "monthly_fee", place) or Decimal("0.00"),
            r.text(doc, "currency", place, required=False, default="INR",
                   max_len=LEN["currency"], nonempty=True),
            r.text(doc, "channels", place, required=False),
            r.integer(doc, "content_minutes_per_month", place, required=False, minimum=0),
            r.integer(doc, "sort_order", place, required=False, default=i))
        tiers.append(tier)
    return tiers


def _policies(r: Reader, document: dict) -> list[PolicyIn] | None:
    rows = r.items(document, "sla_policies", "")
    if rows is None:
        return None
    policies, seen = [], {}
    for i, value in enumerate(rows):
        place = f"sla_policies[{i}]"
        doc = r.obj(value, place)
        if doc is None:
            continue
        tier = r.choice(doc, "tier", place, TIERS + (NO_CONTRACT,))
        priority = r.choice(doc, "priority", place, PRIORITIES)
        key = (tier, priority)
        if tier and priority and key in seen:
            r.problem(place, f"a second policy for {tier} × {priority} "
                      f"(also sla_policies[{seen[key]}])")
        seen[key] = i
        policies.append(PolicyIn(
            tier or "", priority or "", r.choice(doc, "clock", place, CLOCKS) or "business",
            r.integer(doc, "response_minutes", place, minimum=1) or 1,
            r.integer(doc, "resolution_minutes", place, minimum=1) or 1))
    return policies


def _templates(r: Reader, document: dict) -> list[TemplateIn] | None:
    rows = r.items(document, "templates", "")
    if rows is None:
        return None
    templates, seen = [], {}
    for i, value in enumerate(rows):
        place = f"templates[{i}]"
        doc = r.obj(value, place)
        if doc is None:
            continue
        tier = r.choice(doc, "tier", place, TIERS)
        task = r.text(doc, "task", place, max_len=LEN["task"], nonempty=True)
        if tier and task and (tier, task) in seen:
            r.problem(place, f"a second template {show(task)} for {tier} "
                      f"(also templates[{seen[(tier, task)]}])")
        seen[(tier, task)] = i
        templates.append(TemplateIn(
            tier or "", task, r.text(doc, "name", place, max_len=LEN["template_name"],
                                     nonempty=True),
            r.choice(doc, "cadence", place, CADENCES) or "monthly",
            r.integer(doc, "days_before_end", place, required=False, default=None, minimum=0),
            bool(r.boolean(doc, "active", place, default=True)),
            r.integer(doc, "sort_order", place, required=False, default=i)))
    return templates


def _holidays(r: Reader, document: dict) -> list[HolidayIn] | None:
    rows = r.items(document, "holidays", "")
    if rows is None:
        return None
    holidays, seen = [], {}
    for i, value in enumerate(rows):
        place = f"holidays[{i}]"
        doc = r.obj(value, place)
        if doc is None:
            continue
        day = r.day(doc, "date", place)
        if day is not None and day in seen:
            r.problem(f"{place}.date", f"{show(doc['date'])} is listed twice "
                      f"(also holidays[{seen[day]}])")
            continue
        if day is not None:
            seen[day] = i
        holidays.append(HolidayIn(
            day or date.min, r.text(doc, "name", place, max_len=LEN["holiday_name"]),
            bool(r.boolean(doc, "active", place, default=True))))
    return holidays


def _clients(r: Reader, document: dict, tiers: dict) -> tuple[list[ClientIn], dict[str, int]]:
    rows = r.items(document, "clients", "") or []
    clients, index = [], {}
    for i, value in enumerate(rows):
        place = f"clients[{i}]"
        doc = r.obj(value, place)
        if doc is None:
            continue
        name = r.text(doc, "name", place, max_len=LEN["client_name"], nonempty=True)
        if name in index:
            r.problem(f"{place}.name", f"{show(name)} is listed twice "
                      f"(also clients[{index[name]}])")
        elif name:
            index[name] = len(clients)
        client = ClientIn(
            name, r.text(doc, "email", place, required=False, max_len=LEN["client_email"]),
            r.text(doc, "phone", place, required=False, max_len=LEN["client_phone"]),
            r.text(doc, "website", place, required=False, max_len=LEN["website"]),
            r.text(doc, "notes", place, required=False),
            bool(r.boolean(doc, "archived", place)), [], [])
        for j, contact_value in enumerate(r.items(doc, "contacts", place) or []):
            cplace = f"{place}.contacts[{j}]"
            contact = r.obj(contact_value, cplace)
            if contact is None:
                continue
            client.contacts.append(ContactIn(
                r.text(contact, "name", cplace, max_len=LEN["contact_name"], nonempty=True),
                r.text(contact, "email", cplace, required=False, max_len=LEN["contact_email"]),
                r.text(contact, "phone", cplace, required=False, max_len=LEN["contact_phone"]),
                r.text(contact, "role", cplace, required=False, max_len=LEN["role"]),
                bool(r.boolean(contact, "receives_reports", cplace, default=True))))
        contract_rows = r.items(doc, "contracts", place) or []
        for j, contract_value in enumerate(contract_rows):
            cplace = f"{place}.contracts[{j}]"
            contract = r.obj(contract_value, cplace)
            if contract is None:
                continue
            tier = r.choice(contract, "tier", cplace, TIERS)
            start = r.day(contract, "start", cplace)
            end = r.day(contract, "end", cplace)
            if start and end and end < start:
                r.problem(f"{cplace}.end", f"{show(contract['end'])} is before the contract's "
                          f"start {show(contract['start'])}")
            fee, currency, minutes = tiers.get(tier, (Decimal("0.00"), "INR", 0))
            handover = contract.get("handover_date", MISSING)
            if handover is MISSING:
                handover_date = start if tier == TierCode.WARRANTY else None
            else:
                handover_date = r.day(contract, "handover_date", cplace, required=False)
            renewed_from = r.integer(contract, "renewed_from", cplace, required=False,
                                     default=None, minimum=0)
            if renewed_from is not None and (renewed_from >= len(contract_rows)
                                             or renewed_from == j):
                r.problem(f"{cplace}.renewed_from", f"{renewed_from} is not the position of "
                          "another contract of this client (0 = the first)")
                renewed_from = None
            client.contracts.append(ContractIn(
                tier or "", start or date.min, end or date.max,
                r.money(contract, "monthly_fee", cplace, required=False, default=fee),
                r.text(contract, "currency", cplace, required=False, default=currency,
                       max_len=LEN["currency"], nonempty=True),
                r.integer(contract, "content_minutes_allowance", cplace, required=False,
                          default=minutes, minimum=0),
                handover_date, renewed_from, r.text(contract, "notes", cplace, required=False)))
        clients.append(client)
    return clients, index


def _tickets(r: Reader, document: dict, out: ParsedDump, client_index: dict[str, int],
             time_zone: str) -> tuple[list[TicketIn], dict[int, int]]:
    rows = r.items(document, "tickets", "") or []
    tickets: list[TicketIn] = []
    numbers: dict[int, int] = {}
    try:
        zone = ZoneInfo(time_zone)
    except (ValueError, KeyError, OSError):
        zone = ZoneInfo("Asia/Kolkata")
    users = out.usernames
    for i, value in enumerate(rows):
        place = f"tickets[{i}]"
        doc = r.obj(value, place)
        if doc is None:
            continue
        number = r.integer(doc, "number", place, minimum=1, maximum=2_000_000_000)
        if number in numbers:
            r.problem(f"{place}.number", f"{number} is used by tickets[{numbers[number]}] too")
        elif number:
            numbers[number] = len(tickets)
        client = _client_ref(r, doc, place, client_index)
        client = client if client >= 0 else None
        created_at = r.instant(doc, "created_at", place)
        priority = r.choice(doc, "priority", place, PRIORITIES)
        assignee = r.optional_text(doc, "assignee", place, max_len=LEN["username"])
        if assignee:
            users.add(assignee)
        override = doc.get("scope_override")
        if override is not None and not isinstance(override, bool):
            r.problem(f"{place}.scope_override", f"{show(override)} is not true, false or null")
            override = None
        ticket = TicketIn(
            number or 0, client if client is not None else -1,
            r.text(doc, "title", place, max_len=LEN["title"], nonempty=True),
            r.text(doc, "description", place, required=False),
            priority or "medium",
            r.choice(doc, "category", place, CATEGORIES) or "",
            r.choice(doc, "channel", place, CHANNELS) or "",
            created_at or datetime.min.replace(tzinfo=UTC), assignee, override,
            r.text(doc, "override_reason", place, required=False), [], [])
        events = ticket.events
        for j, event_value in enumerate(r.items(doc, "events", place) or []):
            eplace = f"{place}.events[{j}]"
            event = r.obj(event_value, eplace)
            if event is None:
                continue
            at = r.instant(event, "at", eplace)
            if at is not None and created_at is not None and at < created_at:
                r.problem(f"{eplace}.at", f"{show(event['at'])} is before the ticket's "
                          f"created_at {show(doc['created_at'])}")
            kind = r.choice(event, "type", eplace, EVENT_TYPES)
            status = new_priority = None
            if kind == EventType.STATUS:
                status = r.choice(event, "status", eplace, STATUSES)
            elif kind == EventType.PRIORITY:
                new_priority = r.choice(event, "priority", eplace, PRIORITIES)
            else:
                status = r.choice(event, "status", eplace, STATUSES, required=False)
                new_priority = r.choice(event, "priority", eplace, PRIORITIES, required=False)
            author = r.optional_text(event, "author", eplace, max_len=LEN["username"])
            if author:
                users.add(author)
            events.append(EventIn(
                at or ticket.created_at, kind or "note", author, status, new_priority,
                bool(r.boolean(event, "public", eplace, default=kind == EventType.REPLY)),
                r.text(event, "body", eplace, required=False),
                r.json_value(event, "data", eplace)))
        for j, entry_value in enumerate(r.items(doc, "time_entries", place) or []):
            tplace = f"{place}.time_entries[{j}]"
            entry = r.obj(entry_value, tplace)
            if entry is None:
                continue
            author = r.optional_text(entry, "author", tplace, max_len=LEN["username"])
            if author:
                users.add(author)
            ticket.time_entries.append(TimeEntryIn(
                r.day(entry, "date", tplace) or date.min,
                r.integer(entry, "minutes", tplace, minimum=0, maximum=100_000) or 0,
                r.choice(entry, "category", tplace, CATEGORIES,
                         default=ticket.category or "bug_fix") or ticket.category,
                r.text(entry, "note", tplace, required=False), author))
        _derive_ticket(ticket, out.clients[client].contracts if client is not None else [], zone)
        tickets.append(ticket)
    return tickets, numbers


def _derive_ticket(ticket: TicketIn, contracts: list[ContractIn], zone: ZoneInfo) -> None:
    """Status, current priority, closed/updated instants and contract (DESIGN §7)."""
    # Events in time order; the dump's order breaks ties (a stable sort).
    ticket.events.sort(key=lambda e: e.at)
    status, priority, closed_at = "new", ticket.priority, None
    updated_at = ticket.created_at
    for event in ticket.events:
        if event.type == EventType.STATUS and event.status:
            status = event.status
            closed_at = event.at if status == Status.CLOSED else None
        elif event.type == EventType.PRIORITY and event.priority:
            # The audit trail keeps where a priority change came from (DESIGN §2).
            data = dict(event.data) if isinstance(event.data, dict) else {}
            data["from"] = priority
            event.data = data
            priority = event.priority
        if event.at > updated_at:
            updated_at = event.at
    ticket.status, ticket.current_priority = status, priority
    ticket.closed_at, ticket.updated_at = closed_at, updated_at
    if ticket.created_at.year > 1:
        ticket.contract = contract_in_force(contracts, ticket.created_at.astimezone(zone).date())


def contract_in_force(contracts: list[ContractIn], day: date) -> int | None:
    """The position of the contract in force on ``day`` (the latest-starting one when periods
    overlap, as a renewal signed early does), or None."""
    best = None
    for k, contract in enumerate(contracts):
        if contract.start <= day <= contract.end:
            if best is None or contract.start >= contracts[best].start:
                best = k
    return best


def nearest_contract(contracts: list[ContractIn], day: date) -> int | None:
    """The contract whose period contains ``day``, else the one whose period is nearest."""
    found = contract_in_force(contracts, day)
    if found is not None or not contracts:
        return found

    def distance(k: int) -> tuple[int, int]:
        c = contracts[k]
        gap = (c.start - day).days if day < c.start else (day - c.end).days
        return gap, -c.start.toordinal()

    return min(range(len(contracts)), key=distance)


def period_key(cadence: str, days_before_end: int | None, due: date,
               contract: ContractIn | None) -> str | None:
    """The period an occurrence covers (interfaces: ``YYYY-MM``, ``YYYY-Qn``, ``Yn`` counted
    from the contract's start, ``end``); None for an annual task without a contract."""
    from .maintenance import period_key_for

    if contract is None:
        if cadence == Cadence.ANNUAL and days_before_end is None:
            return None
        return period_key_for(cadence, days_before_end, due, due)
    return period_key_for(cadence, days_before_end, contract.start, due)


def _maintenance(r: Reader, document: dict, out: ParsedDump, client_index: dict[str, int],
                 templates: dict) -> list[OccurrenceIn]:
    rows = r.items(document, "maintenance", "") or []
    by_task: dict[str, tuple[str, str, int | None]] = {}
    for (tier, task), template in sorted(templates.items()):
        by_task.setdefault(task, template)
    items: list[OccurrenceIn] = []
    seen: dict[tuple, int] = {}
    for i, value in enumerate(rows):
        place = f"maintenance[{i}]"
        doc = r.obj(value, place)
        if doc is None:
            continue
        client_name = doc.get("client")
        client = _client_ref(r, doc, place, client_index)
        client = client if client >= 0 else None
        task = r.text(doc, "task", place, max_len=LEN["task"], nonempty=True)
        due = r.day(doc, "due", place)
        done_at = r.instant(doc, "done_at", place, required=False)
        outcome = r.choice(doc, "outcome", place, OUTCOMES, required=False)
        done_by = r.optional_text(doc, "done_by", place, max_len=LEN["username"])
        if done_by:
            out.usernames.add(done_by)
        contracts = out.clients[client].contracts if client is not None else []
        contract = None
        if "contract_index" in doc:  # as exported; null: an occurrence without a contract
            contract = r.integer(doc, "contract_index", place, required=False, default=None,
                                 minimum=0)
            if contract is not None and client is not None and contract >= len(contracts):
                r.problem(f"{place}.contract_index", f"{contract} is not the position of one "
                          f"of {show(client_name)}'s contracts")
                contract = None
        elif due is not None:
            contract = nearest_contract(contracts, due)
        tier = contracts[contract].tier if contract is not None else None
        template = templates.get((tier, task)) or by_task.get(task)
        if task and template is None:
            r.problem(f"{place}.task", f"{show(task)} is not a maintenance task "
                      "(none of the templates has it)")
        name_given = r.text(doc, "name", place, required=False,
                            max_len=LEN["occurrence_name"]) if "name" in doc else ""
        name, cadence, days_before_end = template or (task, "monthly", None)
        cadence = r.choice(doc, "cadence", place, CADENCES, required=False,
                           default=cadence) or cadence
        key = doc.get("period_key")
        if key is not None:
            if not isinstance(key, str) or not PERIOD_KEY.match(key):
                r.problem(f"{place}.period_key", f"{show(key)} is not a period "
                          "(YYYY-MM, YYYY-Qn, Yn or end)")
                key = None
        elif due is not None and template is not None:
            key = period_key(cadence, days_before_end, due,
                             contracts[contract] if contract is not None else None)
            if key is None:
                r.problem(f"{place}.client", f"{show(client_name)} has no contract to count "
                          f"the years of the annual task {show(task)} from")
        if client is not None and key and task:
            unique = (client, contract, task, key)
            if unique in seen:
                r.problem(place, f"a second {show(task)} for {show(client_name)} in period "
                          f"{key} (also maintenance[{seen[unique]}])")
            seen[unique] = i
        figures = r.json_value(doc, "figures", place)
        if figures is not None and task:
            from desktop.errors import UserError

            from .maintenance_figures import clean_figures
            try:
                clean_figures(task, figures)
            except UserError as exc:
                r.problem(f"{place}.figures", str(exc))
            except (TypeError, ValueError, AttributeError, KeyError):
                r.problem(f"{place}.figures", f"{show(figures)} are not the figures of "
                          f"{show(task)}")
        items.append(OccurrenceIn(
            client if client is not None else -1, contract, task, name_given or name, cadence,
            key or "", due or date.min, done_at, done_by, outcome,
            r.text(doc, "notes", place, required=False), figures,
            bool(r.boolean(doc, "rescheduled", place))))
    return items


def _follow_ups(r: Reader, document: dict, out: ParsedDump,
                ticket_index: dict[int, int]) -> list[FollowUpIn] | None:
    rows = r.items(document, "follow_ups", "")
    if rows is None:
        return None
    follow_ups, seen = [], {}
    for i, value in enumerate(rows):
        place = f"follow_ups[{i}]"
        doc = r.obj(value, place)
        if doc is None:
            continue
        number = r.integer(doc, "ticket", place, minimum=1)
        if number and number not in ticket_index:
            r.problem(f"{place}.ticket", f"{number} is not a ticket of this dump")
        elif number in seen:
            r.problem(f"{place}.ticket", f"{number} has a follow-up already "
                      f"(follow_ups[{seen[number]}])")
        seen[number] = i
        done_by = r.optional_text(doc, "done_by", place, max_len=LEN["username"])
        if done_by:
            out.usernames.add(done_by)
        follow_ups.append(FollowUpIn(
            ticket_index.get(number, -1), r.instant(doc, "due_at", place)
            or datetime.min.replace(tzinfo=UTC),
            r.instant(doc, "done_at", place, required=False),
            r.integer(doc, "rating", place, required=False, default=None, minimum=1, maximum=5),
            r.text(doc, "comment", place, required=False), done_by))
    return follow_ups


def _client_ref(r: Reader, doc: dict, place: str, client_index: dict[str, int]) -> int:
    """The position of the client a row names by name, or -1 (with the problem noted)."""
    name = doc.get("client")
    if name is None:
        r.problem(f"{place}.client", "is required but missing")
    elif not isinstance(name, str):
        r.problem(f"{place}.client", f"{show(name)} is not text")
    elif name not in client_index:
        r.problem(f"{place}.client", f"{show(name)} is not a client of this dump")
    else:
        return client_index[name]
    return -1


def _report_notes(r: Reader, document: dict, client_index: dict[str, int]) -> list[ReportNoteIn]:
    notes: list[ReportNoteIn] = []
    seen: dict[tuple, str] = {}
    for part, kind, key, pattern, shape in (
            ("monthly_summaries", "monthly_summary", "month", MONTH, "YYYY-MM"),
            ("quarterly_recommendations", "quarterly_recommendations", "quarter", QUARTER,
             "YYYY-Qn")):
        for i, value in enumerate(r.items(document, part, "") or []):
            place = f"{part}[{i}]"
            doc = r.obj(value, place)
            if doc is None:
                continue
            client = _client_ref(r, doc, place, client_index)
            period = r.text(doc, key, place)
            if period and not pattern.match(period):
                r.problem(f"{place}.{key}", f"{show(period)} is not a {key} ({shape})")
            elif client >= 0 and (client, kind, period) in seen:
                r.problem(place, f"a second one for {show(doc['client'])} in {period} "
                          f"(also {seen[(client, kind, period)]})")
            seen[(client, kind, period)] = place
            notes.append(ReportNoteIn(client, kind, period, r.text(doc, "body", place,
                                                                   required=False)))
    return notes


def _sent_reports(r: Reader, document: dict, out: ParsedDump,
                  client_index: dict[str, int]) -> list[SentReportIn]:
    sent = []
    for i, value in enumerate(r.items(document, "sent_reports", "") or []):
        place = f"sent_reports[{i}]"
        doc = r.obj(value, place)
        if doc is None:
            continue
        client = _client_ref(r, doc, place, client_index)
        kind = r.choice(doc, "kind", place, REPORT_KINDS)
        period = r.text(doc, "period", place)
        pattern = MONTH if kind == "monthly" else QUARTER
        if kind and period and not pattern.match(period):
            r.problem(f"{place}.period", f"{show(period)} is not a "
                      f"{'month (YYYY-MM)' if kind == 'monthly' else 'quarter (YYYY-Qn)'}")
        sent_by = r.optional_text(doc, "sent_by", place, max_len=LEN["username"])
        if sent_by:
            out.usernames.add(sent_by)
        sent.append(SentReportIn(
            client, kind or "monthly", period,
            r.instant(doc, "sent_at", place) or datetime.min.replace(tzinfo=UTC),
            r.text(doc, "recipients", place, required=False),
            r.text(doc, "file_name", place, required=False, max_len=LEN["file_name"]), sent_by))
    return sent
