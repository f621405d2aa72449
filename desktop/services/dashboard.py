"""The dashboard's figures and charts (DESIGN §4 "Dashboard").

Every figure is an aggregate over indexed columns and the SLA instants stored with each ticket
(``sla_due_at``, ``response_due_at``, ``resolution_due_at``, the ``*_breached`` flags), so the
dashboard opens in well under a second on a million tickets: nothing here evaluates a ticket's
events. Figures and charts are two calls so the view can show the numbers first.

Definitions (the same as the lists each figure clicks through to):

- *open*: status new, acknowledged, in progress or waiting on client;
- *breached*: an open ticket with a clock past its target: a running clock whose due instant
  has passed (``sla_due_at < now``) or a clock stored as breached;
- *at risk*: an open ticket, not breached, whose running clock has used at least the at-risk
  share (setting, 75%) of its target; measured on the ticket's own clock from the stored due
  instant as one SQL range per target (``at_risk_condition``), the rule the queue's "At risk"
  filter uses too;
- *overdue maintenance*: occurrences not done whose due date is before today;
- *maintenance this week*: occurrences not done due this week, Monday to Sunday;
- *renewals within N days*: ``contracts.renewal_counts`` (paid contracts in force ending within
  N days with no later contract);
- *monthly recurring revenue*: the monthly fees of the contracts in force today;
- *content hours this month*: content-update time logged this month, against the allowances
  of the contracts in force (DESIGN §2).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

from sqlalchemy import and_, func, or_, select
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.orm import Session

from desktop.models import Contract, Occurrence, Ticket, TimeEntry
from desktop.models.enums import OPEN_STATUSES, Priority

from .business_calendar import BusinessCalendar, clock_for
from .contracts import RENEWAL_WINDOWS, active_contract_fees, renewal_counts
from .money import format_money
from .settings import load_settings
from .sla import SlaPolicyTable

UTC = timezone.utc
OPEN = [str(s) for s in OPEN_STATUSES]


@dataclass(frozen=True)
class DashboardFigures:
    now: datetime
    today: date
    open_by_priority: dict[str, int]
    at_risk: int
    breached: int
    overdue_maintenance: int
    maintenance_due_this_week: int
    renewals: dict[int, int]          # window in days → contracts
    mrr: dict[str, Decimal]           # currency → sum of monthly fees
    active_contracts: int
    content_minutes_used: int
    content_minutes_allowance: int
    at_risk_percent: int = 75

    @property
    def open_total(self) -> int:
        return sum(self.open_by_priority.values())

    @property
    def mrr_text(self) -> str:
        if not self.mrr:
            return format_money(Decimal("0.00"))
        return " + ".join(format_money(amount, currency)
                          for currency, amount in sorted(self.mrr.items(),
                                                         key=lambda kv: kv[0] != "INR"))

    @property
    def content_hours_text(self) -> str:
        return f"{hours_text(self.content_minutes_used)} of " \
               f"{hours_text(self.content_minutes_allowance)}"


@dataclass(frozen=True)
class WeekCount:
    week_start: date  # a Monday, in the agency's time zone
    opened: int
    resolved: int


@dataclass(frozen=True)
class MonthSla:
    month: str        # YYYY-MM
    resolved: int     # tickets resolved in the month
    met: int          # of which neither clock was breached

    @property
    def met_percent(self) -> float | None:
        return None if self.resolved == 0 else 100.0 * self.met / self.resolved


@dataclass(frozen=True)
class DashboardCharts:
    weeks: list[WeekCount] = field(default_factory=list)
    sla_months: list[MonthSla] = field(default_factory=list)


def hours_text(minutes: int) -> str:
    """``90`` → ``1 h 30 min``; ``240`` → ``4 h``; ``0`` → ``0 h``; ``60000`` → ``1,000 h``."""
    hours, rest = divmod(int(minutes), 60)
    if rest and hours:
        return f"{hours:,} h {rest} min"
    if rest:
        return f"{rest} min"
    return f"{hours:,} h"


def _now(now: datetime | None) -> datetime:
    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(UTC)


def dashboard_figures(session: Session, now: datetime | None = None) -> DashboardFigures:
    """All the dashboard's numbers at ``now`` (definitions in the module docstring)."""
    now = _now(now)
    settings = load_settings(session)
    today = now.astimezone(settings.zone).date()
    by_priority = {str(p): 0 for p in Priority}
    for priority, count in session.execute(
            select(Ticket.priority, func.count()).where(Ticket.status.in_(OPEN))
            .group_by(Ticket.priority)):
        by_priority[priority] = count
    breached = session.scalar(select(func.count()).select_from(Ticket).where(
        Ticket.status.in_(OPEN),
        or_(Ticket.sla_due_at < now, Ticket.response_breached.is_(True),
            Ticket.resolution_breached.is_(True)))) or 0
    at_risk = session.scalar(select(func.count()).select_from(Ticket).where(
        at_risk_condition(session, now, settings.at_risk_percent))) or 0
    overdue = session.scalar(select(func.count()).select_from(Occurrence).where(
        Occurrence.done_at.is_(None), Occurrence.due < today)) or 0
    monday = today - timedelta(days=today.weekday())
    this_week = session.scalar(select(func.count()).select_from(Occurrence).where(
        Occurrence.done_at.is_(None), Occurrence.due >= monday,
        Occurrence.due <= monday + timedelta(days=6))) or 0
    mrr = active_contract_fees(session, today)
    active = session.scalar(select(func.count()).select_from(Contract).where(
        Contract.start <= today, Contract.end >= today)) or 0
    used, allowance = content_minutes_this_month(session, today)
    return DashboardFigures(
        now=now, today=today, open_by_priority=by_priority, at_risk=at_risk, breached=breached,
        overdue_maintenance=overdue, maintenance_due_this_week=this_week,
        renewals=renewal_counts(session, today, RENEWAL_WINDOWS), mrr=mrr,
        active_contracts=active, content_minutes_used=used, content_minutes_allowance=allowance,
        at_risk_percent=int(settings.at_risk_percent))


