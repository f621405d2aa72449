"""The ticket queue as SQL pages (DESIGN §4 "Queue", §8 budgets).

The queue never loads the table: a view asks for a *window* of rows (``fetch_window``) and for
the number of rows matching the filter (``count_rows``). Filtering is WHERE on indexed columns,
sorting is ORDER BY on indexed columns, so a million tickets page as fast as a hundred.

How sorting stays on indexes:
- an ordered column (SLA due, number, updated, created) is one index walk; its NULLs (tickets
  with no running clock) come after the values, as a second *segment* walked by recency;
- a categorical column (priority, status, assignee) is one segment per value in the order a
  support manager expects (critical before low, new before closed), each walked by SLA due on the
  (value, sla_due_at) indexes;
- client is a walk of clients by name joined to tickets by client (an index nested loop).
A window at offset N walks the segments in order and asks for counts only of the segments it
skips entirely. Past the middle the walk runs backwards from the end (so "jump to the end" is as
cheap as the top).

SLA state of a row (``sla_display``) is computed in Python from the stored due instants, so a
view can refresh its countdown every minute without asking the database again.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone

from sqlalchemy import Boolean, Select, and_, func, not_, or_, select, true, type_coerce
from sqlalchemy.types import NullType
from sqlalchemy.sql.elements import UnaryExpression
from sqlalchemy.sql.operators import custom_op
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from desktop.models import Client, Contract, SlaPolicy, StaffUser, Ticket
from desktop.models.enums import OPEN_STATUSES, Priority, Status

from .business_calendar import BusinessCalendar, clock_for
from .search import client_matcher, fts_count, text_condition

UTC = timezone.utc
NO_TIER = "none"
UNASSIGNED = 0
SLA_STATES = ("breached", "at_risk", "running", "paused", "met")
# column key -> sortable?
COLUMNS = ("number", "priority", "title", "client", "tier", "status", "sla", "assignee",
           "updated")
SORTABLE = frozenset(("number", "priority", "client", "status", "sla", "assignee", "updated",
                      "created"))


@dataclass(frozen=True)
class QueueFilter:
    """What the queue shows. Empty tuples mean "any"; ``assignee_ids`` may hold ``UNASSIGNED``
    (0); ``tiers`` may hold ``"none"`` (no contract); ``mine`` is resolved to the current
    user's id by the caller (saved view "My open")."""

    statuses: tuple[str, ...] = ()
    priorities: tuple[str, ...] = ()
    client_ids: tuple[int, ...] = ()
    tiers: tuple[str, ...] = ()
    assignee_ids: tuple[int, ...] = ()
    sla_states: tuple[str, ...] = ()
    in_scope: bool | None = None
    text: str = ""

    def to_dict(self) -> dict:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: dict) -> QueueFilter:
        known = {f for f in cls.__dataclass_fields__}
        values = {}
        for key, value in (data or {}).items():
            if key not in known:
                continue
            values[key] = tuple(value) if isinstance(value, list) else value
        return cls(**values)

    def with_(self, **changes) -> QueueFilter:  # noqa: ANN003
        return replace(self, **changes)


@dataclass(frozen=True)
class QueueSort:
    key: str = "sla"
    descending: bool = False


@dataclass(frozen=True)
class QueueRow:
    """One row of the queue, plain data (no ORM)."""

    id: int
    number: int
    priority: str
    title: str
    client: str
    tier: str | None
    status: str
    assignee: str | None
    created_at: datetime
    updated_at: datetime
    clock: str
    response_due_at: datetime | None
    resolution_due_at: datetime | None
    sla_due_at: datetime | None
    first_response_at: datetime | None
    resolved_at: datetime | None
    resolution_paused: bool
    response_breached: bool
    resolution_breached: bool
    in_scope: bool
    version: int


