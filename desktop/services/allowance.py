"""Content-hour allowance (DESIGN §2): minutes logged on content updates per client and calendar
month, against the contract's allowance (4 h standard, 8 h premium); the excess is billable."""
from __future__ import annotations

import calendar as _calendar
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.models import Contract, Ticket, TimeEntry

CONTENT = "content_update"


@dataclass(frozen=True)
class AllowanceUsage:
    allowance_minutes: int
    used_minutes: int
    billable_minutes: int

    @property
    def remaining_minutes(self) -> int:
        return max(0, self.allowance_minutes - self.used_minutes)

    @property
    def within_minutes(self) -> int:
        """Minutes covered by the allowance."""
        return self.used_minutes - self.billable_minutes


def month_bounds(year: int, month: int) -> tuple[date, date]:
    """First and last day of a calendar month."""
    return date(year, month, 1), date(year, month, _calendar.monthrange(year, month)[1])


def month_allowance(session: Session, client_id: int, year: int, month: int) -> int:
    """The allowance of the client's contract in force in the month: the contract covering the
    month's last day, else the latest one overlapping the month; 0 without a contract. The
    contract's own ``content_minutes_allowance`` is the truth (set from its tier when made)."""
    first, last = month_bounds(year, month)
    row = session.execute(
        select(Contract.content_minutes_allowance)
        .where(Contract.client_id == client_id, Contract.start <= last, Contract.end >= first)
        .order_by((Contract.end >= last).desc(), Contract.start.desc(), Contract.id.desc())
        .limit(1)).first()
    return 0 if row is None else int(row[0] or 0)


def allowance_usage(session: Session, client_id: int, year: int, month: int) -> AllowanceUsage:
    """Content-update minutes the client used in the month (time entries of category
    content_update dated in the month), the allowance, and the billable excess."""
    first, last = month_bounds(year, month)
    used = session.scalar(
        select(func.coalesce(func.sum(TimeEntry.minutes), 0))
        .join(Ticket, Ticket.id == TimeEntry.ticket_id)
        .where(Ticket.client_id == client_id, TimeEntry.category == CONTENT,
               TimeEntry.work_date >= first, TimeEntry.work_date <= last)) or 0
    allowance = month_allowance(session, client_id, year, month)
    used = int(used)
    return AllowanceUsage(allowance, used, max(0, used - allowance))
