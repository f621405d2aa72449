"""The quarterly review's data (DESIGN §5, "Quarterly review").

``quarterly_report(session, client_id, "2026-Q1")`` returns a ``QuarterlyReport`` comparing the
quarter with the one before. Counting rules: ``report_data``'s module docstring. Maintenance
completion = occurrences due in the quarter that were done (not skipped) / occurrences due.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy.orm import Session

from desktop.models import Client

from . import report_data as rd
from .report_data import (Branding, ClientInfo, ContentHours, ContractInfo, MaintenanceLine,
                          Period, ScheduledTask, TicketLine)


@dataclass(frozen=True)
class Comparison:
    label: str
    current: str
    previous: str
    trend: str          # better | worse | same | "" (not comparable)


@dataclass(frozen=True)
class PriorityCompliance:
    priority: str
    tickets: int            # resolved in the quarter
    met_percent: float | None
    median_response_minutes: float | None
    median_resolution_minutes: float | None


@dataclass(frozen=True)
class Breach:
    ticket_number: int
    title: str
    priority: str
    clock: str              # Response | Resolution
    due_at: datetime | None
    stopped_at: datetime | None
    cause: str


@dataclass(frozen=True)
class CategoryCount:
    category: str
    tickets: int
    out_of_scope: int


@dataclass(frozen=True)
class MonthContent:
    label: str
    used_minutes: int
    allowance_minutes: int
    billable_minutes: int


@dataclass(frozen=True)
class TrendPoint:
    label: str
    uptime_percent: float | None
    performance_score: float | None


@dataclass(frozen=True)
class CompletionRow:
    cadence: str
    due: int
    done: int
    skipped: int
    open: int

    @property
    def percent(self) -> float | None:
        return 100.0 * self.done / self.due if self.due else None


@dataclass(frozen=True)
class CriticalIncident:
    ticket: TicketLine
    root_cause: str


@dataclass(frozen=True)
class QuarterlyReport:
    branding: Branding
    client: ClientInfo
    period: Period
    previous_period: Period
    contract: ContractInfo | None
    generated_at: datetime
    headline: str
    comparisons: tuple[Comparison, ...]
    month_labels: tuple[str, ...]
    tickets_by_month: tuple[dict[str, int], ...]   # per month: priority -> tickets opened
    priority_share: dict[str, int]
    compliance: tuple[PriorityCompliance, ...]
    breaches: tuple[Breach, ...]
    categories: tuple[CategoryCount, ...]
    content_by_month: tuple[MonthContent, ...]
    trend: tuple[TrendPoint, ...]                 # previous quarter's months and this one's
    completion: tuple[CompletionRow, ...]
    maintenance: tuple[MaintenanceLine, ...]
    ratings: tuple[tuple[int, int, str], ...]     # (ticket number, rating, comment)
    critical_incidents: tuple[CriticalIncident, ...]
    recommendations: str
    plan: tuple[ScheduledTask, ...]
    monthly_tasks_next_quarter: int
    tickets_opened: int

    @property
    def emergency_line(self) -> bool:
        return self.contract is not None and self.contract.tier == "premium"

    @property
    def average_rating(self) -> float | None:
        return (sum(r[1] for r in self.ratings) / len(self.ratings)) if self.ratings else None

    @property
    def completion_percent(self) -> float | None:
        due = sum(r.due for r in self.completion)
        return 100.0 * sum(r.done for r in self.completion) / due if due else None


def quarterly_report(session: Session, client_id: int, quarter: str | Period,
                     now: datetime | None = None) -> QuarterlyReport:
    """Compute the quarterly review of one client for ``quarter`` (``YYYY-Qn``)."""
    period = quarter if isinstance(quarter, Period) else rd.parse_period(rd.QUARTERLY, quarter)
    client = session.get(Client, client_id)
    if client is None:
        raise rd.UserError("that client no longer exists")
    branding = rd.load_branding(session)
    zone = rd.ZoneInfo(branding.time_zone)
    now = now or datetime.now(timezone.utc)
    previous = period.previous()
    as_of = rd.as_of_instant(period, zone, now)
    start, end = period.bounds(zone)
    prev_start, _ = previous.bounds(zone)
    contract = rd.contract_for(session, client_id, period)
    clocks = rd.SlaClocks(session)

    both = rd.load_tickets(session, client_id, prev_start, end, zone, as_of, clocks,
                           include_resolved_in=True)
    # created_at is already the agency's local time: bucket by its calendar date (cheap)
    tickets = [t for t in both if period.first <= t.created_at.date() <= period.last]
    before = [t for t in both if previous.first <= t.created_at.date() < period.first]
    resolved_now = rd.resolved_between(both, start, end)
    resolved_before = rd.resolved_between(both, prev_start, start)
    months = period.months()

    by_month = [{p: 0 for p in rd.PRIORITIES} for _ in months]
    index_of = {(m.first.year, m.first.month): i for i, m in enumerate(months)}
    for t in tickets:
        counts = by_month[index_of[(t.created_at.year, t.created_at.month)]]
        counts[t.priority] = counts.get(t.priority, 0) + 1
    share = {p: sum(1 for t in tickets if t.priority == p) for p in rd.PRIORITIES}

    compliance = tuple(_compliance(p, [t for t in resolved_now if t.priority == p])
                       for p in rd.PRIORITIES)
    touched = {t.number: t for t in tickets + resolved_now}  # opened or resolved this quarter
    breaches = tuple(_breaches(sorted(touched.values(), key=lambda t: (t.created_at, t.number))))
    categories = tuple(sorted(
        (CategoryCount(c, n, sum(1 for t in tickets if t.category == c and not t.in_scope))
         for c, n in rd.counts_by(tickets, lambda t: t.category).items()),
        key=lambda c: (-c.tickets, c.category)))

    content_months: list[tuple[Period, ContentHours]] = []
    for m in previous.months() + months:
        m_contract = rd.contract_for(session, client_id, m)
        content_months.append((m, rd.content_hours(
            session, client_id, m.first, m.last,
            m_contract.content_minutes_allowance if m_contract else 0)))
    content_by_month = tuple(
        MonthContent(m.first.strftime("%b %Y"), c.used_minutes, c.allowance_minutes,
                     c.billable_minutes) for m, c in content_months[3:])
    prev_content = sum(c.used_minutes for _, c in content_months[:3])
    this_content = sum(c.used_minutes for _, c in content_months[3:])

    maintenance_both = rd.load_maintenance(session, client_id, previous.first, period.last, zone)
    maintenance = [m for m in maintenance_both if m.due >= period.first]
    maintenance_before = [m for m in maintenance_both if m.due < period.first]
    trend = tuple(_trend(previous.months() + months, maintenance_both))
    completion = tuple(_completion(maintenance))

    ratings = rd.satisfaction(session, client_id, start, end)
    prev_ratings = rd.satisfaction(session, client_id, prev_start, start)

    criticals = [t for t in tickets if t.priority == "critical"]
    notes = rd.resolution_notes(session, [t.number for t in criticals])
    critical_incidents = tuple(CriticalIncident(t, notes.get(t.number, "")) for t in criticals)

    resolved, prev_resolved = len(resolved_now), len(resolved_before)
    comparisons = (
        _compare("Tickets opened", len(tickets), len(before), lower_is_better=None),
        _compare("Tickets resolved", resolved, prev_resolved, lower_is_better=None),
        _compare("Critical incidents", len(criticals),
                 sum(1 for t in before if t.priority == "critical"), lower_is_better=True),
        _compare_percent("SLA met", rd.sla_met_percent(resolved_now),
                         rd.sla_met_percent(resolved_before)),
        _compare_minutes("Median first response",
                         rd.median(t.response_minutes for t in resolved_now),
                         rd.median(t.response_minutes for t in resolved_before)),
        _compare_minutes("Median resolution",
                         rd.median(t.resolution_minutes for t in resolved_now),
                         rd.median(t.resolution_minutes for t in resolved_before)),
        Comparison("Content hours used", rd.hours_text(this_content),
                   rd.hours_text(prev_content), ""),
        _compare_percent("Average uptime", _mean(p.uptime_percent for p in trend[3:]),
                         _mean(p.uptime_percent for p in trend[:3]), digits=2),
        _compare_percent("Maintenance completed",
                         _completion_percent(maintenance), _completion_percent(maintenance_before)),
        _compare_rating(ratings, prev_ratings),
    )

    next_period = period.next()
    plan = rd.scheduled_tasks(session, client_id, next_period.first, next_period.last,
                              cadences=("quarterly", "annual", "once"))
    monthly_next = len(rd.scheduled_tasks(session, client_id, next_period.first,
                                          next_period.last, cadences=("monthly",)))
    recommendations = rd.get_report_note(session, client_id, rd.NOTE_KINDS[rd.QUARTERLY],
                                         period.key).body
    return QuarterlyReport(
        branding=branding, client=rd.client_info(session, client), period=period,
        previous_period=previous, contract=contract, generated_at=now.astimezone(zone),
        headline=_headline(tickets, before, criticals, rd.sla_met_percent(resolved_now)),
        comparisons=comparisons, month_labels=tuple(m.first.strftime("%b %Y") for m in months),
        tickets_by_month=tuple(by_month), priority_share=share, compliance=compliance,
        breaches=breaches, categories=categories, content_by_month=content_by_month,
        trend=trend, completion=completion, maintenance=tuple(maintenance),
        ratings=tuple(ratings), critical_incidents=critical_incidents,
        recommendations=recommendations, plan=tuple(plan),
        monthly_tasks_next_quarter=monthly_next, tickets_opened=len(tickets))


def _compliance(priority: str, tickets: list[TicketLine]) -> PriorityCompliance:
    return PriorityCompliance(
        priority=priority, tickets=len(tickets), met_percent=rd.sla_met_percent(tickets),
        median_response_minutes=rd.median(t.response_minutes for t in tickets),
        median_resolution_minutes=rd.median(t.resolution_minutes for t in tickets))


def _when(instant: datetime | None) -> str:
    return instant.strftime("%d %b %H:%M") if instant else ""


def _breaches(tickets: list[TicketLine]) -> list[Breach]:
    """Every breached clock with its cause in plain words."""
    result = []
    for t in tickets:
        if t.response_state == "breached":
            if t.first_response_at is None:
                cause = f"No reply by the {_when(t.response_due_at)} target"
            else:
                cause = (f"First reply {_when(t.first_response_at)}, "
                         f"{_late(t.first_response_at, t.response_due_at)} after the target")
            result.append(Breach(t.number, t.title, t.priority, "Response", t.response_due_at,
                                 t.first_response_at, cause))
        if t.resolution_state == "breached":
            if t.resolved_at is None:
                cause = f"Still open at the quarter's end; due {_when(t.resolution_due_at)}"
            else:
                cause = (f"Resolved {_when(t.resolved_at)}, "
                         f"{_late(t.resolved_at, t.resolution_due_at)} after the target")
            if t.status == "waiting_on_client":
                cause += " (now waiting on your reply)"
            result.append(Breach(t.number, t.title, t.priority, "Resolution",
                                 t.resolution_due_at, t.resolved_at, cause))
    return result


def _late(stopped: datetime, due: datetime | None) -> str:
    if due is None:
        return "some time"
    return rd.hours_text(max(0.0, (stopped - due).total_seconds() / 60))


def _trend(months: list[Period], maintenance: list[MaintenanceLine]) -> list[TrendPoint]:
    points = []
    for m in months:
        in_month = [x for x in maintenance if m.first <= x.due <= m.last]
        uptimes = [rd.uptime_of(x.figures) for x in in_month if x.task == "uptime_review"]
        scores = [rd.performance_score_of(x.figures) for x in in_month
                  if x.task == "performance_check"]
        points.append(TrendPoint(m.first.strftime("%b %Y"), _mean(uptimes), _mean(scores)))
    return points


def _completion(maintenance: list[MaintenanceLine]) -> list[CompletionRow]:
    rows = []
    for cadence in ("monthly", "quarterly", "annual", "once"):
        items = [m for m in maintenance if m.cadence == cadence]
        if not items:
            continue
        skipped = sum(1 for m in items if m.outcome == "skipped")
        done = sum(1 for m in items if m.done_at is not None and m.outcome != "skipped")
        rows.append(CompletionRow(cadence, len(items), done, skipped,
                                  len(items) - done - skipped))
    return rows


def _completion_percent(maintenance: list[MaintenanceLine]) -> float | None:
    rows = _completion(maintenance)
    due = sum(r.due for r in rows)
    return 100.0 * sum(r.done for r in rows) / due if due else None


def _mean(values) -> float | None:  # noqa: ANN001
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def _trend_word(current: float | None, previous: float | None,
                lower_is_better: bool | None) -> str:
    if current is None or previous is None or lower_is_better is None:
        return ""
    if abs(current - previous) < 1e-9:
        return "same"
    improved = current < previous if lower_is_better else current > previous
    return "better" if improved else "worse"


def _compare(label: str, current: int, previous: int,
             lower_is_better: bool | None) -> Comparison:
    return Comparison(label, str(current), str(previous),
                      _trend_word(current, previous, lower_is_better))


def _compare_percent(label: str, current: float | None, previous: float | None,
                     digits: int = 1) -> Comparison:
    def text(v: float | None) -> str:
        return "–" if v is None else f"{v:.{digits}f}%"
    return Comparison(label, text(current), text(previous),
                      _trend_word(current, previous, lower_is_better=False))


def _compare_minutes(label: str, current: float | None, previous: float | None) -> Comparison:
    return Comparison(label, rd.hours_text(current), rd.hours_text(previous),
                      _trend_word(current, previous, lower_is_better=True))


def _compare_rating(ratings: list, previous: list) -> Comparison:
    def avg(items: list) -> float | None:
        return sum(r[1] for r in items) / len(items) if items else None
    current, before = avg(ratings), avg(previous)

    def text(v: float | None, n: int) -> str:
        return "–" if v is None else f"{v:.1f} / 5 ({n})"
    return Comparison("Satisfaction", text(current, len(ratings)), text(before, len(previous)),
                      _trend_word(current, before, lower_is_better=False))


def _headline(tickets: list[TicketLine], before: list[TicketLine],
              criticals: list[TicketLine], met: float | None) -> str:
    parts = [f"{len(tickets)} ticket" + ("" if len(tickets) == 1 else "s")
             + f" opened this quarter ({len(before)} the quarter before)"]
    if met is not None:
        parts.append(f"{met:.1f}% of the tickets resolved met their SLA targets")
    parts.append("no critical incidents" if not criticals else
                 f"{len(criticals)} critical incident" + ("s" if len(criticals) > 1 else ""))
    return "; ".join(parts) + "."