# --- SLA targets, for at-risk ------------------------------------------------------------------
@dataclass
class QueueSla:
    """What the queue needs to tell at-risk from on-track: policy targets, the clocks, the
    at-risk threshold. Load once (``QueueSla.load``) and keep; reload when settings change."""

    policies: list[tuple[str, str, str, int, int]]  # tier, priority, clock, response, resolution
    calendar: BusinessCalendar
    at_risk_percent: int = 75
    tiers: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, session: Session) -> QueueSla:
        from desktop.models import Tier

        from .settings import load_settings

        settings = load_settings(session)
        rows = [tuple(r) for r in session.execute(select(
            SlaPolicy.tier_code, SlaPolicy.priority, SlaPolicy.clock,
            SlaPolicy.response_minutes, SlaPolicy.resolution_minutes))]
        tiers = list(session.scalars(select(Tier.code)))
        return cls(rows, BusinessCalendar.from_session(session), int(settings.at_risk_percent),
                   tiers + [NO_TIER])

    def targets(self, tier: str | None, priority: str) -> tuple[str, int, int]:
        tier = tier or NO_TIER
        for t, p, clock, response, resolution in self.policies:
            if t == tier and p == priority:
                return clock, response, resolution
        for t, p, clock, response, resolution in self.policies:
            if t == NO_TIER and p == priority:
                return clock, response, resolution
        from . import catalog

        response, resolution = catalog.BUSINESS_TARGETS[priority]
        return "business", response, resolution


@dataclass(frozen=True)
class SlaDisplay:
    """The SLA column of one row at ``now``: a state and a short text ("2h 10m left")."""

    state: str  # breached, at_risk, running, paused, met, none
    text: str
    due_at: datetime | None
    clock_name: str  # "response" / "resolution" / ""


def format_minutes(minutes: float) -> str:
    minutes = int(round(abs(minutes)))
    days, rest = divmod(minutes, 60 * 24)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {mins:02d}m"
    return f"{mins}m"


def sla_display(row: QueueRow, now: datetime, sla: QueueSla) -> SlaDisplay:
    """The row's SLA state at ``now`` from its stored instants (DESIGN §2 "at risk" / "breached").

    Time left is counted on the ticket's own clock (business hours or 24/7), as the SLA does.
    """
    clock = clock_for(row.clock, sla.calendar)
    if row.sla_due_at is not None:
        which = "response" if row.first_response_at is None else "resolution"
        if row.sla_due_at < now:
            late = clock.minutes_between(row.sla_due_at, now)
            return SlaDisplay("breached", f"{format_minutes(late)} over", row.sla_due_at, which)
        _clock, response, resolution = sla.targets(row.tier, row.priority)
        target = response if which == "response" else resolution
        left = clock.minutes_between(now, row.sla_due_at)
        breached_before = row.response_breached or row.resolution_breached
        state = "running"
        if target and left <= target * (100 - sla.at_risk_percent) / 100:
            state = "at_risk"
        if breached_before:
            state = "breached"
        return SlaDisplay(state, f"{format_minutes(left)} left", row.sla_due_at, which)
    if row.response_breached or row.resolution_breached:
        return SlaDisplay("breached", "Breached", None, "")
    if row.resolution_paused:
        return SlaDisplay("paused", "Paused", None, "resolution")
    if row.resolved_at is not None or row.status in (Status.RESOLVED, Status.CLOSED):
        return SlaDisplay("met", "Met", None, "")
    return SlaDisplay("none", "—", None, "")


# --- filters ---------------------------------------------------------------------------------
def _at_risk_condition(now: datetime, sla: QueueSla) -> ColumnElement[bool]:
    """Running clocks with at least at_risk_percent of their target used, in SQL.

    The nearest running clock is the response clock while there is no first response, else the
    resolution clock. For each (priority, clock, which, target) the at-risk threshold is an
    instant (``now`` plus the remaining share of the target on that clock), so the test is a
    range on ``sla_due_at``; tiers that share a target share the condition.
    """
    groups: dict[tuple[str, str, str, int], list[str]] = defaultdict(list)
    for tier, priority, clock, response, resolution in sla.policies:
        groups[(priority, clock, "response", response)].append(tier)
        groups[(priority, clock, "resolution", resolution)].append(tier)
    all_tiers = set(sla.tiers)
    share = (100 - sla.at_risk_percent) / 100
    parts = []
    for (priority, clock, which, target), tiers in groups.items():
        threshold = clock_for(clock, sla.calendar).add(now, target * share)
        condition = [Ticket.priority == priority, Ticket.clock == clock,
                     Ticket.sla_due_at <= threshold,
                     Ticket.first_response_at.is_(None) if which == "response"
                     else Ticket.first_response_at.is_not(None)]
        if not all_tiers <= set(tiers):
            condition.append(_tier_condition(tuple(tiers)))
        parts.append(and_(*condition))
    return and_(Ticket.sla_due_at.is_not(None), Ticket.sla_due_at >= now,
                or_(*parts) if parts else false_())


