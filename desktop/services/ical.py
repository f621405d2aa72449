"""Maintenance occurrences as iCalendar (DESIGN §6 ``aftercare calendar``), with ``icalendar``.

One all-day VEVENT per occurrence: SUMMARY "Task — Client", DESCRIPTION with the state, outcome,
who did it, notes and figures. The UID names the contract, task and period, so a calendar
application that imports a later export updates the event instead of adding a second one;
SEQUENCE is the row's version, so the newer copy wins.
"""
from __future__ import annotations

import os
from datetime import date, datetime, timedelta, timezone

from icalendar import Calendar, Event
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.errors import UserError
from desktop.models import Client
from desktop.storage.files import atomic_path

from .maintenance import OccurrenceRow, agency_today, occurrences_between

PRODID = "-//Aftercare//Maintenance calendar//EN"
STATE_LABELS = {"done": "Done", "due": "Due", "overdue": "Overdue"}


def occurrence_uid(row: OccurrenceRow) -> str:
    """Stable across exports and databases holding the same contract's schedule."""
    if row.contract_id is None:
        return f"occ-{row.client_id}-{row.task}-{row.period_key}-{row.id}@aftercare"
    return f"occ-{row.contract_id}-{row.task}-{row.period_key}@aftercare"


def describe(row: OccurrenceRow, today: date) -> str:
    state = row.state(today)
    lines = [f"State: {STATE_LABELS[state]}"]
    if state != "done":
        lines[0] += f" (due {row.due.isoformat()})"
    if row.outcome:
        lines.append(f"Outcome: {row.outcome_label}")
    if row.done_at is not None:
        who = f" by {row.done_by_name}" if row.done_by_name else ""
        lines.append(f"Done{who} on {row.done_at.date().isoformat()}")
    if row.notes:
        lines.append(f"Notes: {row.notes}")
    lines.extend(row.figure_lines)
    if row.tier_code:
        lines.append(f"Contract tier: {row.tier_code}")
    return "\n".join(lines)


def build_calendar(rows: list[OccurrenceRow], today: date, now: datetime,
                   name: str = "Maintenance") -> bytes:
    """The VCALENDAR for these occurrences, as bytes (CRLF lines, folded per RFC 5545)."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    stamp = now.astimezone(timezone.utc)
    for row in rows:
        event = Event()
        event.add("uid", occurrence_uid(row))
        event.add("dtstamp", stamp)
        event.add("dtstart", row.due)
        event.add("dtend", row.due + timedelta(days=1))
        event.add("summary", f"{row.name} — {row.client_name}")
        event.add("description", describe(row, today))
        event.add("categories", [STATE_LABELS[row.state(today)], "Maintenance"])
        event.add("sequence", max(0, row.version - 1))
        event.add("transp", "TRANSPARENT")
        if row.done_at is not None:
            event.add("status", "CONFIRMED")
        cal.add_component(event)
    return cal.to_ical()


def find_client_id(session: Session, name: str) -> int:
    """The client of that name (case-insensitive), or a UserError naming the problem."""
    wanted = name.strip()
    matches = list(session.execute(select(Client.id, Client.name).where(
        func.lower(Client.name) == wanted.lower())))
    if not matches:
        raise UserError(f"no client is named {name!r}")
    exact = [m for m in matches if m.name == wanted]
    return (exact or matches)[0].id


def export_ics(session: Session, target: str | os.PathLike, start: date | None = None,
               end: date | None = None, client_id: int | None = None, tier: str | None = None,
               today: date | None = None, now: datetime | None = None,
               name: str = "Maintenance") -> int:
    """Write the occurrences due from ``start`` to ``end`` (inclusive; open when None) to
    ``target`` whole or not at all. Returns how many events were written."""
    if start is not None and end is not None and end < start:
        raise UserError(f"the period ends ({end.isoformat()}) before it starts "
                        f"({start.isoformat()})")
    now = now or datetime.now(timezone.utc)
    today = today or agency_today(session)
    rows = occurrences_between(session, start or date(1900, 1, 1), end or date(9999, 12, 31),
                               client_id=client_id, tier=tier)
    data = build_calendar(rows, today, now, name)
    with atomic_path(target) as tmp:
        try:
            tmp.write_bytes(data)
        except OSError as exc:
            raise UserError(f"cannot write {target}: {exc.strerror}") from None
    return len(rows)
