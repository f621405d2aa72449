"""The monthly maintenance report's data (DESIGN §5, "Monthly maintenance report").

``monthly_report(session, client_id, "2026-03")`` returns a ``MonthlyReport``: plain data in the
agency's time zone, which ``desktop.reports.monthly`` prints. The counting rules are those of
``report_data``'s module docstring.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy.orm import Session

from desktop.models import Client

from . import report_data as rd
from .report_data import (Branding, ClientInfo, ContentHours, ContractInfo, MaintenanceLine,
                          Period, ScheduledTask, TicketLine)

UPTIME_WARNING = 99.5  # below this, the month's uptime is named as a risk


@dataclass(frozen=True)
class KeyFigures:
    tickets_opened: int
    tickets_resolved: int
    sla_met_percent: float | None
    uptime_percent: float | None
    updates_applied: int
    updates_held_back: int
    backups_verified: int       # backup verifications done with a restore test that passed
    backup_checks: int          # backup verifications due this month
    content_used_minutes: int
    content_allowance_minutes: int


@dataclass(frozen=True)
class Incident:
    ticket: TicketLine
    resolution_note: str


@dataclass(frozen=True)
class MonthlyReport:
    branding: Branding
    client: ClientInfo
    period: Period
    contract: ContractInfo | None
    generated_at: datetime
    status_line: str
    status_level: str           # ok | warning | critical
    figures: KeyFigures
    summary: str
    incidents: tuple[Incident, ...]
    maintenance: tuple[MaintenanceLine, ...]
    tickets: tuple[TicketLine, ...]
    content: ContentHours
    risks: tuple[str, ...]
    next_tasks: tuple[ScheduledTask, ...]

    @property
    def emergency_line(self) -> bool:
        return self.contract is not None and self.contract.tier == "premium"


def monthly_report(session: Session, client_id: int, month: str | Period,
                   now: datetime | None = None) -> MonthlyReport:
    """Compute the monthly maintenance report of one client for ``month`` (``YYYY-MM``)."""
    period = month if isinstance(month, Period) else rd.parse_period(rd.MONTHLY, month)
    client = session.get(Client, client_id)
    if client is None:
        raise rd.UserError("that client no longer exists")
    branding = rd.load_branding(session)
    zone = rd.ZoneInfo(branding.time_zone)
    now = now or datetime.now(timezone.utc)
    as_of = rd.as_of_instant(period, zone, now)
    start, end = period.bounds(zone)
    contract = rd.contract_for(session, client_id, period)
    allowance = contract.content_minutes_allowance if contract else 0

    tickets = rd.load_tickets(session, client_id, start, end, zone, as_of,
                              include_resolved_in=True)
    created = [t for t in tickets if start <= t.created_at < end]
    resolved = rd.resolved_between(tickets, start, end)
    maintenance = rd.load_maintenance(session, client_id, period.first, period.last, zone)
    content = rd.content_hours(session, client_id, period.first, period.last, allowance)

    incidents_tickets = [t for t in created if t.priority in ("critical", "high")]
    notes = rd.resolution_notes(session, [t.number for t in incidents_tickets])
    incidents = tuple(Incident(t, notes.get(t.number, "")) for t in incidents_tickets)

    figures = _key_figures(created, resolved, maintenance, content)
    critical = sum(1 for t in created if t.priority == "critical")
    high = sum(1 for t in created if t.priority == "high")
    if critical:
        status_line = f"{critical} critical incident" + ("s" if critical > 1 else "")
        level = "critical"
    elif high:
        status_line = f"Stable — {high} high-priority issue" + ("s" if high > 1 else "")
        level = "warning"
    else:
        status_line, level = "Stable", "ok"

    next_period = period.next()
    next_tasks = rd.scheduled_tasks(session, client_id, next_period.first, next_period.last)
    summary = rd.get_report_note(session, client_id, rd.NOTE_KINDS[rd.MONTHLY], period.key).body
    return MonthlyReport(
        branding=branding, client=rd.client_info(session, client), period=period,
        contract=contract, generated_at=now.astimezone(zone), status_line=status_line,
        status_level=level, figures=figures, summary=summary, incidents=incidents,
        maintenance=tuple(maintenance), tickets=tuple(tickets), content=content,
        risks=tuple(_risks(session, client_id, period, tickets, maintenance, content, contract,
                           figures, as_of, zone)),
        next_tasks=tuple(next_tasks))


def _key_figures(created: list[TicketLine], resolved: list[TicketLine],
                 maintenance: list[MaintenanceLine],
                 content: ContentHours) -> KeyFigures:
    uptimes = [rd.uptime_of(m.figures) for m in maintenance if m.task == "uptime_review"]
    uptimes = [u for u in uptimes if u is not None]
    applied = held = 0
    for m in maintenance:
        if m.done_at is None:
            continue
        for update in rd.updates_of(m.figures):
            if update.held_back:
                held += 1
            else:
                applied += 1
    backups = [m for m in maintenance if m.task == "backup_verification"]
    verified = sum(1 for m in backups if m.done_at is not None and m.outcome != "skipped"
                   and rd.restore_tested_of(m.figures) is not False)
    return KeyFigures(
        tickets_opened=len(created), tickets_resolved=len(resolved),
        sla_met_percent=rd.sla_met_percent(resolved),
        uptime_percent=min(uptimes) if uptimes else None,
        updates_applied=applied, updates_held_back=held,
        backups_verified=verified, backup_checks=len(backups),
        content_used_minutes=content.used_minutes,
        content_allowance_minutes=content.allowance_minutes)


def _risks(session: Session, client_id: int, period: Period, tickets: list[TicketLine],
           maintenance: list[MaintenanceLine], content: ContentHours,
           contract: ContractInfo | None, figures: KeyFigures, as_of: datetime,
           zone: rd.ZoneInfo) -> list[str]:
    """Things the client should know about, in plain sentences."""
    risks = []
    open_late = [t for t in tickets if t.resolved_at is None and t.resolution_state == "breached"
                 and t.status not in ("resolved", "closed")]
    for t in open_late:
        risks.append(f"Ticket #{t.number} “{t.title}” is still open past its resolution "
                     f"target.")
    not_done = [m for m in maintenance if m.done_at is None and m.outcome != "skipped"]
    if not_done:
        risks.append("Not completed yet: " + ", ".join(
            f"{m.name} (due {m.due.strftime('%d %b')})" for m in not_done) + ".")
    for m in maintenance:
        if m.outcome == "skipped":
            risks.append(_sentence(f"{m.name} was skipped this month"
                                   + (f": {m.notes}" if m.notes else "")))
        elif m.outcome == "issues_found":
            risks.append(_sentence(f"{m.name} found issues"
                                   + (f": {m.notes}" if m.notes else "")))
        if m.task == "backup_verification" and m.done_at is not None and \
                rd.restore_tested_of(m.figures) is False:
            risks.append("The backup was verified but a restore was not tested.")
        for update in rd.updates_of(m.figures):
            if update.held_back:
                risks.append(_sentence(f"{update.component} {update.version_from} was held back"
                                       + (f": {update.reason}" if update.reason else "")))
    if figures.uptime_percent is not None and figures.uptime_percent < UPTIME_WARNING:
        risks.append(f"Uptime was {figures.uptime_percent:.2f}%, below our "
                     f"{UPTIME_WARNING}% goal.")
    if content.over_minutes and content.allowance_minutes:
        risks.append(f"Content updates went {rd.hours_text(content.over_minutes)} over the monthly "
                     f"allowance; that time is billable.")
    elif content.over_minutes:
        risks.append(f"Content updates ({rd.hours_text(content.over_minutes)}) are not included "
                     f"in your plan; that time is billable.")
    if contract is not None and contract.tier == "warranty" and 0 <= contract.days_to_end <= 60:
        risks.append(f"Your warranty ends on {contract.end.strftime('%d %B %Y')}; a support plan "
                     f"keeps the site covered after that.")
    elif contract is not None and 0 <= contract.days_to_end <= 60:
        risks.append(f"Your {contract.tier_name} contract ends on "
                     f"{contract.end.strftime('%d %B %Y')}; let us plan the renewal.")
    elif contract is None:
        risks.append("There is no support contract in force for this month.")
    return risks


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text[-1:] in ".!?…" else text + "."