def false_() -> ColumnElement[bool]:
    return not_(true())


def _breached_condition(now: datetime) -> ColumnElement[bool]:
    # (the IS NOT NULL keeps the test two-valued, so NOT(breached) is true for NULL dues)
    return or_(and_(Ticket.sla_due_at.is_not(None), Ticket.sla_due_at < now),
               Ticket.response_breached.is_(True),
               Ticket.resolution_breached.is_(True))


def _tier_condition(tiers: tuple[str, ...]) -> ColumnElement[bool]:
    named = [t for t in tiers if t != NO_TIER]
    parts = []
    if named:
        parts.append(Ticket.contract_id.in_(
            select(Contract.id).where(Contract.tier_code.in_(named))))
    if NO_TIER in tiers:
        parts.append(Ticket.contract_id.is_(None))
    return or_(*parts)


def filter_conditions(flt: QueueFilter, dialect: str, now: datetime,
                      sla: QueueSla | None, client_matches=None) -> list[ColumnElement[bool]]:  # noqa: ANN001
    conditions: list[ColumnElement[bool]] = []
    if flt.statuses:
        conditions.append(Ticket.status.in_(flt.statuses))
    if flt.priorities:
        conditions.append(Ticket.priority.in_(flt.priorities))
    if flt.client_ids:
        conditions.append(Ticket.client_id.in_(flt.client_ids))
    if flt.tiers:
        conditions.append(_tier_condition(flt.tiers))
    if flt.assignee_ids:
        people = [a for a in flt.assignee_ids if a != UNASSIGNED]
        parts = []
        if people:
            parts.append(Ticket.assignee_id.in_(people))
        if UNASSIGNED in flt.assignee_ids:
            parts.append(Ticket.assignee_id.is_(None))
        conditions.append(or_(*parts))
    if flt.in_scope is not None:
        # the verdict in force: the override if any, else the computed one (two index ranges
        # on (scope_override, in_scope) rather than an expression no index can serve)
        conditions.append(or_(Ticket.scope_override == flt.in_scope,
                              and_(Ticket.scope_override.is_(None),
                                   Ticket.in_scope == flt.in_scope)))
    if flt.sla_states:
        breached = _breached_condition(now)
        states = []
        at_risk = _at_risk_condition(now, sla) if sla is not None else false_()
        for state in flt.sla_states:
            if state == "breached":
                states.append(breached)
            elif state == "at_risk":
                states.append(and_(not_(breached), at_risk))
            elif state == "running":
                states.append(and_(not_(breached), Ticket.sla_due_at.is_not(None), not_(at_risk)))
            elif state == "paused":
                states.append(and_(not_(breached), Ticket.sla_due_at.is_(None),
                                   Ticket.resolution_paused.is_(True)))
            elif state == "met":
                states.append(and_(not_(breached), Ticket.sla_due_at.is_(None),
                                   Ticket.resolution_paused.is_(False),
                                   Ticket.status.in_((Status.RESOLVED, Status.CLOSED))))
        conditions.append(or_(*states))
    search = text_condition(dialect, flt.text, client_matches)
    if search is not None:
        conditions.append(search)
    return conditions


# --- sorting as segments ---------------------------------------------------------------------
@dataclass(frozen=True)
class _Segment:
    where: tuple[ColumnElement[bool], ...]
    order: tuple  # ORDER BY clauses, forward
    backward: tuple  # the same, reversed
    join_client: bool = False


def _ordered(column, descending: bool) -> tuple[tuple, tuple]:  # noqa: ANN001
    forward = (column.desc(), Ticket.id.desc()) if descending else (column.asc(), Ticket.id.asc())
    backward = (column.asc(), Ticket.id.asc()) if descending else (column.desc(), Ticket.id.desc())
    return forward, backward


