"""What the client reports hold, as plain data (DESIGN §5), and what both reports share.

``reports/`` turns these dataclasses into PDFs and never sees a Session; this module and
``report_monthly`` / ``report_quarterly`` compute them from the database. Every instant in a
dataclass is already in the agency's time zone; every amount is a ``Decimal``.

Rules used by both reports (stated here so the tests and the PDF footnotes agree):
- a period's tickets are those *created* in it (the agency's calendar days); "resolved" counts
  tickets resolved in it whenever they were created;
- a clock is *met* when it stopped on time, *breached* when it stopped late or is still running
  past its due instant at the period's end, and otherwise still *running* (not counted);
- SLA met % = tickets *resolved* in the period whose response and resolution clocks were both
  met / tickets resolved in the period (the dashboard's definition, so the figures agree); the
  medians and the per-priority compliance are over the same tickets;
- response and resolution times are measured on the ticket's SLA clock (business hours, or 24/7
  for premium critical tickets); resolution excludes time waiting on the client;
- content-update minutes count against the month's allowance in the order they were logged
  (as ``services.allowance`` counts them); minutes beyond it, and every other minute logged on an
  out-of-scope ticket, are billable.
"""
from __future__ import annotations

import re
import statistics
from calendar import monthrange
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from desktop.errors import StaleDataError, UserError
from desktop.models import (Client, Contact, Contract, FollowUp, Occurrence, ReportNote,
                            StaffUser, Ticket, TicketEvent, TimeEntry, Tier)
from desktop.storage.changes import record_change
from desktop.storage.conflicts import refuse_stale

from .report_figures import (UpdateLine, describe_figures, figure_number,  # noqa: F401
                             findings_of, performance_score_of, restore_tested_of, updates_of,
                             uptime_of)
from .settings import AgencySettings, load_settings

MONTHLY = "monthly"
QUARTERLY = "quarterly"
REPORT_KINDS = (MONTHLY, QUARTERLY)
NOTE_KINDS = {MONTHLY: "monthly_summary", QUARTERLY: "quarterly_recommendations"}

PRIORITIES = ("critical", "high", "medium", "low")
PRIORITY_LABELS = {"critical": "Critical", "high": "High", "medium": "Medium", "low": "Low"}
CATEGORY_LABELS = {
    "bug_fix": "Bug fix", "technical_issue": "Technical issue", "functionality": "Functionality",
    "documentation": "Documentation", "security_update": "Security update",
    "content_update": "Content update", "performance": "Performance",
    "new_feature": "New feature", "training": "Training", "third_party": "Third-party issue",
}
STATUS_LABELS = {"new": "New", "acknowledged": "Acknowledged", "in_progress": "In progress",
                 "waiting_on_client": "Waiting on you", "resolved": "Resolved",
                 "closed": "Closed"}
OUTCOME_LABELS = {"ok": "Done", "issues_found": "Issues found", "skipped": "Skipped"}
TIER_LABELS = {"warranty": "Warranty", "basic": "Basic", "standard": "Standard",
               "premium": "Premium"}

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER_RE = re.compile(r"^(\d{4})-[Qq]([1-4])$")


# --------------------------------------------------------------------------------------- periods
@dataclass(frozen=True)
class Period:
    """A report's period: ``kind`` monthly (key ``YYYY-MM``) or quarterly (key ``YYYY-Qn``);
    ``first`` and ``last`` are the agency's calendar days, both inclusive."""

    kind: str
    key: str
    first: date
    last: date

    @property
    def label(self) -> str:
        if self.kind == MONTHLY:
            return self.first.strftime("%B %Y")
        return f"Q{(self.first.month - 1) // 3 + 1} {self.first.year}"

    @property
    def long_label(self) -> str:
        if self.kind == MONTHLY:
            return self.label
        return (f"{self.label} ({self.first.strftime('%B')} – {self.last.strftime('%B')} "
                f"{self.last.year})")

    def months(self) -> list[Period]:
        result, day = [], self.first
        while day <= self.last:
            result.append(month_period(day.year, day.month))
            day = result[-1].last + timedelta(days=1)
        return result

    def previous(self) -> Period:
        return period_containing(self.kind, self.first - timedelta(days=1))

    def next(self) -> Period:
        return period_containing(self.kind, self.last + timedelta(days=1))

    def bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """The period as a half-open range of UTC instants [start, end)."""
        start = datetime.combine(self.first, time(0), zone).astimezone(timezone.utc)
        end = datetime.combine(self.last + timedelta(days=1), time(0), zone)
        return start, end.astimezone(timezone.utc)


