"""Editing the agency's policy: settings, tiers, SLA targets and holidays (DESIGN §2 "seeded,
editable in Settings"). Changes that move SLA clocks re-measure the open tickets."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.errors import UserError
from desktop.models import Holiday, SlaPolicy, Ticket, Tier
from desktop.models.enums import OPEN_STATUSES, Clock, Priority
from desktop.storage.changes import record_change

from .settings import AgencySettings, load_settings, save_settings

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class TierRow:
    code: str
    name: str
    monthly_fee: Decimal
    channels: str
    content_hours: Decimal


@dataclass(frozen=True)
class PolicyRow:
    tier_code: str
    priority: str
    clock: str
    response_minutes: int
    resolution_minutes: int


def validate_settings(settings: AgencySettings) -> None:
    """Refuse settings that would break clocks or reports, naming the field."""
    if not settings.agency_name.strip():
        raise UserError("Agency name: it is required")
    if settings.support_email and not EMAIL.match(settings.support_email):
        raise UserError(f"Support e-mail: '{settings.support_email}' is not an e-mail address")
    try:
        ZoneInfo(settings.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError(f"Time zone: '{settings.time_zone}' is not a known time zone") from None
    try:
        start, end = time.fromisoformat(settings.business_start), time.fromisoformat(settings.business_end)
    except ValueError:
        raise UserError("Business hours: use HH:MM, for example 09:00 and 18:00") from None
    if end <= start:
        raise UserError("Business hours: the end must be after the start")
    if not settings.business_days or not set(settings.business_days) <= set(range(7)):
        raise UserError("Business days: choose at least one weekday")
    if not 1 <= int(settings.at_risk_percent) <= 99:
        raise UserError("At-risk threshold: give a percentage between 1 and 99")
    if not 0 <= int(settings.follow_up_business_days) <= 30:
        raise UserError("Follow-up: give a number of business days between 0 and 30")


def update_settings(session: Session, settings: AgencySettings, now: datetime | None = None) -> int:
    """Save settings; if the business clock changed, re-measure open tickets. Returns how many."""
    validate_settings(settings)
    before = load_settings(session)
    save_settings(session, settings)
    record_change(session, "settings")
    clock_keys = ("time_zone", "business_start", "business_end", "business_days", "at_risk_percent")
    if any(getattr(before, k) != getattr(settings, k) for k in clock_keys):
        return remeasure_open_tickets(session, now)
    return 0


def list_tiers(session: Session) -> list[TierRow]:
    return [TierRow(t.code, t.name, t.monthly_fee, t.channels,
                    Decimal(t.content_minutes_per_month) / 60)
            for t in session.scalars(select(Tier).order_by(Tier.sort_order))]


def update_tier(session: Session, code: str, *, monthly_fee: Decimal, channels: str,
                content_hours: Decimal) -> None:
    tier = session.get(Tier, code)
    if tier is None:
        raise UserError(f"there is no tier '{code}'")
    if monthly_fee < 0:
        raise UserError(f"{tier.name} fee: it cannot be negative")
    if content_hours < 0 or content_hours > 744:
        raise UserError(f"{tier.name} content hours: give hours between 0 and 744")
    tier.monthly_fee = monthly_fee
    tier.channels = channels.strip()
    tier.content_minutes_per_month = int(content_hours * 60)
    session.flush()
    record_change(session, "settings")


def list_policies(session: Session) -> list[PolicyRow]:
    rows = session.scalars(select(SlaPolicy)).all()
    order = {p.value: i for i, p in enumerate(Priority)}
    tiers = {t.code: t.sort_order for t in session.scalars(select(Tier))}
    rows.sort(key=lambda p: (tiers.get(p.tier_code, 99), order.get(p.priority, 9)))
    return [PolicyRow(p.tier_code, p.priority, p.clock, p.response_minutes, p.resolution_minutes)
            for p in rows]


def update_policy(session: Session, tier_code: str, priority: str, *, clock: str,
                  response_minutes: int, resolution_minutes: int,
                  now: datetime | None = None) -> int:
    if clock not in {c.value for c in Clock}:
        raise UserError(f"clock: '{clock}' is not one of business, 24x7")
    if response_minutes <= 0 or resolution_minutes <= 0:
        raise UserError(f"{tier_code} {priority}: targets must be longer than zero")
    if response_minutes > resolution_minutes:
        raise UserError(f"{tier_code} {priority}: the response target cannot exceed the "
                        "resolution target")
    row = session.scalar(select(SlaPolicy).where(SlaPolicy.tier_code == tier_code,
                                                 SlaPolicy.priority == priority))
    if row is None:
        raise UserError(f"there is no SLA policy for {tier_code} {priority}")
    if (row.clock, row.response_minutes, row.resolution_minutes) == (
            clock, response_minutes, resolution_minutes):
        return 0
    row.clock, row.response_minutes, row.resolution_minutes = clock, response_minutes, resolution_minutes
    session.flush()
    record_change(session, "settings")
    return remeasure_open_tickets(session, now)


def list_holidays(session: Session, year: int | None = None) -> list[tuple[date, str]]:
    query = select(Holiday).order_by(Holiday.day)
    rows = session.scalars(query).all()
    return [(h.day, h.name) for h in rows if year is None or h.day.year == year]


def add_holiday(session: Session, day: date, name: str, now: datetime | None = None) -> int:
    if not name.strip():
        raise UserError("Holiday: give it a name")
    if session.get(Holiday, day) is not None:
        raise UserError(f"{day.isoformat()} is already a holiday")
    session.add(Holiday(day=day, name=name.strip()))
    session.flush()
    record_change(session, "settings")
    return remeasure_open_tickets(session, now)


def remove_holiday(session: Session, day: date, now: datetime | None = None) -> int:
    holiday = session.get(Holiday, day)
    if holiday is None:
        raise UserError(f"{day.isoformat()} is not a holiday")
    session.delete(holiday)
    session.flush()
    record_change(session, "settings")
    return remeasure_open_tickets(session, now)


def add_india_holidays(session: Session, year: int, now: datetime | None = None) -> int:
    """Add the ``holidays`` package's India calendar for a year (existing days are kept)."""
    from .seed import india_holidays

    added = 0
    for day, name in india_holidays([year]):
        if session.get(Holiday, day) is None:
            session.add(Holiday(day=day, name=name))
            added += 1
    session.flush()
    if added:
        record_change(session, "settings")
        remeasure_open_tickets(session, now)
    return added


def remeasure_open_tickets(session: Session, now: datetime | None = None) -> int:
    """Recompute stored due instants of open tickets after a clock-moving change."""
    try:
        from .sla import recompute_tickets
    except ImportError:  # the SLA service is not part of this build
        return 0
    ids = session.scalars(select(Ticket.id).where(Ticket.status.in_(OPEN_STATUSES))).all()
    if not ids:
        return 0
    return recompute_tickets(session, now or datetime.now(timezone.utc), ticket_ids=ids)