# Rows without a running clock come last, newest first: ``ORDER BY id DESC`` inside
# ``sla_due_at IS NULL`` is the order of the (…, sla_due_at) indexes themselves (rowid tail).
_NEWEST_FIRST = ((Ticket.id.desc(),), (Ticket.id.asc(),))


def _by_due(where: tuple) -> list[_Segment]:
    """Inside a category: running clocks by nearest due, then the rest newest first."""
    due_f, due_b = _ordered(Ticket.sla_due_at, False)
    return [_Segment(where + (Ticket.sla_due_at.is_not(None),), due_f, due_b),
            _Segment(where + (Ticket.sla_due_at.is_(None),), *_NEWEST_FIRST)]


def _segments(sort: QueueSort, staff_order: Sequence[int]) -> list[_Segment]:
    key, desc = sort.key, sort.descending
    if key == "sla":
        forward, backward = _ordered(Ticket.sla_due_at, desc)
        return [_Segment((Ticket.sla_due_at.is_not(None),), forward, backward),
                _Segment((Ticket.sla_due_at.is_(None),), *_NEWEST_FIRST)]
    if key in ("number", "updated", "created"):
        column = {"number": Ticket.number, "updated": Ticket.updated_at,
                  "created": Ticket.created_at}[key]
        forward, backward = _ordered(column, desc)
        return [_Segment((), forward, backward)]
    if key == "priority":
        values = list(Priority)
        column = Ticket.priority
    elif key == "status":
        values = list(Status)
        column = Ticket.status
    elif key == "assignee":
        values = list(staff_order) + [None]
        column = Ticket.assignee_id
    elif key == "client":
        forward = ((Client.name.desc(), Ticket.client_id.desc(), Ticket.created_at.asc(),
                    Ticket.id.asc()) if desc else
                   (Client.name.asc(), Ticket.client_id.asc(), Ticket.created_at.desc(),
                    Ticket.id.desc()))
        backward = tuple(_flip(c) for c in forward)
        return [_Segment((), forward, backward, join_client=True)]
    else:
        raise ValueError(f"cannot sort the queue by {key!r}")
    if desc:
        values.reverse()
    segments: list[_Segment] = []
    for value in values:
        where = (column.is_(None),) if value is None else (column == value,)
        segments.extend(_by_due(where))
    return segments


def _raw(column):  # noqa: ANN001, ANN202
    """The column's value as the driver returns it (no per-row type processing)."""
    return type_coerce(column, NullType())


