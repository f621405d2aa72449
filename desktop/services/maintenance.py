"""The maintenance schedule: occurrences generated from the tier templates (DESIGN §2).

Due dates
- monthly tasks: the last business day of the month (period_key ``YYYY-MM``);
- quarterly tasks: the last business day of the calendar quarter (``YYYY-Qn``);
- annual tasks: the last business day of each contract year, a year counted from the contract's
  start (``Yn``, 1-based);
- tasks placed relative to the end (a template with ``days_before_end``, e.g. contract renewal 30
  days and warranty expiry review 7 days, or any ``once`` task): that many days before the
  contract's (inclusive) end (``end``).
A date on a weekend or holiday moves to the business day before.

Which periods count: a period is part of the contract when the contract is in force on the
period's due date (``start <= due <= end``). So a contract that starts on Saturday 31 January has
no January tasks (they were due on Friday 30th, before it began), and one that ends on Friday the
30th has them; a contract year counts only when the contract runs until its due date, so a
6-month contract has no annual tasks except its renewal. A task placed before the end that would
fall before the contract's start (a contract shorter than the lead time) is due on the first
business day of the contract.

Regenerating (``regenerate``) is idempotent and safe to run at any time: it adds what is missing,
moves undone occurrences whose computed date changed (unless the manager rescheduled them by hand),
removes undone occurrences that fall outside the contract's period, and never touches a done one.
Undone occurrences of a task the tier no longer has are kept while they are overdue (a missed task
stays visible) and removed when they are still ahead.
"""
from __future__ import annotations

import calendar as _calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, Protocol

from sqlalchemy import and_, func, insert, or_, select
from sqlalchemy.orm import Session

from desktop.errors import UserError
from desktop.models import Client, Contract, MaintenanceTemplate, Occurrence, StaffUser
from desktop.models.enums import Cadence, Outcome
from desktop.storage.changes import record_change
from desktop.storage.conflicts import refuse_stale

from .business_calendar import BusinessCalendar
from .maintenance_figures import (FIGURE_FIELDS, FigureField, clean_figures, describe_figures,
                                  figure_defaults, figure_fields)

__all__ = [
    "FIGURE_FIELDS", "FigureField", "OccurrenceRow", "RegenerateCounts", "clean_figures",
    "describe_figures", "due_dates_for", "figure_defaults", "figure_fields",
    "figure_defaults_for", "mark_done", "mark_undone", "occurrence_state", "occurrences_between",
    "overdue_occurrences", "period_key_for", "regenerate", "reschedule", "STATES",
]

STATES = ("done", "due", "overdue")
OUTCOME_LABELS = {"ok": "OK", "issues_found": "Issues found", "skipped": "Skipped"}


# business days -------------------------------------------------------------------------------
class DayCalendar(Protocol):
    def is_business_day(self, d: date) -> bool: ...


def day_calendar(session: Session) -> BusinessCalendar:
    """The agency's business days (DESIGN §2: Monday–Friday minus holidays, both editable),
    the same calendar the SLA clock uses."""
    return BusinessCalendar.from_session(session)


def agency_today(session: Session) -> date:
    """Today's date where the agency works (Settings' time zone), not the machine's."""
    from .settings import load_settings

    return datetime.now(load_settings(session).zone).date()


def last_business_day_on_or_before(cal: DayCalendar, d: date) -> date:
    """``d`` itself when it is a business day, else the business day before it."""
    for _ in range(400):  # a year with no business day at all is a broken calendar
        if cal.is_business_day(d):
            return d
        d -= timedelta(days=1)
    raise UserError("the business calendar has no working days; check the holidays and "
                    "business days in Settings")


def first_business_day_on_or_after(cal: DayCalendar, d: date) -> date:
    for _ in range(400):
        if cal.is_business_day(d):
            return d
        d += timedelta(days=1)
    raise UserError("the business calendar has no working days; check the holidays and "
                    "business days in Settings")


def _month_end(year: int, month: int) -> date:
    return date(year, month, _calendar.monthrange(year, month)[1])


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February in a year that has none
        return d.replace(year=d.year + years, day=28)


# the schedule ---------------------------------------------------------------------------------
def is_end_placed(cadence: str, days_before_end: int | None) -> bool:
    return days_before_end is not None or cadence == Cadence.ONCE


