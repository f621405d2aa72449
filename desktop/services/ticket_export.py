"""The ticket CSV with computed SLA columns (DESIGN §7 ``export-tickets``).

Columns, in this order: number, client, title, priority, status, category, channel, in_scope,
created_at, first_response_at, resolved_at, response_due_at, resolution_due_at, response_state,
resolution_state. The SLA columns are evaluated afresh at ``now`` (not read from the stored
fields), instants are ISO 8601 in UTC (``2026-03-09T11:30:00+00:00``, empty when there is none),
in_scope is ``true``/``false`` (the manager's override when there is one).

Streams: tickets are read in pages by number (keyset) with their events, evaluated and written,
so memory does not grow with the table.
"""
from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models import Client, Contract, Ticket, TicketEvent

from .sla import SlaContext, SlaEvent, SlaResult, evaluate

UTC = timezone.utc
COLUMNS = ("number", "client", "title", "priority", "status", "category", "channel", "in_scope",
           "created_at", "first_response_at", "resolved_at", "response_due_at",
           "resolution_due_at", "response_state", "resolution_state")
PAGE = 2000


def utc_iso(instant: datetime | None) -> str:
    return "" if instant is None else instant.astimezone(UTC).isoformat()


def _events_by_ticket(connection, first: int | None, last: int) -> dict[int, list[tuple]]:
    """The SLA-relevant events of the tickets numbered in (first, last], by ticket id."""
    query = (select(TicketEvent.ticket_id, TicketEvent.at, TicketEvent.type, TicketEvent.status,
                    TicketEvent.priority, TicketEvent.public, TicketEvent.data)
             .join(Ticket, Ticket.id == TicketEvent.ticket_id)
             .where(Ticket.number <= last,
                    TicketEvent.type.in_(("status", "reply", "priority")))
             .order_by(TicketEvent.ticket_id, TicketEvent.at, TicketEvent.id))
    if first is not None:
        query = query.where(Ticket.number > first)
    grouped: dict[int, list[tuple]] = {}
    for row in connection.execute(query).all():
        events = grouped.get(row[0])
        if events is None:
            grouped[row[0]] = [row]
        else:
            events.append(row)
    return grouped


def iter_ticket_rows(session: Session, now: datetime, ctx: SlaContext | None = None,
                     page: int = PAGE) -> Iterator[list[str]]:
    """One CSV row (list of strings, COLUMNS order) per ticket, by ticket number.

    Reads pages of ``page`` tickets by number (keyset, so every page is an indexed range) and
    their events in one query per page, on the session's connection without ORM objects."""
    ctx = ctx or SlaContext.load(session)
    policies, calendar, at_risk = ctx.policies, ctx.calendar, ctx.at_risk_percent
    connection = session.connection()
    base = (select(Ticket.id, Ticket.number, Client.name, Ticket.title, Ticket.priority,
                   Ticket.status, Ticket.category, Ticket.channel, Ticket.in_scope,
                   Ticket.scope_override, Ticket.created_at, Contract.tier_code)
            .join(Client, Client.id == Ticket.client_id)
            .outerjoin(Contract, Contract.id == Ticket.contract_id)
            .order_by(Ticket.number).limit(page))
    last = None
    while True:
        query = base if last is None else base.where(Ticket.number > last)
        tickets = connection.execute(query).all()
        if not tickets:
            return
        events = _events_by_ticket(connection, last, tickets[-1][1])
        for (tid, number, client, title, priority, status, category, channel, in_scope,
             override, created_at, tier) in tickets:
            sla_events = []
            created_priority = None
            for _tid, at, etype, estatus, epriority, public, data in events.get(tid, ()):
                if etype == "priority" and created_priority is None:
                    created_priority = (data or {}).get("from") or priority
                sla_events.append(SlaEvent(at, etype, estatus, epriority, bool(public)))
            result: SlaResult = evaluate(created_at, created_priority or priority, tier,
                                         sla_events, policies, calendar, now, at_risk)
            scope = in_scope if override is None else override
            yield [str(number), client, title, priority, status, category, channel,
                   "true" if scope else "false", utc_iso(created_at),
                   utc_iso(result.first_response_at), utc_iso(result.resolved_at),
                   utc_iso(result.response.due_at), utc_iso(result.resolution.due_at),
                   result.response.state, result.resolution.state]
        last = tickets[-1][1]


def write_tickets_csv(session: Session, out: TextIO, now: datetime,
                      progress: Callable[[int], None] | None = None) -> int:
    """Write the header and every ticket's row to ``out`` (opened with ``newline=""``);
    returns the number of tickets written."""
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    count = 0
    for row in iter_ticket_rows(session, now):
        writer.writerow(row)
        count += 1
        if progress is not None and count % PAGE == 0:
            progress(count)
    return count