def _instant(value) -> datetime | None:  # noqa: ANN001
    """A stored instant as an aware UTC datetime: SQLite gives naive-UTC text, PostgreSQL an
    aware datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _not_indexed(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    return UnaryExpression(condition.self_group(), operator=custom_op("+"),
                           type_=Boolean())


def _flip(clause):  # noqa: ANN001, ANN202
    modifier = clause.modifier.__name__ if clause.modifier is not None else ""
    return clause.element.asc() if modifier.startswith("desc") else clause.element.desc()


# --- the queries -----------------------------------------------------------------------------
class QueueQuery:
    """The queue's SQL for one filter and sort; cheap to build, holds no connection."""

    def __init__(self, session: Session, flt: QueueFilter, sort: QueueSort, now: datetime,
                 sla: QueueSla | None = None) -> None:
        self.session = session
        # Core execution on the session's connection: no ORM row processing per row
        self.connection = session.connection()
        self.dialect = session.get_bind().dialect.name
        self.filter = flt
        self.sort = sort if sort.key in SORTABLE else QueueSort()
        self.now = now
        matcher = client_matcher(self.connection) if flt.text.strip() else None
        self._matcher = matcher
        self.conditions = filter_conditions(flt, self.dialect, now, sla, matcher)
        staff = self.connection.execute(select(StaffUser.id).order_by(
            func.lower(StaffUser.display_name), StaffUser.id)).scalars().all()
        self.staff_order = staff
        self.segments = _segments(self.sort, staff)
        self._segment_counts: dict[int, int] = {}

    def count(self) -> int:
        if self._matcher is not None and self.filter.with_(text="") == QueueFilter():
            counted = fts_count(self.connection, self.filter.text, self._matcher)
            if counted is not None:
                return counted
        query = select(func.count()).select_from(Ticket).where(*self.conditions)
        return int(self.connection.scalar(query) or 0)

    def _ids_query(self, segment: _Segment, order: tuple) -> Select:
        conditions = self.conditions
        if self.dialect == "sqlite":
            # A big queue (the small ones are sorted in Python): walk the index that gives the
            # order and test the filter row by row. The unary + keeps SQLite's planner from
            # choosing a filter index and sorting a huge range instead.
            conditions = [_not_indexed(c) for c in conditions]
        query = select(Ticket.id).where(*conditions, *segment.where)
        if segment.join_client:
            query = query.join(Client, Client.id == Ticket.client_id)
        return query.order_by(*order)

    def _segment_count(self, index: int) -> int:
        if index not in self._segment_counts:
            segment = self.segments[index]
            query = select(func.count()).select_from(Ticket).where(*self.conditions,
                                                                   *segment.where)
            self._segment_counts[index] = int(self.connection.scalar(query) or 0)
        return self._segment_counts[index]

    def window_ids(self, offset: int, limit: int, total: int | None = None) -> list[int]:
        """Ticket ids of rows ``offset`` .. ``offset + limit`` in the queue's order."""
        if limit <= 0 or total == 0:
            return []
        if total is not None:
            limit = min(limit, total - offset)
        if total is not None and offset + limit / 2 > total / 2 and offset > limit:
            # Nearer the end: walk backwards from the last row.
            end = min(total, offset + limit)
            from_end = total - end
            ids = self._walk(list(reversed(range(len(self.segments)))), from_end,
                             end - offset, backwards=True)
            ids.reverse()
            return ids
        return self._walk(list(range(len(self.segments))), offset, limit, backwards=False)

    def sorted_ids(self) -> list[int]:
        """Every matching id in the queue's order, sorted in Python: for small queues (a
        search, a narrow filter), where walking a big index to find few rows would be slow.
        Instants are compared as the database returns them (SQLite's fixed-format UTC text
        sorts like the instants), without converting each one."""
        key, desc = self.sort.key, self.sort.descending
        execute = self.connection.execute
        if key == "sla":
            rows = execute(select(Ticket.id, _raw(Ticket.sla_due_at))
                           .where(*self.conditions)).all()
            running = sorted(((due, i) for i, due in rows if due is not None), reverse=desc)
            rest = sorted((i for i, due in rows if due is None), reverse=True)
            return [i for _due, i in running] + rest
        if key in ("number", "updated", "created"):
            column = {"number": Ticket.number, "updated": _raw(Ticket.updated_at),
                      "created": _raw(Ticket.created_at)}[key]
            rows = execute(select(Ticket.id, column).where(*self.conditions)).all()
            return [i for _v, i in sorted(((v, i) for i, v in rows), reverse=desc)]
        if key == "client":
            rows = execute(select(Ticket.id, Ticket.client_id, _raw(Ticket.created_at),
                                  Client.name).join(Client, Client.id == Ticket.client_id)
                           .where(*self.conditions)).all()
            rows.sort(key=lambda r: (r[2], r[0]), reverse=True)  # newest first in a client
            rows.sort(key=lambda r: (r[3], r[1]))  # stable: by name, then client
            ids = [r[0] for r in rows]
            return ids[::-1] if desc else ids
        if key == "priority":
            column, ranks = Ticket.priority, {p.value: i for i, p in enumerate(Priority)}
        elif key == "status":
            column, ranks = Ticket.status, {p.value: i for i, p in enumerate(Status)}
        else:
            column = Ticket.assignee_id
            ranks = {a: i for i, a in enumerate(self.staff_order)}
            ranks[None] = len(ranks)
        groups: dict[int, tuple[list, list]] = defaultdict(lambda: ([], []))
        for i, value, due in execute(select(Ticket.id, column, _raw(Ticket.sla_due_at))
                                     .where(*self.conditions)):
            running, rest = groups[ranks.get(value, len(ranks))]
            if due is None:
                rest.append(i)
            else:
                running.append((due, i))
        ids: list[int] = []
        for rank in sorted(groups, reverse=desc):
            running, rest = groups[rank]
            ids.extend(i for _due, i in sorted(running))
            ids.extend(sorted(rest, reverse=True))
        return ids

    def _walk(self, order: list[int], offset: int, limit: int, backwards: bool) -> list[int]:
        ids: list[int] = []
        for index in order:
            if len(ids) >= limit:
                break
            segment = self.segments[index]
            if offset > 0 and len(self.segments) > 1:
                size = self._segment_count(index)
                if offset >= size:
                    offset -= size
                    continue
            query = self._ids_query(segment, segment.backward if backwards else segment.order)
            query = query.offset(offset).limit(limit - len(ids))
            ids.extend(self.connection.scalars(query).all())
            offset = 0
        return ids

    def rows(self, ids: Sequence[int]) -> list[QueueRow]:
        """The queue rows of those ids, in that order."""
        if not ids:
            return []
        assignee = aliased(StaffUser)
        query = (select(Ticket.id, Ticket.number, Ticket.priority, Ticket.title, Client.name,
                        Contract.tier_code, Ticket.status,
                        func.coalesce(func.nullif(assignee.display_name, ""), assignee.username),
                        _raw(Ticket.created_at), _raw(Ticket.updated_at), Ticket.clock,
                        _raw(Ticket.response_due_at), _raw(Ticket.resolution_due_at),
                        _raw(Ticket.sla_due_at), _raw(Ticket.first_response_at),
                        _raw(Ticket.resolved_at), Ticket.resolution_paused,
                        Ticket.response_breached, Ticket.resolution_breached, Ticket.in_scope,
                        Ticket.scope_override, Ticket.version)
                 .join(Client, Client.id == Ticket.client_id)
                 .outerjoin(Contract, Contract.id == Ticket.contract_id)
                 .outerjoin(assignee, assignee.id == Ticket.assignee_id)
                 .where(Ticket.id.in_(list(ids))))
        found = {}
        for r in self.connection.execute(query):
            in_scope = r[19] if r[20] is None else r[20]
            found[r[0]] = QueueRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7],
                                   _instant(r[8]), _instant(r[9]), r[10], _instant(r[11]),
                                   _instant(r[12]), _instant(r[13]), _instant(r[14]),
                                   _instant(r[15]), bool(r[16]), bool(r[17]), bool(r[18]),
                                   bool(in_scope), r[21])
        return [found[i] for i in ids if i in found]

    def window(self, offset: int, limit: int, total: int | None = None) -> list[QueueRow]:
        return self.rows(self.window_ids(offset, limit, total))

    def position_of(self, ticket_id: int, total: int | None = None) -> int | None:
        """Row index of a ticket in the queue (None if the filter excludes it). Used to keep
        the selection; walks ids, so only for small queues (≤ 20,000 rows)."""
        if total is not None and total > 20_000:
            return None
        ids = self.window_ids(0, total or 20_000)
        try:
            return ids.index(ticket_id)
        except ValueError:
            return None