def at_risk_condition(session: Session, now: datetime, at_risk_percent: int = 75,
                      calendar: BusinessCalendar | None = None) -> ColumnElement[bool]:
    """SQL for "open, not breached, and the running clock has used at least
    ``at_risk_percent`` of its target at ``now``" (DESIGN §2 "at risk").

    The running clock with the nearest due instant (``sla_due_at``) is the response clock
    while there is no first response, else the resolution clock. A clock with target T on
    clock C is at risk once at most (100 − p)% of T is left, that is when its due instant is at
    or before C.add(now, (100 − p)% · T): one instant per (priority, clock, which, target), so the
    test is a range on the indexed ``sla_due_at``. Tiers sharing a target share the condition.
    """
    now = _now(now)
    calendar = calendar or BusinessCalendar.from_session(session)
    policies = SlaPolicyTable.load(session)
    share = max(0.0, (100 - at_risk_percent) / 100.0)
    tiers = _tier_codes(session)
    groups: dict[tuple[str, str, str, int], list[str | None]] = {}
    for tier in tiers:
        for priority in Priority:
            targets = policies.targets(tier, str(priority))
            for which, minutes in (("response", targets.response_minutes),
                                   ("resolution", targets.resolution_minutes)):
                groups.setdefault((str(priority), targets.clock, which, minutes), []).append(tier)
    parts = []
    for (priority, clock, which, minutes), members in groups.items():
        threshold = clock_for(clock, calendar).add(now, minutes * share)
        condition = [Ticket.priority == priority, Ticket.clock == clock,
                     Ticket.sla_due_at <= threshold,
                     Ticket.first_response_at.is_(None) if which == "response"
                     else Ticket.first_response_at.is_not(None)]
        if set(members) != set(tiers):
            condition.append(_tier_condition(members))
        parts.append(and_(*condition))
    return and_(Ticket.status.in_(OPEN), Ticket.sla_due_at >= now,
                Ticket.response_breached.is_(False), Ticket.resolution_breached.is_(False),
                or_(*parts))


