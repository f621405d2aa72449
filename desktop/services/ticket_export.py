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


def _events_by_ticket(session: Session, ids: list[int]) -> dict[int, list[tuple]]:
    rows = session.execute(
        select(TicketEvent.ticket_id, TicketEvent.at, TicketEvent.type, TicketEvent.status,
               TicketEvent.priority, TicketEvent.public, TicketEvent.data)
        .where(TicketEvent.ticket_id.in_(ids))
        .where(TicketEvent.type.in_(("status", "reply", "priority")))
        .order_by(TicketEvent.ticket_id, TicketEvent.at, TicketEvent.id))
    grouped: dict[int, list[tuple]] = {}
    for row in rows:
        grouped.setdefault(row[0], []).append(row)
    return grouped


def iter_ticket_rows(session: Session, now: datetime, ctx: SlaContext | None = None,
                     page: int = PAGE) -> Iterator[list[str]]:
    """One CSV row (list of strings, COLUMNS order) per ticket, by ticket number."""
    ctx = ctx or SlaContext.load(session)
    policies, calendar, at_risk = ctx.policies, ctx.calendar, ctx.at_risk_percent
    last = None
    while True:
        query = (select(Ticket.id, Ticket.number, Client.name, Ticket.title, Ticket.priority,
                        Ticket.status, Ticket.category, Ticket.channel, Ticket.in_scope,
                        Ticket.scope_override, Ticket.created_at, Contract.tier_code)
                 .join(Client, Client.id == Ticket.client_id)
                 .outerjoin(Contract, Contract.id == Ticket.contract_id)
                 .order_by(Ticket.number).limit(page))
        if last is not None:
            query = query.where(Ticket.number > last)
        tickets = session.execute(query).all()
        if not tickets:
            return
        events = _events_by_ticket(session, [t[0] for t in tickets])
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
        session.expunge_all()


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