def month_period(year: int, month: int) -> Period:
    return Period(MONTHLY, f"{year:04d}-{month:02d}", date(year, month, 1),
                  date(year, month, monthrange(year, month)[1]))


def quarter_period(year: int, quarter: int) -> Period:
    first_month = 3 * (quarter - 1) + 1
    return Period(QUARTERLY, f"{year:04d}-Q{quarter}", date(year, first_month, 1),
                  date(year, first_month + 2, monthrange(year, first_month + 2)[1]))


def period_containing(kind: str, day: date) -> Period:
    if kind == MONTHLY:
        return month_period(day.year, day.month)
    return quarter_period(day.year, (day.month - 1) // 3 + 1)


def parse_period(kind: str, text: str) -> Period:
    """``2026-03`` for a monthly report, ``2026-Q1`` for a quarterly one; anything else is a
    ``UserError`` naming the expected form."""
    text = (text or "").strip()
    if kind == MONTHLY:
        match = _MONTH_RE.match(text)
        if match and 1 <= int(match.group(2)) <= 12 and int(match.group(1)) >= 1900:
            return month_period(int(match.group(1)), int(match.group(2)))
        raise UserError(f"'{text}' is not a month; write it as YYYY-MM, e.g. 2026-03")
    if kind == QUARTERLY:
        match = _QUARTER_RE.match(text)
        if match and int(match.group(1)) >= 1900:
            return quarter_period(int(match.group(1)), int(match.group(2)))
        raise UserError(f"'{text}' is not a quarter; write it as YYYY-Qn, e.g. 2026-Q1")
    raise UserError(f"'{kind}' is not a report type; use monthly or quarterly")


def recent_periods(kind: str, today: date, count: int = 24) -> list[Period]:
    """The current period and the ``count - 1`` before it, newest first (for pickers)."""
    result = [period_containing(kind, today)]
    while len(result) < count:
        result.append(result[-1].previous())
    return result


# ------------------------------------------------------------------------------- shared pieces
@dataclass(frozen=True)
class Branding:
    """The agency as the reports show it (from Settings)."""

    agency_name: str
    logo_path: str = ""
    support_email: str = ""
    support_phone: str = ""
    phone_hours: str = ""
    emergency_phone: str = ""
    portal_url: str = ""
    time_zone: str = "Asia/Kolkata"
    currency: str = "INR"

    @classmethod
    def from_settings(cls, settings: AgencySettings) -> Branding:
        return cls(agency_name=settings.agency_name, logo_path=settings.logo_path,
                   support_email=settings.support_email, support_phone=settings.support_phone,
                   phone_hours=settings.phone_hours, emergency_phone=settings.emergency_phone,
                   portal_url=settings.portal_url, time_zone=settings.time_zone,
                   currency=settings.currency)


@dataclass(frozen=True)
class ContractInfo:
    tier: str               # code
    tier_name: str
    start: date
    end: date               # inclusive
    monthly_fee: Decimal
    currency: str
    content_minutes_allowance: int
    days_to_end: int        # from the period's last day

    @property
    def renewal_date(self) -> date:
        return self.end + timedelta(days=1)


@dataclass(frozen=True)
class TicketLine:
    number: int
    title: str
    priority: str
    category: str
    channel: str
    status: str
    created_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    response_due_at: datetime | None
    resolution_due_at: datetime | None
    response_state: str     # met | breached | running
    resolution_state: str   # met | breached | running
    response_minutes: float | None      # on the ticket's clock, when it responded
    resolution_minutes: float | None    # on the ticket's clock, when resolved
    clock: str
    in_scope: bool
    scope_reason: str
    minutes_logged: int = 0

    @property
    def sla_met(self) -> bool:
        """Neither clock breached (meaningful once the ticket is resolved)."""
        return "breached" not in (self.response_state, self.resolution_state)


@dataclass(frozen=True)
class MaintenanceLine:
    task: str
    name: str
    cadence: str
    period_key: str
    due: date
    done_at: datetime | None
    done_by: str
    outcome: str | None     # ok | issues_found | skipped | None (not done yet)
    notes: str
    figures: dict[str, Any]
    details: tuple[str, ...]  # the figures in plain words, one line each

    @property
    def state(self) -> str:
        """done / skipped / overdue / due, as of the report."""
        if self.outcome == "skipped":
            return "skipped"
        if self.done_at is not None:
            return "done"
        return "open"


@dataclass(frozen=True)
class BillableLine:
    ticket_number: int
    title: str
    minutes: int
    reason: str


@dataclass(frozen=True)
class ContentHours:
    allowance_minutes: int
    used_minutes: int           # content-update minutes logged in the month
    over_minutes: int           # beyond the allowance
    out_of_scope_minutes: int
    billable: tuple[BillableLine, ...] = ()

    @property
    def billable_minutes(self) -> int:
        return self.over_minutes + self.out_of_scope_minutes


@dataclass(frozen=True)
class ScheduledTask:
    name: str
    due: date
    cadence: str


@dataclass(frozen=True)
class ClientInfo:
    id: int
    name: str
    website: str
    report_contacts: tuple[tuple[str, str], ...]  # (name, email)


# ------------------------------------------------------------------------------- loading bits
def find_client(session: Session, name: str) -> Client:
    """The client named ``name`` (exact, else case-insensitive); a ``UserError`` otherwise."""
    text = (name or "").strip()
    client = session.scalar(select(Client).where(Client.name == text))
    if client is None:
        matches = session.scalars(
            select(Client).where(func.lower(Client.name) == text.lower())).all()
        if len(matches) == 1:
            client = matches[0]
    if client is None:
        raise UserError(f"no client named '{text}'")
    return client


def report_clients(session: Session, include_archived: bool = False) -> list[tuple[int, str]]:
    """(id, name) of the clients reports can be made for, by name."""
    query = select(Client.id, Client.name).order_by(Client.name)
    if not include_archived:
        query = query.where(Client.archived.is_(False))
    return [(row.id, row.name) for row in session.execute(query)]


def client_info(session: Session, client: Client) -> ClientInfo:
    contacts = session.execute(
        select(Contact.name, Contact.email)
        .where(Contact.client_id == client.id, Contact.receives_reports.is_(True))
        .order_by(Contact.id)).all()
    return ClientInfo(client.id, client.name, client.website or "",
                      tuple((c.name, c.email) for c in contacts if c.email))


def contract_for(session: Session, client_id: int, period: Period) -> ContractInfo | None:
    """The contract in force on the period's last day, else the latest one overlapping it."""
    rows = session.execute(
        select(Contract, Tier.name)
        .join(Tier, Tier.code == Contract.tier_code)
        .where(Contract.client_id == client_id, Contract.start <= period.last,
               Contract.end >= period.first)
        .order_by(Contract.start)).all()
    if not rows:
        return None
    in_force = [r for r in rows if r[0].start <= period.last <= r[0].end]
    contract, tier_name = (in_force or rows)[-1]
    return ContractInfo(
        tier=contract.tier_code, tier_name=tier_name, start=contract.start, end=contract.end,
        monthly_fee=contract.monthly_fee, currency=contract.currency,
        content_minutes_allowance=contract.content_minutes_allowance or 0,
        days_to_end=(contract.end - period.last).days)


class SlaClocks:
    """Measures durations on the SLA clocks. Uses the business calendar when the SLA service
    provides one, else elapsed time (a 24/7 clock)."""

    def __init__(self, session: Session) -> None:
        self._business = None
        try:
            from .business_calendar import BusinessCalendar
            self._business = BusinessCalendar.from_session(session)
        except Exception:  # noqa: BLE001 - the calendar is optional for reports
            self._business = None

    def minutes(self, clock: str, start: datetime, end: datetime) -> float:
        if clock == "business" and self._business is not None:
            return float(self._business.minutes_between(start, end))
        return max(0.0, (end - start).total_seconds() / 60)


def _clock_state(stopped_at: datetime | None, due_at: datetime | None, breached_flag: bool,
                 as_of: datetime) -> str:
    if stopped_at is not None:
        if breached_flag or (due_at is not None and stopped_at > due_at):
            return "breached"
        return "met"
    if breached_flag or (due_at is not None and due_at < as_of):
        return "breached"
    return "running"


def load_tickets(session: Session, client_id: int, start: datetime, end: datetime,
                 zone: ZoneInfo, as_of: datetime, clocks: SlaClocks | None = None,
                 include_resolved_in: bool = False) -> list[TicketLine]:
    """The client's tickets created in [start, end) (and, with ``include_resolved_in``, those
    resolved in it), with each clock's state as of ``as_of``; in creation order."""
    clocks = clocks or SlaClocks(session)
    created = and_(Ticket.created_at >= start, Ticket.created_at < end)
    condition = created
    if include_resolved_in:
        condition = or_(created, and_(Ticket.resolved_at >= start, Ticket.resolved_at < end))
    rows = session.execute(
        select(Ticket.id, Ticket.number, Ticket.title, Ticket.priority, Ticket.category,
               Ticket.channel, Ticket.status, Ticket.created_at, Ticket.first_response_at,
               Ticket.resolved_at, Ticket.response_due_at, Ticket.resolution_due_at,
               Ticket.response_breached, Ticket.resolution_breached, Ticket.clock,
               Ticket.resolution_used_minutes, Ticket.in_scope, Ticket.scope_override,
               Ticket.scope_reason, Ticket.override_reason)
        .where(Ticket.client_id == client_id, condition)
        .order_by(Ticket.created_at, Ticket.number)).all()
    minutes = _minutes_by_ticket(session, [r.id for r in rows])
    result = []
    for r in rows:
        in_scope = r.in_scope if r.scope_override is None else r.scope_override
        reason = r.override_reason if r.scope_override is not None else r.scope_reason
        response_minutes = None
        if r.first_response_at is not None:
            response_minutes = clocks.minutes(r.clock, r.created_at, r.first_response_at)
        resolution_minutes = None
        if r.resolved_at is not None:
            resolution_minutes = float(r.resolution_used_minutes or 0) or clocks.minutes(
                r.clock, r.created_at, r.resolved_at)
        result.append(TicketLine(
            number=r.number, title=r.title, priority=r.priority, category=r.category,
            channel=r.channel, status=r.status, created_at=_local(r.created_at, zone),
            first_response_at=_local(r.first_response_at, zone),
            resolved_at=_local(r.resolved_at, zone),
            response_due_at=_local(r.response_due_at, zone),
            resolution_due_at=_local(r.resolution_due_at, zone),
            response_state=_clock_state(r.first_response_at, r.response_due_at,
                                        bool(r.response_breached), as_of),
            resolution_state=_clock_state(r.resolved_at, r.resolution_due_at,
                                          bool(r.resolution_breached), as_of),
            response_minutes=response_minutes, resolution_minutes=resolution_minutes,
            clock=r.clock or "business", in_scope=bool(in_scope), scope_reason=reason or "",
            minutes_logged=minutes.get(r.id, 0)))
    return result


def _minutes_by_ticket(session: Session, ticket_ids: Sequence[int]) -> dict[int, int]:
    totals: dict[int, int] = {}
    for chunk in _chunks(ticket_ids, 900):
        for ticket_id, minutes in session.execute(
                select(TimeEntry.ticket_id, func.sum(TimeEntry.minutes))
                .where(TimeEntry.ticket_id.in_(chunk)).group_by(TimeEntry.ticket_id)):
            totals[ticket_id] = int(minutes or 0)
    return totals


def _chunks(items: Sequence, size: int) -> Iterable[Sequence]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _local(instant: datetime | None, zone: ZoneInfo) -> datetime | None:
    return None if instant is None else instant.astimezone(zone)


def sla_met_percent(resolved: Iterable[TicketLine]) -> float | None:
    """Of the tickets resolved in a period, the percentage with both clocks met; None when
    none was resolved."""
    resolved = list(resolved)
    if not resolved:
        return None
    return 100.0 * sum(1 for t in resolved if t.sla_met) / len(resolved)


def resolved_between(tickets: Iterable[TicketLine], start: datetime,
                     end: datetime) -> list[TicketLine]:
    return [t for t in tickets if t.resolved_at is not None and start <= t.resolved_at < end]


def median(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def content_hours(session: Session, client_id: int, first: date, last: date,
                  allowance_minutes: int) -> ContentHours:
    """Content-update minutes against the allowance, and billable work, for days
    ``first``..``last`` (one month: the allowance is per month)."""
    rows = session.execute(
        select(TimeEntry.minutes, TimeEntry.category, TimeEntry.work_date, TimeEntry.id,
               Ticket.number, Ticket.title, Ticket.in_scope, Ticket.scope_override,
               Ticket.scope_reason, Ticket.override_reason)
        .join(Ticket, Ticket.id == TimeEntry.ticket_id)
        .where(Ticket.client_id == client_id, TimeEntry.work_date >= first,
               TimeEntry.work_date <= last)
        .order_by(TimeEntry.work_date, TimeEntry.id)).all()
    entries = []
    for r in rows:
        in_scope = r.in_scope if r.scope_override is None else r.scope_override
        reason = r.override_reason if r.scope_override is not None else r.scope_reason
        entries.append(WorkEntry(r.number, r.title, r.category, r.minutes, bool(in_scope),
                                 reason or ""))
    return allocate_allowance(entries, allowance_minutes)


@dataclass(frozen=True)
class WorkEntry:
    """One time entry as the allowance sees it, in the order it was logged."""

    ticket_number: int
    title: str
    category: str
    minutes: int
    in_scope: bool
    scope_reason: str = ""


def allocate_allowance(entries: Sequence[WorkEntry], allowance_minutes: int) -> ContentHours:
    """Content-update minutes use the allowance in the order logged; the rest of a content
    entry beyond it is billable, and so is every other minute on an out-of-scope ticket
    (DESIGN §2 "Time logged on content updates beyond the month's allowance is billable")."""
    used = over = out_of_scope = 0
    billable: dict[tuple[int, str], list] = {}
    for e in entries:
        if e.category == "content_update":
            remaining = max(0, allowance_minutes - used)
            used += e.minutes
            beyond = max(0, e.minutes - remaining)
            if beyond:
                over += beyond
                key = (e.ticket_number, "Content update beyond the monthly allowance"
                       if allowance_minutes else "Content updates are not included in your plan")
                billable.setdefault(key, [e.title, 0])[1] += beyond
            continue
        if not e.in_scope:
            out_of_scope += e.minutes
            key = (e.ticket_number,
                   "Out of scope" + (f": {e.scope_reason}" if e.scope_reason else ""))
            billable.setdefault(key, [e.title, 0])[1] += e.minutes
    lines = tuple(BillableLine(number, title, minutes, reason)
                  for (number, reason), (title, minutes) in sorted(billable.items()))
    return ContentHours(allowance_minutes, used, over, out_of_scope, lines)


def load_maintenance(session: Session, client_id: int, first: date, last: date,
                     zone: ZoneInfo) -> list[MaintenanceLine]:
    """The client's occurrences due between ``first`` and ``last`` (inclusive), by due date."""
    rows = session.execute(
        select(Occurrence, StaffUser.display_name, StaffUser.username)
        .outerjoin(StaffUser, StaffUser.id == Occurrence.done_by_id)
        .where(Occurrence.client_id == client_id, Occurrence.due >= first,
               Occurrence.due <= last)
        .order_by(Occurrence.due, Occurrence.name, Occurrence.id)).all()
    result = []
    for occ, display_name, username in rows:
        figures = occ.figures if isinstance(occ.figures, dict) else {}
        result.append(MaintenanceLine(
            task=occ.task, name=occ.name, cadence=occ.cadence, period_key=occ.period_key,
            due=occ.due, done_at=_local(occ.done_at, zone),
            done_by=display_name or username or "", outcome=occ.outcome, notes=occ.notes or "",
            figures=figures, details=tuple(describe_figures(occ.task, figures, zone))))
    return result


def scheduled_tasks(session: Session, client_id: int, first: date, last: date,
                    cadences: Sequence[str] | None = None) -> list[ScheduledTask]:
    query = (select(Occurrence.name, Occurrence.due, Occurrence.cadence)
             .where(Occurrence.client_id == client_id, Occurrence.due >= first,
                    Occurrence.due <= last, Occurrence.done_at.is_(None))
             .order_by(Occurrence.due, Occurrence.name))
    if cadences:
        query = query.where(Occurrence.cadence.in_(list(cadences)))
    return [ScheduledTask(r.name, r.due, r.cadence) for r in session.execute(query)]


def satisfaction(session: Session, client_id: int, start: datetime,
                 end: datetime) -> list[tuple[int, int, str]]:
    """(ticket number, rating 1-5, comment) of follow-ups recorded in [start, end)."""
    rows = session.execute(
        select(Ticket.number, FollowUp.rating, FollowUp.comment)
        .join(Ticket, Ticket.id == FollowUp.ticket_id)
        .where(Ticket.client_id == client_id, FollowUp.rating.is_not(None),
               FollowUp.done_at >= start, FollowUp.done_at < end)
        .order_by(FollowUp.done_at)).all()
    return [(r.number, int(r.rating), r.comment or "") for r in rows]


def resolution_notes(session: Session, numbers: Sequence[int]) -> dict[int, str]:
    """The last public reply of each ticket: what the client was told about the fix."""
    if not numbers:
        return {}
    rows = session.execute(
        select(Ticket.number, TicketEvent.body)
        .join(TicketEvent, TicketEvent.ticket_id == Ticket.id)
        .where(Ticket.number.in_(list(numbers)), TicketEvent.public.is_(True),
               TicketEvent.body != "")
        .order_by(Ticket.number, TicketEvent.at, TicketEvent.id)).all()
    return {r.number: r.body for r in rows}  # the later reply wins


# ------------------------------------------------------------------------------ report notes
@dataclass(frozen=True)
class NoteText:
    body: str
    version: int | None  # None: nothing saved yet


def get_report_note(session: Session, client_id: int, kind: str, period: str) -> NoteText:
    """The manager's text for a report (``kind`` monthly_summary or
    quarterly_recommendations)."""
    note = session.scalar(select(ReportNote).where(
        ReportNote.client_id == client_id, ReportNote.kind == kind, ReportNote.period == period))
    return NoteText("", None) if note is None else NoteText(note.body, note.version)


def save_report_note(session: Session, client_id: int, kind: str, period: str, body: str,
                     expected_version: int | None) -> NoteText:
    """Save the manager's text; refused (``StaleDataError``) when someone else saved it since
    ``expected_version`` was read (DESIGN §3)."""
    if kind not in NOTE_KINDS.values():
        raise UserError(f"'{kind}' is not a kind of report note")
    note = session.scalar(select(ReportNote).where(
        ReportNote.client_id == client_id, ReportNote.kind == kind, ReportNote.period == period))
    theirs = None if note is None else note.body
    if (note is None) != (expected_version is None) or (
            note is not None and note.version != expected_version):
        raise StaleDataError("this text was changed by someone else since you opened it; "
                             "your changes were not saved", kind="report", mine={"body": body},
                             theirs={"body": theirs or ""})
    if note is None:
        note = ReportNote(client_id=client_id, kind=kind, period=period, body=body)
        session.add(note)
    else:
        note.body = body
    with refuse_stale("report", None, mine={"body": body}):
        session.flush()
    record_change(session, "report", note.id)
    return NoteText(note.body, note.version)


# ---------------------------------------------------------------------------------- helpers
def as_of_instant(period: Period, zone: ZoneInfo, now: datetime | None) -> datetime:
    """Clocks are judged at the period's end, or now when the period is still running."""
    _, end = period.bounds(zone)
    now = now or datetime.now(timezone.utc)
    return min(end, now)


def load_branding(session: Session) -> Branding:
    return Branding.from_settings(load_settings(session))


def hours_text(minutes: float | None) -> str:
    """``90`` → ``1 h 30 min``; None → ``–``."""
    if minutes is None:
        return "–"
    hours, rest = divmod(int(round(minutes)), 60)
    if hours and rest:
        return f"{hours} h {rest} min"
    if hours:
        return f"{hours} h"
    return f"{rest} min"


def counts_by(items: Iterable, key) -> dict:  # noqa: ANN001
    counts: dict = defaultdict(int)
    for item in items:
        counts[key(item)] += 1
    return dict(counts)

