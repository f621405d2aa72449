"""The SLA clock (DESIGN §2 "SLA clock"): response and resolution, on business hours or 24/7.

Rules, in the order the code applies them:

- Targets come from the SLA policy table for the ticket's tier (``"none"`` outside any contract)
  and its *current* priority; a priority change re-measures the whole ticket from its creation
  against the new targets (and the new clock: 24/7 only for premium critical by default).
- The response clock runs from creation until the first thing the client sees: a reply (replies
  are public, DESIGN §7) or the first status change out of ``new``. Internal notes, priority
  changes and assignments do not stop it.
- The resolution clock runs from creation, is paused while the status is ``waiting_on_client``,
  stops at ``resolved`` or ``closed`` and, when the ticket is reopened, continues from the time
  already used.
- A clock is ``met`` when it stopped with used time <= target (exactly at the target is met),
  ``breached`` once used time exceeds the target (stopped or not), ``at_risk`` while running with
  at least ``at_risk_percent`` of the target used, ``paused`` while waiting on the client (unless
  already breached), else ``running``.
- Only events at or before ``now`` count: the answer is the ticket's state at ``now``.

How the answer is stored on the ticket (:func:`apply_to_ticket`):

- ``response_due_at``: creation + response target on the ticket's clock; always set.
- ``resolution_due_at``: while running, the instant the target runs out if nothing pauses it;
  once resolved/closed, the due instant that applied when it stopped (so a report can show
  "due X, resolved Y"); **NULL while paused**, since the due instant is unknown until the client
  answers (``resolution_paused`` is then true and ``resolution_used_minutes`` holds the time used).
- ``sla_due_at``: the nearest due instant of a clock that is still *running* (a breached clock
  that has not stopped is still running, so it sorts first); NULL when no clock runs.
- ``response_breached``/``resolution_breached``: as evaluated at ``now``; a running clock's
  breach is visible in SQL as ``sla_due_at < now``.
- ``first_response_at``: the instant the response clock stopped. ``resolved_at``: when the
  ticket last became resolved (or closed without being resolved); NULL while it is open again.
- ``resolution_used_minutes``: whole minutes of the ticket's clock used by the resolution.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from . import catalog
from .business_calendar import ALWAYS, EPOCH, US_PER_MINUTE, BusinessCalendar

UTC = timezone.utc
STOPPED = frozenset(("resolved", "closed"))
WAITING = "waiting_on_client"
MET, BREACHED, AT_RISK, RUNNING, PAUSED = "met", "breached", "at_risk", "running", "paused"
STATES = (MET, BREACHED, AT_RISK, RUNNING, PAUSED)


@dataclass(frozen=True, slots=True)
class SlaEvent:
    """One event of a ticket's timeline, as the SLA sees it (plain data, no ORM).

    ``type`` is an EventType value: ``status`` (with ``status``), ``reply``, ``note``,
    ``priority`` (with the new ``priority``), ``assignment``…
    """

    at: datetime
    type: str
    status: str | None = None
    priority: str | None = None
    public: bool = False


@dataclass(frozen=True, slots=True)
class Targets:
    clock: str  # "business" or "24x7"
    response_minutes: int
    resolution_minutes: int


@dataclass(frozen=True, slots=True)
class ClockState:
    due_at: datetime | None
    state: str  # met, breached, at_risk, running, paused
    used_minutes: float
    target_minutes: int
    stopped_at: datetime | None

    @property
    def used_percent(self) -> float:
        return 100.0 * self.used_minutes / self.target_minutes if self.target_minutes else 0.0


@dataclass(frozen=True, slots=True)
class SlaResult:
    clock: str
    priority: str
    response: ClockState
    resolution: ClockState
    first_response_at: datetime | None
    resolved_at: datetime | None
    sla_due_at: datetime | None
    resolution_paused: bool


def _default_targets() -> dict[tuple[str, str], Targets]:
    return {(tier, priority): Targets(clock, response, resolution)
            for tier, priority, clock, response, resolution in catalog.seeded_policies()}


class SlaPolicyTable:
    """Targets per (tier code or ``"none"``, priority), from the SlaPolicy rows (DESIGN §2).

    A missing row falls back to the ``"none"`` row of the priority, then to the seeded default.
    """

    def __init__(self, rows: Iterable[tuple[str, str, str, int, int]] | None = None) -> None:
        self._defaults = _default_targets()
        table = dict(self._defaults) if rows is None else {}
        for tier, priority, clock, response, resolution in rows or ():
            table[(tier, priority)] = Targets(clock, int(response), int(resolution))
        self._table = table

    @classmethod
    def load(cls, session) -> SlaPolicyTable:  # noqa: ANN001
        from sqlalchemy import select

        from desktop.models import SlaPolicy

        rows = session.execute(select(SlaPolicy.tier_code, SlaPolicy.priority, SlaPolicy.clock,
                                      SlaPolicy.response_minutes,
                                      SlaPolicy.resolution_minutes)).all()
        return cls([tuple(row) for row in rows])

    def targets(self, tier_code: str | None, priority: str) -> Targets:
        key = (tier_code or catalog.NO_CONTRACT, priority)
        found = self._table.get(key)
        if found is None:
            found = (self._table.get((catalog.NO_CONTRACT, priority))
                     or self._defaults.get(key)
                     or self._defaults[(catalog.NO_CONTRACT, priority)])
        return found


def _state(used: int, target: int, stopped: bool, paused: bool, at_risk_percent: int) -> str:
    if used > target:
        return BREACHED
    if stopped:
        return MET
    if paused:
        return PAUSED
    if used * 100 >= target * at_risk_percent:
        return AT_RISK
    return RUNNING


def evaluate(created_at: datetime, priority: str, tier_code: str | None,
             events: Sequence[SlaEvent], policies: SlaPolicyTable,
             calendar: BusinessCalendar, now: datetime, at_risk_percent: int = 75) -> SlaResult:
    """The ticket's SLA at ``now`` (DESIGN §2 "SLA clock"; rules in this module's docstring).

    ``priority`` is the priority at creation; priority events change it. ``events`` should be
    in time order (they are sorted, stably, if not). Cost: O(events · log days); instants are
    handled as whole microseconds since the epoch, so the arithmetic is exact.
    """
    created_us = round(created_at.timestamp() * 1_000_000)
    now_us = round(now.timestamp() * 1_000_000)
    if now_us < created_us:
        now_us = created_us

    # 1. walk the timeline once: current priority, response stop, resolution's running spans
    current = priority
    status = "new"
    response_us = resolved_us = None
    segments: list[tuple[int, int]] = []  # (start, end) of finished running spans
    seg_start = created_us  # start of the running span in progress (None: not running)
    previous = created_us
    for event in events:
        at = round(event.at.timestamp() * 1_000_000)
        if at < previous:
            if at < created_us and previous == created_us:
                at = created_us  # an event before creation counts at creation
            else:  # out of order: start again on a sorted copy
                return evaluate(created_at, priority, tier_code,
                                sorted(events, key=lambda e: e.at), policies, calendar, now,
                                at_risk_percent)
        previous = at
        if at > now_us:
            continue  # after now: not yet happened (still read, to notice disorder)
        etype = event.type
        if etype == "status":
            new_status = event.status or "new"
            if response_us is None and new_status != "new":
                response_us = at
            running_after = new_status not in STOPPED and new_status != WAITING
            if seg_start is not None:
                if not running_after:
                    segments.append((seg_start, at))
                    seg_start = None
            elif running_after:
                seg_start = at
            if new_status in STOPPED:
                if status not in STOPPED:
                    resolved_us = at
            else:
                resolved_us = None
            status = new_status
        elif etype == "reply":
            if response_us is None:
                response_us = at
        elif etype == "priority":
            if event.priority:
                current = event.priority

    targets = policies.targets(tier_code, current)
    clock = ALWAYS if targets.clock == "24x7" else calendar
    cum, inv = clock.cum_us, clock.inv_us
    created_cum = cum(created_us)  # first: fixes the calendar's origin for this ticket
    now_cum = cum(now_us)

    # 2. response: from creation to the first reply or status change out of new
    target_us = targets.response_minutes * US_PER_MINUTE
    response_due = EPOCH + timedelta(
        microseconds=inv(created_cum + target_us) if target_us > 0 else created_us)
    if response_us is not None:
        used = cum(response_us) - created_cum
        response_at = EPOCH + timedelta(microseconds=response_us)
        state = BREACHED if used > target_us else MET
    else:
        used = now_cum - created_cum
        response_at = None
        state = _state(used, target_us, False, False, at_risk_percent)
    response = ClockState(response_due, state, used / US_PER_MINUTE, targets.response_minutes,
                          response_at)

    # 3. resolution: the due instant is where the running spans use up the target
    target_us = targets.resolution_minutes * US_PER_MINUTE
    used = 0
    due_us = None
    last_start_cum = created_cum
    used_before_last = 0
    for start_us, end_us in segments:
        start_cum = cum(start_us)
        length = cum(end_us) - start_cum
        if due_us is None and used + length >= target_us:
            due_us = max(inv(start_cum + target_us - used), start_us)
        used_before_last, last_start_cum = used, start_cum
        used += length
    paused = status == WAITING
    stopped = status in STOPPED
    if seg_start is not None:  # running now
        start_cum = cum(seg_start)
        if due_us is None:
            due_us = max(inv(start_cum + target_us - used), seg_start)
        used += now_cum - start_cum
        resolution_due: datetime | None = EPOCH + timedelta(microseconds=due_us)
    elif stopped:
        if due_us is None:  # met: where the target would have run out
            due_us = inv(last_start_cum + target_us - used_before_last)
        resolution_due = EPOCH + timedelta(microseconds=due_us)
    else:
        resolution_due = None
    resolved_at = EPOCH + timedelta(microseconds=resolved_us) if stopped else None
    resolution = ClockState(resolution_due,
                            _state(used, target_us, stopped, paused, at_risk_percent),
                            used / US_PER_MINUTE, targets.resolution_minutes, resolved_at)

    sla_due = response_due if response_at is None else None
    if seg_start is not None and (sla_due is None or resolution_due < sla_due):
        sla_due = resolution_due
    return SlaResult(targets.clock, current, response, resolution, response_at, resolved_at,
                     sla_due, paused)


@dataclass
class SlaContext:
    """What evaluating a ticket needs from the database, loaded once per transaction."""

    policies: SlaPolicyTable
    calendar: BusinessCalendar
    at_risk_percent: int = 75

    @classmethod
    def load(cls, session) -> SlaContext:  # noqa: ANN001
        from .settings import load_settings

        settings = load_settings(session)
        return cls(SlaPolicyTable.load(session), BusinessCalendar.from_session(session),
                   int(settings.at_risk_percent))


def creation_priority(ticket) -> str:  # noqa: ANN001
    """The priority a ticket was created with: the ``from`` of its first priority event (whose
    ``priority`` is the new one), else its priority."""
    for event in ticket.events:
        if event.type == "priority":
            data = event.data or {}
            return data.get("from") or ticket.priority
    return ticket.priority


def sla_events(ticket) -> list[SlaEvent]:  # noqa: ANN001
    return [SlaEvent(e.at, e.type, e.status, e.priority, bool(e.public)) for e in ticket.events]


def apply_to_ticket(ticket, ctx: SlaContext, now: datetime) -> SlaResult:  # noqa: ANN001
    """Evaluate ``ticket`` at ``now`` and store the SLA fields on it (see the module docstring
    for what is stored while paused or stopped). Call after every event on the ticket."""
    tier = ticket.contract.tier_code if ticket.contract is not None else None
    result = evaluate(ticket.created_at, creation_priority(ticket), tier, sla_events(ticket),
                      ctx.policies, ctx.calendar, now, ctx.at_risk_percent)
    store_result(ticket, result)
    return result


def store_result(ticket, result: SlaResult) -> None:  # noqa: ANN001
    """Copy an SlaResult onto a ticket, touching only the fields that changed (so an unchanged
    ticket does not get a new version)."""
    for name, value in stored_values(result).items():
        if getattr(ticket, name) != value:
            setattr(ticket, name, value)


STORED_FIELDS = ("clock", "response_due_at", "resolution_due_at", "sla_due_at",
                 "resolution_paused", "resolution_used_minutes", "first_response_at",
                 "resolved_at", "response_breached", "resolution_breached")


def stored_values(result: SlaResult) -> dict:
    """The ticket columns an SlaResult is stored in (see the module docstring)."""
    return {
        "clock": result.clock,
        "response_due_at": result.response.due_at,
        "resolution_due_at": result.resolution.due_at,
        "sla_due_at": result.sla_due_at,
        "resolution_paused": result.resolution_paused,
        "resolution_used_minutes": int(result.resolution.used_minutes),
        "first_response_at": result.first_response_at,
        "resolved_at": result.resolved_at,
        "response_breached": result.response.state == BREACHED,
        "resolution_breached": result.resolution.state == BREACHED,
    }


def recompute_tickets(session, now: datetime, ticket_ids: Iterable[int] | None = None,
                      chunk: int = 1000) -> int:  # noqa: ANN001
    """Re-evaluate tickets after a policy, holiday, settings or contract edit (DESIGN §2 "recomputed
    on every event"); returns how many tickets changed. ``ticket_ids`` None means every ticket.

    Works in chunks on plain rows, not ORM objects, so a large queue is re-measured quickly:
    only tickets whose stored SLA fields differ are updated (their version goes up, as for any
    edit), and those already loaded in ``session`` are expired so they read the new values.
    Pending changes in ``session`` are flushed first.
    """
    from sqlalchemy import bindparam, select, update

    from desktop.models import Contract, Ticket, TicketEvent

    session.flush()
    ctx = SlaContext.load(session)
    connection = session.connection()
    if ticket_ids is None:
        ids = list(session.scalars(select(Ticket.id).order_by(Ticket.id)))
    else:
        ids = sorted(set(ticket_ids))
    columns = [getattr(Ticket, name) for name in STORED_FIELDS]
    statement = (update(Ticket.__table__)
                 .where(Ticket.__table__.c.id == bindparam("ticket_id"))
                 .values({name: bindparam(name) for name in STORED_FIELDS}
                         | {"version": Ticket.__table__.c.version + 1}))
    changed_ids: list[int] = []
    for i in range(0, len(ids), chunk):
        part = ids[i:i + chunk]
        tickets = connection.execute(
            select(Ticket.id, Ticket.created_at, Ticket.priority, Contract.tier_code, *columns)
            .outerjoin(Contract, Contract.id == Ticket.contract_id)
            .where(Ticket.id.in_(part))).all()
        events: dict[int, list] = {}
        for row in connection.execute(
                select(TicketEvent.ticket_id, TicketEvent.at, TicketEvent.type,
                       TicketEvent.status, TicketEvent.priority, TicketEvent.public,
                       TicketEvent.data)
                .where(TicketEvent.ticket_id.in_(part),
                       TicketEvent.type.in_(("status", "reply", "priority")))
                .order_by(TicketEvent.ticket_id, TicketEvent.at, TicketEvent.id)).all():
            events.setdefault(row[0], []).append(row)
        updates = []
        for row in tickets:
            ticket_id, created_at, priority, tier = row[:4]
            first_priority = None
            timeline = []
            for _tid, at, etype, estatus, epriority, public, data in events.get(ticket_id, ()):
                if etype == "priority" and first_priority is None:
                    first_priority = (data or {}).get("from") or priority
                timeline.append(SlaEvent(at, etype, estatus, epriority, bool(public)))
            result = evaluate(created_at, first_priority or priority, tier, timeline,
                              ctx.policies, ctx.calendar, now, ctx.at_risk_percent)
            values = stored_values(result)
            if tuple(values.values()) != tuple(row[4:]):
                updates.append(values | {"ticket_id": ticket_id})
        if updates:
            connection.execute(statement, updates)
            changed_ids.extend(u["ticket_id"] for u in updates)
    if changed_ids:
        changed = set(changed_ids)
        for obj in list(session.identity_map.values()):
            if isinstance(obj, Ticket) and obj.id in changed:
                session.expire(obj)
    return len(changed_ids)


def follow_up_due(resolved_at: datetime, calendar: BusinessCalendar,
                  business_days: int = 3) -> datetime:
    """The satisfaction follow-up: ``business_days`` business days after the resolution, counted
    on the business clock (a business day is a full day of business hours, DESIGN §2)."""
    return calendar.add(resolved_at, business_days * calendar.day_minutes)