def _tier_condition(members: list[str | None]) -> ColumnElement[bool]:
    named = [t for t in members if t is not None]
    options = []
    if named:
        options.append(Ticket.contract_id.in_(
            select(Contract.id).where(Contract.tier_code.in_(named))))
    if None in members:
        options.append(Ticket.contract_id.is_(None))
    return or_(*options)


def at_risk_ticket_ids(session: Session, now: datetime, at_risk_percent: int = 75,
                       calendar: BusinessCalendar | None = None) -> list[int]:
    """The ids of the tickets ``at_risk_condition`` selects, in id order."""
    return list(session.scalars(select(Ticket.id).where(
        at_risk_condition(session, now, at_risk_percent, calendar)).order_by(Ticket.id)))


def _tier_codes(session: Session) -> list[str | None]:
    from desktop.models import Tier

    return [None, *session.scalars(select(Tier.code))]


def content_minutes_this_month(session: Session, today: date) -> tuple[int, int]:
    """(content-update minutes logged this month by all clients, the sum of the month's
    allowances of the contracts in force today)."""
    first = today.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    used = session.scalar(select(func.coalesce(func.sum(TimeEntry.minutes), 0)).where(
        TimeEntry.category == "content_update", TimeEntry.work_date >= first,
        TimeEntry.work_date < following)) or 0
    allowance = session.scalar(
        select(func.coalesce(func.sum(Contract.content_minutes_allowance), 0))
        .where(Contract.start <= today, Contract.end >= today)) or 0
    return int(used), int(allowance)


def dashboard_charts(session: Session, now: datetime | None = None, weeks: int = 12,
                     months: int = 6) -> DashboardCharts:
    """Tickets opened and resolved per week (the last ``weeks`` weeks, Monday to Sunday in the
    agency's time zone, this week included) and the share of tickets resolved each month (the
    last ``months`` months) with neither clock breached."""
    now = _now(now)
    zone = load_settings(session).zone
    today = now.astimezone(zone).date()
    monday = today - timedelta(days=today.weekday())
    starts = [monday - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]

    def instant(day: date) -> datetime:
        return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)

    week_counts = []
    for start in starts:
        lo, hi = instant(start), instant(start + timedelta(days=7))
        opened = session.scalar(select(func.count()).select_from(Ticket).where(
            Ticket.created_at >= lo, Ticket.created_at < hi)) or 0
        resolved = session.scalar(select(func.count()).select_from(Ticket).where(
            Ticket.resolved_at >= lo, Ticket.resolved_at < hi)) or 0
        week_counts.append(WeekCount(start, opened, resolved))
    month_stats = []
    first = today.replace(day=1)
    month_starts = []
    for _ in range(months):
        month_starts.append(first)
        first = (first - timedelta(days=1)).replace(day=1)
    for start in reversed(month_starts):
        following = (start + timedelta(days=32)).replace(day=1)
        lo, hi = instant(start), instant(following)
        total, met = session.execute(
            select(func.count(),
                   func.coalesce(func.sum(
                       ((Ticket.response_breached.is_(False))
                        & (Ticket.resolution_breached.is_(False))).cast(_int())), 0))
            .where(Ticket.resolved_at >= lo, Ticket.resolved_at < hi)).one()
        month_stats.append(MonthSla(f"{start:%Y-%m}", int(total or 0), int(met or 0)))
    return DashboardCharts(week_counts, month_stats)


def _int():
    from sqlalchemy import Integer

    return Integer()


__all__ = ["DashboardFigures", "DashboardCharts", "WeekCount", "MonthSla", "dashboard_figures",
           "dashboard_charts", "at_risk_ticket_ids", "at_risk_condition", "content_minutes_this_month", "hours_text"]
