"""First-run seeding of tiers, SLA policy, templates, holidays and settings (DESIGN §2).

Idempotent: each part is seeded only when its table is empty, so user edits are never undone.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.models import Holiday, MaintenanceTemplate, Setting, SlaPolicy, Tier

from . import catalog


def india_holidays(years: list[int]) -> list[tuple[date, str]]:
    import holidays

    return sorted(holidays.country_holidays("IN", years=years).items())


def ensure_seeded(session: Session, today: date | None = None) -> None:
    today = today or date.today()
    if not session.scalar(select(func.count()).select_from(Tier)):
        for order, (code, name, fee, channels, minutes) in enumerate(catalog.TIERS):
            session.add(Tier(code=code, name=name, monthly_fee=fee, currency="INR",
                             channels=channels, content_minutes_per_month=minutes,
                             sort_order=order))
        session.flush()
    if not session.scalar(select(func.count()).select_from(SlaPolicy)):
        for tier, priority, clock, response, resolution in catalog.seeded_policies():
            session.add(SlaPolicy(tier_code=tier, priority=priority, clock=clock,
                                  response_minutes=response, resolution_minutes=resolution))
    if not session.scalar(select(func.count()).select_from(MaintenanceTemplate)):
        for order, (task, name, cadence, tiers, days_before_end) in enumerate(catalog.TEMPLATES):
            for tier in tiers:
                session.add(MaintenanceTemplate(tier_code=tier, task=task, name=name,
                                                cadence=cadence, days_before_end=days_before_end,
                                                sort_order=order))
    if not session.scalar(select(func.count()).select_from(Holiday)):
        for day, name in india_holidays([today.year, today.year + 1]):
            session.add(Holiday(day=day, name=name))
    existing = set(session.scalars(select(Setting.key)))
    for key, value in catalog.DEFAULT_SETTINGS.items():
        if key not in existing:
            session.add(Setting(key=key, value=value))
    session.flush()
