"""Editing the maintenance templates per tier (DESIGN §2: "seeded templates per tier, editable").

Every change brings the schedules of that tier's contracts up to date at once (``regenerate``):
a new task appears in every period, a removed one disappears from the periods still ahead (done
and overdue occurrences stay), a renamed one is renamed where not done yet, a new cadence
re-plans the undone ones. A task's code stays fixed when it is renamed, so its figures (backup,
uptime, performance…) keep being recorded and compared.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.errors import StaleDataError, UserError
from desktop.models import Contract, MaintenanceTemplate, Tier
from desktop.models.enums import Cadence
from desktop.storage.changes import record_change
from desktop.storage.conflicts import refuse_stale

from .maintenance import RegenerateCounts, regenerate

CADENCE_LABELS = {"monthly": "Monthly", "quarterly": "Quarterly", "annual": "Annual",
                  "once": "Once"}
MAX_DAYS_BEFORE_END = 365


@dataclass(frozen=True)
class TemplateRow:
    id: int
    tier_code: str
    task: str
    name: str
    cadence: str
    days_before_end: int | None
    active: bool
    sort_order: int
    version: int

    @property
    def placement(self) -> str:
        """In words, when the task falls due (DESIGN §2)."""
        if self.days_before_end is not None or self.cadence == Cadence.ONCE:
            days = self.days_before_end or 0
            return (f"{days} day{'s' if days != 1 else ''} before the contract ends"
                    if days else "on the contract's last business day")
        return {"monthly": "last business day of each month",
                "quarterly": "last business day of each calendar quarter",
                "annual": "last business day of each contract year"}.get(self.cadence, "")


def _row(t: MaintenanceTemplate) -> TemplateRow:
    return TemplateRow(t.id, t.tier_code, t.task, t.name, t.cadence, t.days_before_end,
                       bool(t.active), t.sort_order, t.version)


def list_tiers(session: Session) -> list[tuple[str, str]]:
    return [(code, name) for code, name in session.execute(
        select(Tier.code, Tier.name).order_by(Tier.sort_order, Tier.code))]


def list_templates(session: Session, tier_code: str) -> list[TemplateRow]:
    return [_row(t) for t in session.scalars(
        select(MaintenanceTemplate).where(MaintenanceTemplate.tier_code == tier_code)
        .order_by(MaintenanceTemplate.sort_order, MaintenanceTemplate.id))]


def task_code(name: str) -> str:
    """A stable code from a name: "SEO review" -> "seo_review"."""
    code = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    return code[:50] or "task"


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise UserError("a maintenance task needs a name")
    if len(name) > 200:
        raise UserError("a task name can be at most 200 characters long")
    return name


def _check_cadence(cadence: str, days_before_end: int | None) -> tuple[str, int | None]:
    if cadence not in CADENCE_LABELS:
        raise UserError(f"cadence {cadence!r} is not one of monthly, quarterly, annual, once")
    if days_before_end is not None:
        if not 0 <= int(days_before_end) <= MAX_DAYS_BEFORE_END:
            raise UserError(f"days before the contract's end must be from 0 to "
                            f"{MAX_DAYS_BEFORE_END}")
        days_before_end = int(days_before_end)
    return cadence, days_before_end


def _regenerate_tier(session: Session, tier_code: str, today: date | None) -> RegenerateCounts:
    ids = list(session.scalars(select(Contract.id).where(Contract.tier_code == tier_code)))
    return regenerate(session, today=today, contract_ids=ids)


def _load(session: Session, template_id: int, version: int | None) -> MaintenanceTemplate:
    template = session.get(MaintenanceTemplate, template_id)
    if template is None:
        raise UserError("this maintenance task was removed by someone else")
    if version is not None and template.version != version:
        raise StaleDataError("this maintenance task was changed by someone else since you "
                             "opened it; your change was not saved",
                             kind="template", row_id=template_id)
    return template


def add_template(session: Session, tier_code: str, name: str, cadence: str,
                 days_before_end: int | None = None, today: date | None = None
                 ) -> tuple[TemplateRow, RegenerateCounts]:
    """Add a task to a tier; its contracts get it in every period at once."""
    name = _check_name(name)
    cadence, days_before_end = _check_cadence(cadence, days_before_end)
    if session.get(Tier, tier_code) is None:
        raise UserError(f"there is no tier {tier_code!r}")
    existing = list_templates(session, tier_code)
    if any(t.name.lower() == name.lower() for t in existing):
        raise UserError(f"{name} is already a task of this tier")
    code, n = task_code(name), 2
    codes = {t.task for t in existing}
    base = code
    while code in codes:
        code = f"{base[:46]}_{n}"
        n += 1
    order = (session.scalar(select(func.max(MaintenanceTemplate.sort_order))) or 0) + 1
    template = MaintenanceTemplate(tier_code=tier_code, task=code, name=name, cadence=cadence,
                                   days_before_end=days_before_end, active=True,
                                   sort_order=order)
    session.add(template)
    session.flush()
    record_change(session, "settings", f"template:{template.id}")
    counts = _regenerate_tier(session, tier_code, today)
    return _row(template), counts


def update_template(session: Session, template_id: int, version: int | None = None, *,
                    name: str | None = None, cadence: str | None = None,
                    days_before_end: int | None | type[...] = ...,
                    active: bool | None = None, today: date | None = None
                    ) -> tuple[TemplateRow, RegenerateCounts]:
    """Rename, change the cadence or placement, or pause/resume a tier's task."""
    template = _load(session, template_id, version)
    if name is not None:
        name = _check_name(name)
        clash = session.scalar(select(MaintenanceTemplate.id).where(
            MaintenanceTemplate.tier_code == template.tier_code,
            func.lower(MaintenanceTemplate.name) == name.lower(),
            MaintenanceTemplate.id != template.id))
        if clash is not None:
            raise UserError(f"{name} is already a task of this tier")
        template.name = name
    new_days = template.days_before_end if days_before_end is ... else days_before_end
    new_cadence, new_days = _check_cadence(cadence or template.cadence, new_days)
    template.cadence, template.days_before_end = new_cadence, new_days
    if active is not None:
        template.active = bool(active)
    with refuse_stale("maintenance task", template_id):
        session.flush()
    record_change(session, "settings", f"template:{template.id}")
    counts = _regenerate_tier(session, template.tier_code, today)
    return _row(template), counts


def remove_template(session: Session, template_id: int, version: int | None = None,
                    today: date | None = None) -> RegenerateCounts:
    """Remove a task from a tier: ahead of today it leaves the schedules; done work and missed
    (overdue) occurrences stay."""
    template = _load(session, template_id, version)
    tier_code = template.tier_code
    session.delete(template)
    with refuse_stale("maintenance task", template_id):
        session.flush()
    record_change(session, "settings", f"template:{template_id}")
    return _regenerate_tier(session, tier_code, today)