# Queues up to this size are sorted in Python from one query; bigger ones page through indexes.
SMALL_QUEUE = 5_000


@dataclass(frozen=True)
class QueuePage:
    """A counted queue and one window of it. ``ids`` holds every id in order when the queue is
    small (the view then pages by id without re-sorting); None for big queues."""

    total: int
    offset: int
    rows: list[QueueRow]
    ids: list[int] | None = None


def fetch_page(session: Session, flt: QueueFilter, sort: QueueSort, offset: int, limit: int,
               now: datetime | None = None, sla: QueueSla | None = None) -> QueuePage:
    """Count the queue and fetch one window (the view's first query after a filter change)."""
    now = now or datetime.now(UTC)
    query = QueueQuery(session, flt, sort, now, sla)
    total = query.count()
    offset = max(0, min(offset, max(0, total - limit)))
    if total <= SMALL_QUEUE:
        ids = query.sorted_ids()
        total = len(ids)
        offset = max(0, min(offset, max(0, total - limit)))
        return QueuePage(total, offset, query.rows(ids[offset:offset + limit]), ids)
    return QueuePage(total, offset, query.window(offset, limit, total))


def fetch_rows(session: Session, ids: Sequence[int]) -> list[QueueRow]:
    """The rows of known ids (a small queue scrolling)."""
    return QueueQuery(session, QueueFilter(), QueueSort("number"), datetime.now(UTC)).rows(ids)