def due_dates_for(cadence: str, days_before_end: int | None, start: date, end: date,
                  cal: DayCalendar) -> dict[str, date]:
    """period_key -> due date of one task over a contract period [start, end] (DESIGN §2)."""
    if end < start:
        return {}
    dues: dict[str, date] = {}
    if is_end_placed(cadence, days_before_end):
        due = last_business_day_on_or_before(cal, end - timedelta(days=days_before_end or 0))
        if due < start:
            due = first_business_day_on_or_after(cal, start)
            if due > end:
                due = last_business_day_on_or_before(cal, end)
        dues["end"] = due
    elif cadence == Cadence.MONTHLY:
        year, month = start.year, start.month
        while (year, month) <= (end.year, end.month):
            due = last_business_day_on_or_before(cal, _month_end(year, month))
            if start <= due <= end:
                dues[f"{year:04d}-{month:02d}"] = due
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    elif cadence == Cadence.QUARTERLY:
        year, quarter = start.year, (start.month - 1) // 3 + 1
        while (year, quarter) <= (end.year, (end.month - 1) // 3 + 1):
            due = last_business_day_on_or_before(cal, _month_end(year, quarter * 3))
            if start <= due <= end:
                dues[f"{year:04d}-Q{quarter}"] = due
            year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    elif cadence == Cadence.ANNUAL:
        n = 1
        while (year_start := _add_years(start, n - 1)) <= end:
            year_end = _add_years(start, n) - timedelta(days=1)
            due = last_business_day_on_or_before(cal, year_end)
            if start <= due <= end and due >= year_start:
                dues[f"Y{n}"] = due
            n += 1
    return dues


def period_key_for(cadence: str, days_before_end: int | None, contract_start: date,
                   day: date) -> str:
    """The period_key an occurrence due on ``day`` belongs to (for importing done work)."""
    if is_end_placed(cadence, days_before_end):
        return "end"
    if cadence == Cadence.MONTHLY:
        return f"{day.year:04d}-{day.month:02d}"
    if cadence == Cadence.QUARTERLY:
        return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"
    if cadence == Cadence.ANNUAL:
        n = 1
        while _add_years(contract_start, n) <= day:
            n += 1
        return f"Y{n}"
    raise UserError(f"unknown cadence {cadence!r}")


def _key_matches_cadence(key: str, cadence: str, days_before_end: int | None) -> bool:
    if is_end_placed(cadence, days_before_end):
        return key == "end"
    if cadence == Cadence.MONTHLY:
        return len(key) == 7 and key[4] == "-" and key[5:].isdigit()
    if cadence == Cadence.QUARTERLY:
        return "-Q" in key
    if cadence == Cadence.ANNUAL:
        return key.startswith("Y")
    return False


@dataclass(frozen=True)
class _Plan:
    task: str
    name: str
    cadence: str
    days_before_end: int | None


@dataclass
class RegenerateCounts:
    created: int = 0
    moved: int = 0
    removed: int = 0
    kept_done: int = 0
    contracts: int = 0

    def __str__(self) -> str:
        return (f"{self.created} created, {self.moved} moved, {self.removed} removed "
                f"({self.contracts} contracts)")


def regenerate(session: Session, today: date | None = None,
               contract_ids: list[int] | None = None) -> RegenerateCounts:
    """Bring the occurrences of the contracts (all, or ``contract_ids``) in line with their
    tiers' templates and periods (DESIGN §2; rules in this module's docstring).

    Idempotent: a second run changes nothing. Done occurrences are never changed or removed.
    """
    today = today or agency_today(session)
    cal = day_calendar(session)
    counts = RegenerateCounts()
    templates: dict[str, dict[str, _Plan]] = defaultdict(dict)
    for template in session.scalars(select(MaintenanceTemplate).order_by(
            MaintenanceTemplate.sort_order, MaintenanceTemplate.id)):
        if template.active:
            templates[template.tier_code][template.task] = _Plan(
                template.task, template.name, template.cadence, template.days_before_end)
    plans: dict[tuple, dict[str, date]] = {}  # contracts sharing a period share due dates
    contract_query = select(Contract).order_by(Contract.id)
    # plain columns, not ORM objects: a no-change pass over a large schedule stays quick
    occurrence_query = select(
        Occurrence.id, Occurrence.contract_id, Occurrence.client_id, Occurrence.task,
        Occurrence.period_key, Occurrence.name, Occurrence.cadence, Occurrence.due,
        Occurrence.done_at.is_not(None).label("done"), Occurrence.rescheduled,
    ).where(Occurrence.contract_id.is_not(None))
    if contract_ids is not None:
        ids = list(contract_ids)
        if not ids:
            return counts
        contract_query = contract_query.where(Contract.id.in_(ids))
        occurrence_query = occurrence_query.where(Occurrence.contract_id.in_(ids))
    contracts = list(session.scalars(contract_query))
    existing: dict[int, dict[tuple[str, str], Any]] = defaultdict(dict)
    for occ in session.execute(occurrence_query):
        existing[occ.contract_id][(occ.task, occ.period_key)] = occ
    touched: list[int] = []
    created: list[dict] = []

    for contract in contracts:
        counts.contracts += 1
        tier_templates = templates.get(contract.tier_code, {})
        expected: dict[tuple[str, str], tuple[_Plan, date]] = {}
        for task, template in tier_templates.items():
            plan_key = (template.cadence, template.days_before_end, contract.start, contract.end)
            if plan_key not in plans:
                plans[plan_key] = due_dates_for(*plan_key, cal)
            for key, due in plans[plan_key].items():
                expected[(task, key)] = (template, due)
        have = existing.get(contract.id, {})
        for key, occ in have.items():
            if occ.done:
                counts.kept_done += 1
                continue
            if key in expected:
                template, due = expected[key]
                changes: dict[str, Any] = {}
                if not occ.rescheduled and occ.due != due:
                    changes["due"] = due
                    counts.moved += 1
                if occ.name != template.name or occ.cadence != template.cadence:
                    changes.update(name=template.name, cadence=template.cadence)
                if occ.client_id != contract.client_id:
                    changes["client_id"] = contract.client_id
                if changes:
                    row = session.get(Occurrence, occ.id)
                    for column, value in changes.items():
                        setattr(row, column, value)
                    touched.append(occ.id)
                continue
            template = tier_templates.get(occ.task)
            period_dropped = (template is not None and _key_matches_cadence(
                occ.period_key, template.cadence, template.days_before_end))
            if period_dropped or occ.due >= today:
                touched.append(occ.id)
                session.delete(session.get(Occurrence, occ.id))
                counts.removed += 1
            # else: the task left the tier but this one was missed: it stays, overdue
        for key, (template, due) in expected.items():
            if key in have:
                continue
            created.append({"contract_id": contract.id, "client_id": contract.client_id,
                            "task": template.task, "name": template.name,
                            "cadence": template.cadence, "period_key": key[1], "due": due,
                            "notes": "", "rescheduled": False, "version": 1})
            counts.created += 1
    with refuse_stale("occurrence"):
        session.flush()
    if len(created) + len(touched) > NOTIFY_EACH_LIMIT:
        # a whole schedule at once (a new database, a demo): one bulk INSERT, one notice
        for start in range(0, len(created), 5000):
            session.execute(insert(Occurrence), created[start:start + 5000])
        _notify(session, touched + [0] * len(created))
    else:
        rows = [Occurrence(**values) for values in created]
        session.add_all(rows)
        session.flush()
        _notify(session, touched + [occ.id for occ in rows])
    return counts


NOTIFY_EACH_LIMIT = 50


def _notify(session: Session, ids: list[int]) -> None:
    """One change notice per row for an ordinary edit; one for the whole kind after a bulk
    regeneration (a demo database's thousands of rows would otherwise mean thousands of notices)."""
    if len(ids) <= NOTIFY_EACH_LIMIT:
        for row_id in ids:
            record_change(session, "occurrence", row_id)
    elif ids:
        record_change(session, "occurrence", None)


# states and reading ---------------------------------------------------------------------------
def occurrence_state(occ, today: date) -> str:  # noqa: ANN001 - an Occurrence or OccurrenceRow
    """done when done; overdue once its due date has passed undone; due otherwise."""
    if occ.done_at is not None:
        return "done"
    return "overdue" if occ.due < today else "due"


@dataclass(frozen=True)
class OccurrenceRow:
    """An occurrence as plain data for views, the ICS export and reports."""

    id: int
    contract_id: int | None
    client_id: int
    client_name: str
    tier_code: str | None
    task: str
    name: str
    cadence: str
    period_key: str
    due: date
    done_at: datetime | None
    done_by_id: int | None
    done_by_name: str
    outcome: str | None
    notes: str
    figures: dict | None
    rescheduled: bool
    version: int

    def state(self, today: date) -> str:
        return occurrence_state(self, today)

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS.get(self.outcome or "", "")

    @property
    def figure_lines(self) -> list[str]:
        return describe_figures(self.task, self.figures)


def _row_query():
    return (select(Occurrence, Client.name, Contract.tier_code, StaffUser.display_name,
                   StaffUser.username)
            .join(Client, Client.id == Occurrence.client_id)
            .outerjoin(Contract, Contract.id == Occurrence.contract_id)
            .outerjoin(StaffUser, StaffUser.id == Occurrence.done_by_id))


def _rows(session: Session, query) -> list[OccurrenceRow]:  # noqa: ANN001
    rows = []
    for occ, client_name, tier_code, display_name, username in session.execute(query):
        rows.append(OccurrenceRow(
            id=occ.id, contract_id=occ.contract_id, client_id=occ.client_id,
            client_name=client_name, tier_code=tier_code, task=occ.task, name=occ.name,
            cadence=occ.cadence, period_key=occ.period_key, due=occ.due, done_at=occ.done_at,
            done_by_id=occ.done_by_id, done_by_name=display_name or username or "",
            outcome=occ.outcome, notes=occ.notes or "", figures=occ.figures,
            rescheduled=bool(occ.rescheduled), version=occ.version))
    return rows


def _filtered(query, client_id: int | None, tier: str | None):  # noqa: ANN001, ANN202
    if client_id is not None:
        query = query.where(Occurrence.client_id == client_id)
    if tier:
        query = query.where(Contract.tier_code == tier)
    return query.order_by(Occurrence.due, Client.name, Occurrence.id)


def occurrences_between(session: Session, start: date, end: date, client_id: int | None = None,
                        tier: str | None = None) -> list[OccurrenceRow]:
    """Occurrences due from ``start`` to ``end`` inclusive, by due date then client."""
    query = _row_query().where(Occurrence.due >= start, Occurrence.due <= end)
    return _rows(session, _filtered(query, client_id, tier))


def overdue_occurrences(session: Session, today: date, client_id: int | None = None,
                        tier: str | None = None) -> list[OccurrenceRow]:
    """Every undone occurrence due before ``today``, however old (missed ones stay visible)."""
    query = _row_query().where(Occurrence.done_at.is_(None), Occurrence.due < today)
    return _rows(session, _filtered(query, client_id, tier))


def count_overdue(session: Session, today: date, client_id: int | None = None,
                  tier: str | None = None) -> int:
    """How many undone occurrences are past their due date (the dashboard's figure)."""
    query = select(func.count()).select_from(Occurrence).where(
        Occurrence.done_at.is_(None), Occurrence.due < today)
    if client_id is not None:
        query = query.where(Occurrence.client_id == client_id)
    if tier:
        query = query.join(Contract, Contract.id == Occurrence.contract_id).where(
            Contract.tier_code == tier)
    return session.scalar(query) or 0


def get_occurrence(session: Session, occurrence_id: int) -> OccurrenceRow:
    rows = _rows(session, _row_query().where(Occurrence.id == occurrence_id))
    if not rows:
        raise UserError("this maintenance task no longer exists; it may have been removed when "
                        "its contract changed")
    return rows[0]


def previous_figures(session: Session, occurrence_id: int) -> dict | None:
    """The figures of the latest earlier done occurrence of the same task for the same client."""
    occ = session.get(Occurrence, occurrence_id)
    if occ is None:
        return None
    return session.scalar(
        select(Occurrence.figures)
        .where(Occurrence.client_id == occ.client_id, Occurrence.task == occ.task,
               Occurrence.id != occ.id, Occurrence.done_at.is_not(None),
               Occurrence.figures.is_not(None),
               or_(Occurrence.due < occ.due, and_(Occurrence.due == occ.due,
                                                  Occurrence.id < occ.id)))
        .order_by(Occurrence.due.desc(), Occurrence.id.desc()).limit(1))


def figure_defaults_for(session: Session, occurrence_id: int) -> dict:
    """The "mark done" form's starting figures: the occurrence's own when it is done already,
    else defaults from last month's occurrence of the same task for that client (DESIGN §2)."""
    occ = session.get(Occurrence, occurrence_id)
    if occ is None:
        raise UserError("this maintenance task no longer exists")
    if occ.done_at is not None and occ.figures:
        return dict(occ.figures)
    return figure_defaults(occ.task, previous_figures(session, occurrence_id))


# writing --------------------------------------------------------------------------------------
def _load_for_write(session: Session, occurrence_id: int, version: int | None) -> Occurrence:
    occ = session.get(Occurrence, occurrence_id)
    if occ is None:
        raise UserError("this maintenance task no longer exists; it may have been removed when "
                        "its contract changed")
    if version is not None and occ.version != version:
        from desktop.errors import StaleDataError

        raise StaleDataError("this maintenance task was changed by someone else since you "
                             "opened it; your changes were not saved",
                             kind="occurrence", row_id=occurrence_id)
    return occ


def mark_done(session: Session, occurrence_id: int, outcome: str, notes: str = "",
              figures: dict | None = None, done_by_id: int | None = None,
              now: datetime | None = None, version: int | None = None) -> OccurrenceRow:
    """Record a task as done (DESIGN §2): when, by whom, the outcome (ok / issues found /
    skipped), notes and exactly the task's figures. Marking a done task again edits it."""
    now = now or datetime.now(timezone.utc)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    try:
        outcome = Outcome(outcome).value
    except ValueError:
        raise UserError(f"outcome {outcome!r} is not one of ok, issues_found, skipped") from None
    occ = _load_for_write(session, occurrence_id, version)
    skipped = outcome == Outcome.SKIPPED
    # a skipped task measured nothing: its figures are optional
    cleaned = (None if skipped and not figures
               else clean_figures(occ.task, figures, required=not skipped))
    if done_by_id is not None and session.get(StaffUser, done_by_id) is None:
        raise UserError("the person who did this task is not a known staff user")
    if outcome == Outcome.SKIPPED and not (notes or "").strip():
        raise UserError("say in the notes why this task was skipped")
    occ.done_at = now if occ.done_at is None else occ.done_at
    occ.done_by_id = done_by_id
    occ.outcome = outcome
    occ.notes = (notes or "").strip()
    occ.figures = cleaned
    with refuse_stale("maintenance task", occurrence_id):
        session.flush()
    record_change(session, "occurrence", occ.id)
    return get_occurrence(session, occ.id)


def needs_figures(task: str) -> bool:
    """True when the task's form has a figure that must be filled in (so it cannot be marked
    done in bulk)."""
    return any(f.required for f in figure_fields(task))


def mark_many_done(session: Session, occurrence_ids: list[int], outcome: str, notes: str = "",
                   done_by_id: int | None = None, now: datetime | None = None
                   ) -> tuple[list[OccurrenceRow], list[OccurrenceRow]]:
    """Mark several undone tasks done at once with one outcome and note (a month's security
    scans for twenty clients, say). Tasks that must record figures (backup verification,
    uptime review, performance check) are left for their own form unless skipped; tasks done
    already are left as they are. Returns (marked, left)."""
    marked, left = [], []
    for occurrence_id in occurrence_ids:
        occ = session.get(Occurrence, occurrence_id)
        if occ is None or occ.done_at is not None:
            continue
        if outcome != Outcome.SKIPPED and needs_figures(occ.task):
            left.append(get_occurrence(session, occurrence_id))
            continue
        marked.append(mark_done(session, occurrence_id, outcome, notes,
                                None if outcome == Outcome.SKIPPED else {}, done_by_id, now))
    return marked, left


def mark_undone(session: Session, occurrence_id: int, version: int | None = None) -> OccurrenceRow:
    """Undo a "mark done" made by mistake; the task is due (or overdue) again."""
    occ = _load_for_write(session, occurrence_id, version)
    occ.done_at = None
    occ.done_by_id = None
    occ.outcome = None
    with refuse_stale("maintenance task", occurrence_id):
        session.flush()
    record_change(session, "occurrence", occ.id)
    return get_occurrence(session, occ.id)


def reschedule(session: Session, occurrence_id: int, new_due: date,
               version: int | None = None) -> OccurrenceRow:
    """Move an undone task to another day; regenerating keeps the day chosen."""
    if not isinstance(new_due, date) or isinstance(new_due, datetime):
        raise UserError("choose the new due date as a day")
    occ = _load_for_write(session, occurrence_id, version)
    if occ.done_at is not None:
        raise UserError("this task is done already; mark it not done before moving it")
    if occ.contract_id is not None:
        contract = session.get(Contract, occ.contract_id)
        if contract is not None and not (contract.start <= new_due <= contract.end):
            raise UserError(f"{new_due.isoformat()} is outside the contract "
                            f"({contract.start.isoformat()} to {contract.end.isoformat()})")
    if occ.due != new_due:
        occ.due = new_due
        occ.rescheduled = True
        with refuse_stale("maintenance task", occurrence_id):
            session.flush()
        record_change(session, "occurrence", occ.id)
    return get_occurrence(session, occ.id)


@dataclass
class DayCounts:
    """How many occurrences of each state fall on a day (the month grid's badges)."""

    done: int = 0
    due: int = 0
    overdue: int = 0
    rows: list[OccurrenceRow] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.done + self.due + self.overdue


def counts_by_day(rows: list[OccurrenceRow], today: date) -> dict[date, DayCounts]:
    days: dict[date, DayCounts] = defaultdict(DayCounts)
    for row in rows:
        entry = days[row.due]
        state = row.state(today)
        setattr(entry, state, getattr(entry, state) + 1)
        entry.rows.append(row)
    return dict(days)
