"""Ticket operations (DESIGN §2 "Statuses", "SLA clock", "Coverage").

Every operation:
- loads the ticket fresh in the caller's session and refuses it when the caller saw an older
  version (``expected_version``), so no save overwrites someone else's (DESIGN §3);
- writes one TicketEvent with its author and instant (the audit trail);
- re-evaluates the SLA clocks (``sla.apply_to_ticket``) and the coverage verdict;
- calls ``record_change(session, "ticket", id)`` and flushes inside ``refuse_stale``.

Status changes follow only the legal transitions of ``TRANSITIONS``:
new → acknowledged → in progress ⇄ waiting on client → resolved → closed, with the early exits
out of "new"/"acknowledged" the support manager needs, and a resolved ticket reopened to
in progress. A resolved ticket gets a satisfaction follow-up 3 business days later.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from desktop.errors import StaleDataError, UserError
from desktop.models import (Client, FollowUp, StaffUser, Ticket, TicketEvent, TimeEntry)
from desktop.models.enums import Category, Channel, EventType, Priority, Status
from desktop.storage.changes import record_change
from desktop.storage.conflicts import refuse_stale

UTC = timezone.utc

TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.NEW: (Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.WAITING_ON_CLIENT,
                 Status.RESOLVED),
    Status.ACKNOWLEDGED: (Status.IN_PROGRESS, Status.WAITING_ON_CLIENT, Status.RESOLVED),
    Status.IN_PROGRESS: (Status.WAITING_ON_CLIENT, Status.RESOLVED),
    Status.WAITING_ON_CLIENT: (Status.IN_PROGRESS, Status.RESOLVED),
    Status.RESOLVED: (Status.CLOSED, Status.IN_PROGRESS),
    Status.CLOSED: (),
}
STATUS_LABELS = {
    "new": "New", "acknowledged": "Acknowledged", "in_progress": "In progress",
    "waiting_on_client": "Waiting on client", "resolved": "Resolved", "closed": "Closed",
}
# What the action is called when offered from a status (reopening reads as such).
ACTION_LABELS = {
    ("resolved", "in_progress"): "Reopen",
    ("new", "acknowledged"): "Acknowledge",
}
PRIORITY_LABELS = {"critical": "Critical", "high": "High", "medium": "Medium", "low": "Low"}
CATEGORY_LABELS = {
    "bug_fix": "Bug fix", "technical_issue": "Technical issue", "functionality": "Functionality",
    "documentation": "Documentation", "security_update": "Security update",
    "content_update": "Content update", "performance": "Performance",
    "new_feature": "New feature", "training": "Training", "third_party": "Third-party issue",
}
CHANNEL_LABELS = {"email": "Email", "phone": "Phone", "emergency": "Emergency phone",
                  "portal": "Portal"}
MAX_TITLE = 500


def legal_transitions(status: str) -> tuple[str, ...]:
    return tuple(str(s) for s in TRANSITIONS.get(status, ()))


def action_label(current: str, target: str) -> str:
    return ACTION_LABELS.get((current, target), STATUS_LABELS.get(target, target))


def _now(now: datetime | None) -> datetime:
    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now


def next_ticket_number(session: Session) -> int:
    """One more than the highest ticket number (numbers are never reused)."""
    return int(session.scalar(select(func.max(Ticket.number))) or 0) + 1


def _load(session: Session, ticket_id: int, expected_version: int | None) -> Ticket:
    ticket = session.scalars(select(Ticket).where(Ticket.id == ticket_id).options(
        selectinload(Ticket.events), selectinload(Ticket.contract))).first()
    if ticket is None:
        raise UserError(f"ticket {ticket_id} no longer exists")
    if expected_version is not None and ticket.version != expected_version:
        raise StaleDataError(
            f"ticket #{ticket.number} was changed by someone else since you opened it; "
            "your change was not saved", kind="ticket", row_id=ticket_id)
    return ticket


def _event(ticket: Ticket, now: datetime, type_: str, author_id: int | None, **fields) -> TicketEvent:  # noqa: ANN003
    event = TicketEvent(at=now, type=str(type_), author_id=author_id or None, **fields)
    ticket.events.append(event)
    return event


def _finish(session: Session, ticket: Ticket, now: datetime) -> None:
    """Re-evaluate the clocks and the coverage, stamp the update, notify, flush."""
    from .coverage import apply_coverage
    from .sla import SlaContext, apply_to_ticket

    ticket.updated_at = now
    apply_to_ticket(ticket, SlaContext.load(session), now)
    apply_coverage(ticket)
    with refuse_stale("ticket", ticket.id):
        session.flush()
    record_change(session, "ticket", ticket.id)


def _choice(value: str, allowed, what: str) -> str:  # noqa: ANN001
    values = [str(v) for v in allowed]
    if value not in values:
        raise UserError(f"{what} {value!r} is not one of {', '.join(values)}")
    return value


# --- creating ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class NewTicket:
    client_id: int
    title: str
    description: str
    priority: str
    category: str
    channel: str
    assignee_id: int | None = None


def validate_new_ticket(data: NewTicket) -> list[str]:
    """Problems that stop saving, in plain words (the dialog shows them as you type)."""
    problems = []
    if not data.client_id:
        problems.append("Choose the client.")
    if not data.title.strip():
        problems.append("Give the ticket a title.")
    elif len(data.title.strip()) > MAX_TITLE:
        problems.append(f"The title is longer than {MAX_TITLE} characters.")
    for value, allowed, what in ((data.priority, Priority, "priority"),
                                 (data.category, Category, "category"),
                                 (data.channel, Channel, "channel")):
        if value not in [str(v) for v in allowed]:
            problems.append(f"Choose a {what}.")
    return problems


@dataclass(frozen=True)
class CoverageWarning:
    in_scope: bool
    reason: str
    tier: str | None


def preview_coverage(session: Session, client_id: int, category: str, channel: str,
                     now: datetime | None = None) -> CoverageWarning:
    """The coverage verdict a new ticket would get (for the dialog's warning as you type)."""
    from .coverage import contract_in_force, coverage_verdict

    contract = contract_in_force(session, client_id, _now(now)) if client_id else None
    tier = contract.tier_code if contract is not None else None
    verdict = coverage_verdict(tier, category, channel)
    return CoverageWarning(verdict.in_scope, verdict.reason, tier)


def create_ticket(session: Session, data: NewTicket, *, author_id: int | None,
                  now: datetime | None = None) -> int:
    """Create a ticket (status new) under the client's contract in force today; its SLA due
    instants and coverage verdict are computed at once. Returns the new ticket's id."""
    now = _now(now)
    problems = validate_new_ticket(data)
    if problems:
        raise UserError(problems[0])
    from .coverage import contract_in_force

    if session.get(Client, data.client_id) is None:
        raise UserError("the client no longer exists")
    if data.assignee_id and session.get(StaffUser, data.assignee_id) is None:
        raise UserError("the assignee no longer exists")
    contract = contract_in_force(session, data.client_id, now)
    ticket = Ticket(number=next_ticket_number(session), client_id=data.client_id,
                    contract=contract, title=data.title.strip(),
                    description=data.description.strip(), priority=data.priority,
                    status=Status.NEW.value, category=data.category, channel=data.channel,
                    assignee_id=data.assignee_id or None, created_at=now, updated_at=now,
                    in_scope=True, scope_reason="", override_reason="")
    ticket.events = []
    session.add(ticket)
    _event(ticket, now, EventType.EDIT, author_id, body="Ticket created",
           data={"action": "created"})
    session.flush()
    _finish(session, ticket, now)
    return ticket.id


# --- status, replies, notes ------------------------------------------------------------------
def change_status(session: Session, ticket_id: int, status: str, *, author_id: int | None,
                  now: datetime | None = None, expected_version: int | None = None,
                  body: str = "") -> None:
    """Move a ticket along the workflow; an illegal move is refused with a plain sentence.

    Resolving schedules the satisfaction follow-up; reopening drops a follow-up not yet done;
    closing stamps ``closed_at``.
    """
    now = _now(now)
    _choice(status, Status, "status")
    ticket = _load(session, ticket_id, expected_version)
    current = ticket.status
    if status not in legal_transitions(current):
        allowed = ", ".join(STATUS_LABELS[s].lower() for s in legal_transitions(current))
        raise UserError(f"a ticket that is {STATUS_LABELS[current].lower()} cannot become "
                        f"{STATUS_LABELS[status].lower()}"
                        + (f" (it can become {allowed})" if allowed else ""))
    ticket.status = status
    _event(ticket, now, EventType.STATUS, author_id, status=status, body=body.strip(),
           data={"from": current})
    if status == Status.CLOSED:
        ticket.closed_at = now
    _finish(session, ticket, now)
    follow_up = session.scalar(select(FollowUp).where(FollowUp.ticket_id == ticket.id))
    if status == Status.RESOLVED:
        from .settings import load_settings
        from .sla import SlaContext, follow_up_due

        days = int(load_settings(session).follow_up_business_days)
        due = follow_up_due(ticket.resolved_at or now, SlaContext.load(session).calendar, days)
        if follow_up is None:
            session.add(FollowUp(ticket_id=ticket.id, due_at=due, comment=""))
        elif follow_up.done_at is None:
            follow_up.due_at = due
    elif current == Status.RESOLVED and status == Status.IN_PROGRESS:
        if follow_up is not None and follow_up.done_at is None:
            session.delete(follow_up)
    with refuse_stale("ticket", ticket.id):
        session.flush()


def reply(session: Session, ticket_id: int, body: str, *, author_id: int | None,
          now: datetime | None = None, expected_version: int | None = None) -> None:
    """A public reply to the client; the first one stops the response clock."""
    now = _now(now)
    if not body.strip():
        raise UserError("write the reply before sending it")
    ticket = _load(session, ticket_id, expected_version)
    _event(ticket, now, EventType.REPLY, author_id, public=True, body=body.strip())
    _finish(session, ticket, now)


def add_note(session: Session, ticket_id: int, body: str, *, author_id: int | None,
             now: datetime | None = None, expected_version: int | None = None) -> None:
    """An internal note: never shown to the client, does not stop any clock."""
    now = _now(now)
    if not body.strip():
        raise UserError("write the note before saving it")
    ticket = _load(session, ticket_id, expected_version)
    _event(ticket, now, EventType.NOTE, author_id, public=False, body=body.strip())
    _finish(session, ticket, now)


def change_priority(session: Session, ticket_id: int, priority: str, *, author_id: int | None,
                    now: datetime | None = None, expected_version: int | None = None,
                    reason: str = "") -> None:
    """Change the priority: the ticket is re-measured against the new targets from its
    creation (DESIGN §2)."""
    now = _now(now)
    _choice(priority, Priority, "priority")
    ticket = _load(session, ticket_id, expected_version)
    if ticket.priority == priority:
        return
    old = ticket.priority
    ticket.priority = priority
    _event(ticket, now, EventType.PRIORITY, author_id, priority=priority, body=reason.strip(),
           data={"from": old})
    _finish(session, ticket, now)


def assign(session: Session, ticket_id: int, assignee_id: int | None, *,
           author_id: int | None, now: datetime | None = None,
           expected_version: int | None = None) -> None:
    """Give the ticket to a staff member (None: unassign)."""
    now = _now(now)
    ticket = _load(session, ticket_id, expected_version)
    assignee_id = assignee_id or None
    if ticket.assignee_id == assignee_id:
        return
    name = ""
    if assignee_id is not None:
        user = session.get(StaffUser, assignee_id)
        if user is None:
            raise UserError("that staff member no longer exists")
        name = user.display_name or user.username
    old = ticket.assignee_id
    ticket.assignee_id = assignee_id
    _event(ticket, now, EventType.ASSIGNMENT, author_id, body=name,
           data={"from": old, "to": assignee_id})
    _finish(session, ticket, now)


def log_time(session: Session, ticket_id: int, minutes: int, *, author_id: int | None,
             work_date: date | None = None, category: str | None = None, note: str = "",
             now: datetime | None = None, expected_version: int | None = None) -> int:
    """Log work on a ticket; content-update minutes count against the month's allowance.
    Returns the time entry's id."""
    now = _now(now)
    if not isinstance(minutes, int) or minutes <= 0:
        raise UserError("time logged must be a positive number of minutes")
    if minutes > 24 * 60:
        raise UserError("more than 24 hours in one entry; log each day separately")
    ticket = _load(session, ticket_id, expected_version)
    category = _choice(category or ticket.category, Category, "category")
    if work_date is None:
        from .settings import load_settings

        work_date = now.astimezone(load_settings(session).zone).date()
    entry = TimeEntry(ticket_id=ticket.id, work_date=work_date, minutes=minutes,
                      category=category, note=note.strip(), author_id=author_id or None,
                      created_at=now)
    session.add(entry)
    _event(ticket, now, EventType.TIME_ENTRY, author_id, body=note.strip(),
           data={"minutes": minutes, "category": category, "date": work_date.isoformat()})
    _finish(session, ticket, now)
    return entry.id


def override_coverage(session: Session, ticket_id: int, in_scope: bool | None, reason: str, *,
                      author_id: int | None, now: datetime | None = None,
                      expected_version: int | None = None) -> None:
    """The manager's override of the coverage verdict, with a written reason kept in the audit
    trail (DESIGN §2). ``None`` removes the override (back to the computed verdict)."""
    now = _now(now)
    if not reason.strip():
        raise UserError("write the reason for the override; the audit trail keeps it")
    ticket = _load(session, ticket_id, expected_version)
    previous = ticket.is_in_scope
    ticket.scope_override = in_scope
    ticket.override_reason = reason.strip() if in_scope is not None else ""
    _event(ticket, now, EventType.OVERRIDE, author_id, body=reason.strip(),
           data={"in_scope": in_scope, "previous": previous})
    _finish(session, ticket, now)


def record_follow_up(session: Session, ticket_id: int, rating: int, comment: str = "", *,
                     author_id: int | None, now: datetime | None = None,
                     expected_version: int | None = None) -> None:
    """The satisfaction check's result: a rating from 1 to 5 and the client's comment."""
    now = _now(now)
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise UserError("the satisfaction rating must be from 1 to 5")
    ticket = _load(session, ticket_id, expected_version)
    follow_up = session.scalar(select(FollowUp).where(FollowUp.ticket_id == ticket.id))
    if follow_up is None:
        if ticket.resolved_at is None:
            raise UserError("a follow-up is recorded after the ticket is resolved")
        follow_up = FollowUp(ticket_id=ticket.id, due_at=now, comment="")
        session.add(follow_up)
    follow_up.done_at = now
    follow_up.rating = rating
    follow_up.comment = comment.strip()
    follow_up.done_by_id = author_id or None
    _event(ticket, now, EventType.FOLLOW_UP, author_id, body=comment.strip(),
           data={"rating": rating})
    _finish(session, ticket, now)


# --- reading, for the workspace -----------------------------------------------------------------
@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    type: str
    author: str
    text: str
    body: str
    public: bool


@dataclass(frozen=True)
class TicketDetail:
    id: int
    number: int
    version: int
    title: str
    description: str
    client_id: int
    client: str
    tier: str | None
    contract_period: str
    priority: str
    status: str
    category: str
    channel: str
    assignee_id: int | None
    assignee: str
    created_at: datetime
    updated_at: datetime
    clock: str
    response_state: str
    response_due_at: datetime | None
    resolution_state: str
    resolution_due_at: datetime | None
    resolution_used_minutes: float
    resolution_target_minutes: int
    response_target_minutes: int
    first_response_at: datetime | None
    resolved_at: datetime | None
    in_scope: bool
    computed_in_scope: bool
    scope_reason: str
    scope_override: bool | None
    override_reason: str
    timeline: list[TimelineEntry]
    time_entries: list[tuple[date, int, str, str, str]]  # date, minutes, category, note, author
    total_minutes: int
    follow_up_due_at: datetime | None
    follow_up_done_at: datetime | None
    follow_up_rating: int | None
    follow_up_comment: str
    transitions: tuple[str, ...]


def _describe(event: TicketEvent, names: dict[int, str]) -> str:
    data = event.data or {}
    kind = event.type
    if kind == EventType.STATUS:
        before = STATUS_LABELS.get(data.get("from", ""), "")
        after = STATUS_LABELS.get(event.status or "", event.status or "")
        return f"Status {before} → {after}" if before else f"Status → {after}"
    if kind == EventType.REPLY:
        return "Public reply"
    if kind == EventType.NOTE:
        return "Internal note"
    if kind == EventType.PRIORITY:
        before = PRIORITY_LABELS.get(data.get("from", ""), "")
        after = PRIORITY_LABELS.get(event.priority or "", event.priority or "")
        return f"Priority {before} → {after}" if before else f"Priority → {after}"
    if kind == EventType.ASSIGNMENT:
        return f"Assigned to {event.body}" if event.body else "Unassigned"
    if kind == EventType.OVERRIDE:
        verdict = data.get("in_scope")
        if verdict is None:
            return "Coverage override removed"
        return "Coverage overridden: " + ("in scope" if verdict else "out of scope / billable")
    if kind == EventType.TIME_ENTRY:
        minutes = int(data.get("minutes", 0))
        amount = f"{minutes // 60}h {minutes % 60:02d}m" if minutes >= 60 else f"{minutes}m"
        category = CATEGORY_LABELS.get(data.get("category") or "", "")
        return f"Logged {amount}" + (f" ({category})" if category else "")
    if kind == EventType.FOLLOW_UP:
        return f"Satisfaction follow-up: {data.get('rating')}/5"
    if kind == EventType.EDIT and data.get("action") == "created":
        return "Ticket created"
    return kind.replace("_", " ").capitalize()


def ticket_detail(session: Session, ticket_id: int, now: datetime | None = None) -> TicketDetail:
    """Everything the ticket workspace shows, as plain data (no ORM leaves the session)."""
    from .coverage import coverage_verdict
    from .sla import SlaContext, creation_priority, evaluate, sla_events

    now = _now(now)
    ticket = session.scalars(select(Ticket).where(Ticket.id == ticket_id).options(
        selectinload(Ticket.events), selectinload(Ticket.contract),
        selectinload(Ticket.time_entries), selectinload(Ticket.client))).first()
    if ticket is None:
        raise UserError(f"ticket {ticket_id} no longer exists")
    names = {u.id: (u.display_name or u.username) for u in session.scalars(select(StaffUser))}
    ctx = SlaContext.load(session)
    tier = ticket.contract.tier_code if ticket.contract is not None else None
    result = evaluate(ticket.created_at, creation_priority(ticket), tier, sla_events(ticket),
                      ctx.policies, ctx.calendar, now, ctx.at_risk_percent)
    timeline = [TimelineEntry(e.at, e.type, names.get(e.author_id, "") if e.author_id else "",
                              _describe(e, names), e.body or "", bool(e.public))
                for e in ticket.events]
    entries = [(t.work_date, t.minutes, t.category, t.note, names.get(t.author_id, ""))
               for t in ticket.time_entries]
    follow_up = session.scalar(select(FollowUp).where(FollowUp.ticket_id == ticket.id))
    contract = ticket.contract
    period = (f"{contract.start:%d %b %Y} – {contract.end:%d %b %Y}" if contract is not None
              else "")
    computed = coverage_verdict(tier, ticket.category, ticket.channel)
    return TicketDetail(
        id=ticket.id, number=ticket.number, version=ticket.version, title=ticket.title,
        description=ticket.description, client_id=ticket.client_id, client=ticket.client.name,
        tier=tier, contract_period=period, priority=ticket.priority, status=ticket.status,
        category=ticket.category, channel=ticket.channel, assignee_id=ticket.assignee_id,
        assignee=names.get(ticket.assignee_id, "") if ticket.assignee_id else "",
        created_at=ticket.created_at, updated_at=ticket.updated_at, clock=result.clock,
        response_state=result.response.state, response_due_at=result.response.due_at,
        resolution_state=result.resolution.state, resolution_due_at=result.resolution.due_at,
        resolution_used_minutes=result.resolution.used_minutes,
        resolution_target_minutes=result.resolution.target_minutes,
        response_target_minutes=result.response.target_minutes,
        first_response_at=result.first_response_at, resolved_at=result.resolved_at,
        in_scope=ticket.is_in_scope, computed_in_scope=computed.in_scope,
        scope_reason=computed.reason, scope_override=ticket.scope_override,
        override_reason=ticket.override_reason, timeline=timeline, time_entries=entries,
        total_minutes=sum(e[1] for e in entries),
        follow_up_due_at=follow_up.due_at if follow_up else None,
        follow_up_done_at=follow_up.done_at if follow_up else None,
        follow_up_rating=follow_up.rating if follow_up else None,
        follow_up_comment=follow_up.comment if follow_up else "",
        transitions=legal_transitions(ticket.status))


def staff_choices(session: Session) -> list[tuple[int, str]]:
    return [(u.id, u.display_name or u.username) for u in session.scalars(
        select(StaffUser).where(StaffUser.active.is_(True))
        .order_by(func.lower(StaffUser.display_name)))]


def client_choices(session: Session) -> list[tuple[int, str]]:
    return [(i, n) for i, n in session.execute(
        select(Client.id, Client.name).where(Client.archived.is_(False))
        .order_by(func.lower(Client.name)))]


@dataclass(frozen=True)
class NewTicketChoices:
    """What the new-ticket dialog offers: clients with the tier in force today, and staff."""

    clients: list[tuple[int, str, str | None]]  # id, name, tier code in force (None: none)
    staff: list[tuple[int, str]]


def new_ticket_choices(session: Session, now: datetime | None = None) -> NewTicketChoices:
    from desktop.models import Contract

    from .coverage import local_date
    from .settings import load_settings

    today = local_date(_now(now), load_settings(session).zone)
    tiers: dict[int, str] = {}
    for client_id, tier in session.execute(
            select(Contract.client_id, Contract.tier_code)
            .where(Contract.start <= today, Contract.end >= today)
            .order_by(Contract.start, Contract.id)):
        tiers[client_id] = tier  # the latest-starting contract wins, as in contract_in_force
    clients = [(cid, name, tiers.get(cid)) for cid, name in client_choices(session)]
    return NewTicketChoices(clients, staff_choices(session))