def fetch_window(session: Session, flt: QueueFilter, sort: QueueSort, offset: int, limit: int,
                 total: int, now: datetime | None = None,
                 sla: QueueSla | None = None) -> list[QueueRow]:
    """One window of a queue whose size is already known (scrolling)."""
    query = QueueQuery(session, flt, sort, now or datetime.now(UTC), sla)
    return query.window(offset, limit, total)


def count_rows(session: Session, flt: QueueFilter, now: datetime | None = None,
               sla: QueueSla | None = None) -> int:
    return QueueQuery(session, flt, QueueSort(), now or datetime.now(UTC), sla).count()


# --- saved views -----------------------------------------------------------------------------
OPEN = tuple(str(s) for s in OPEN_STATUSES)
BUILTIN_VIEWS: dict[str, dict] = {
    "All open": {"statuses": list(OPEN)},
    "My open": {"statuses": list(OPEN), "assignee_ids": ["me"]},
    "At risk": {"statuses": list(OPEN), "sla_states": ["at_risk"]},
    "Breached": {"statuses": list(OPEN), "sla_states": ["breached"]},
    "Waiting on client": {"statuses": [Status.WAITING_ON_CLIENT.value]},
    "Unassigned": {"statuses": list(OPEN), "assignee_ids": [UNASSIGNED]},
    "All tickets": {},
}
DEFAULT_VIEW = "All open"


def resolve_view(definition: dict, user_id: int) -> QueueFilter:
    """A saved view's filter, with ``"me"`` replaced by the current user's id."""
    data = dict(definition)
    if "assignee_ids" in data:
        data["assignee_ids"] = [user_id if a == "me" else a for a in data["assignee_ids"]]
    return QueueFilter.from_dict(data)


def filter_options(session: Session) -> dict[str, list[tuple[object, str]]]:
    """Choices for the filter pickers: clients, staff, tiers (id/code, label)."""
    from desktop.models import Tier

    clients = [(i, n) for i, n in session.execute(
        select(Client.id, Client.name).order_by(func.lower(Client.name)))]
    staff = [(i, d or u) for i, d, u in session.execute(
        select(StaffUser.id, StaffUser.display_name, StaffUser.username)
        .where(StaffUser.active.is_(True)).order_by(func.lower(StaffUser.display_name)))]
    tiers = [(c, n) for c, n in session.execute(
        select(Tier.code, Tier.name).order_by(Tier.sort_order))]
    return {"clients": clients, "staff": staff, "tiers": tiers + [(NO_TIER, "No contract")]}


@dataclass(frozen=True)
class Alert:
    """A clock that turned at risk or breached: notified at most once per (ticket, clock,
    state)."""

    ticket_id: int
    number: int
    title: str
    client: str
    clock_name: str
    state: str

    @property
    def key(self) -> str:
        return f"{self.ticket_id}:{self.clock_name}:{self.state}"


def clock_alerts(session: Session, now: datetime, sla: QueueSla | None = None,
                 limit: int = 500) -> list[Alert]:
    """Open tickets whose running clock is at risk or breached at ``now``, nearest due first."""
    sla = sla or QueueSla.load(session)
    flt = QueueFilter(statuses=OPEN, sla_states=("at_risk", "breached"))
    query = QueueQuery(session, flt, QueueSort("sla"), now, sla)
    rows = query.rows(query.window_ids(0, limit))
    alerts = []
    for row in rows:
        shown = sla_display(row, now, sla)
        if shown.state in ("at_risk", "breached"):
            alerts.append(Alert(row.id, row.number, row.title, row.client,
                                shown.clock_name or "resolution", shown.state))
    return alerts
