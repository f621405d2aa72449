"""The queue's table model: a window of rows over SQL pages (DESIGN §4, §8).

``rowCount`` is the size of the whole queue, but only a window of ``WINDOW`` rows is held; a
row outside it is painted as a placeholder while the window around it is fetched on the worker
thread. Sorting and filtering are new SQL queries (``services.queue``), never a proxy model.
The SLA column is recomputed every minute from the stored due instants, with no query.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont

from desktop.services import queue as q
from desktop.services.tickets import PRIORITY_LABELS, STATUS_LABELS

from ..style import MUTED, SLA_COLOURS, priority_icon

UTC = timezone.utc
WINDOW = 200          # rows held
MARGIN = 60           # rows fetched above a requested row
TIER_LABELS = {"warranty": "Warranty", "basic": "Basic", "standard": "Standard",
               "premium": "Premium", None: "No contract"}

# key, header, default width
COLUMNS = [
    ("number", "#", 64),
    ("priority", "Priority", 90),
    ("title", "Title", 300),
    ("client", "Client", 150),
    ("tier", "Tier", 125),
    ("status", "Status", 120),
    ("sla", "SLA", 110),
    ("assignee", "Assignee", 115),
    ("updated", "Updated", 90),
]
COLUMN_KEYS = [c[0] for c in COLUMNS]
TicketIdRole = Qt.ItemDataRole.UserRole + 1
SlaStateRole = Qt.ItemDataRole.UserRole + 2
_ROLES = frozenset((Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole,
                    Qt.ItemDataRole.DecorationRole, Qt.ItemDataRole.BackgroundRole,
                    Qt.ItemDataRole.FontRole, Qt.ItemDataRole.ToolTipRole,
                    Qt.ItemDataRole.TextAlignmentRole, TicketIdRole, SlaStateRole))
_PRIORITY = COLUMN_KEYS.index("priority")
_SLA = COLUMN_KEYS.index("sla")
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


def relative_time(instant: datetime, now: datetime, zone: ZoneInfo) -> str:
    seconds = (now - instant).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    local = instant.astimezone(zone)
    if local.year == now.astimezone(zone).year:
        return f"{local.day} {local:%b}"
    return f"{local.day} {local:%b %Y}"


@dataclass
class _Request:
    generation: int
    offset: int
    counted: bool


class QueueModel(QAbstractTableModel):
    """Rows of the ticket queue; ``loaded`` fires after each window (or count) arrives."""

    loaded = Signal()
    count_changed = Signal(int)
    failed = Signal(str)

    def __init__(self, context, parent: QObject | None = None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.context = context
        self.filter = q.QueueFilter()
        self.sort_spec = q.QueueSort()
        self.total = 0
        self.offset = 0
        self.rows: list[q.QueueRow] = []
        self.ids: list[int] | None = None  # every id, for small queues
        self.sla: q.QueueSla | None = None
        self._views: dict[int, tuple] = {}
        self._now = datetime.now(UTC)
        self.zone = context.agency.zone
        self._generation = 0
        self._in_flight: _Request | None = None
        self._wanted_row: int | None = None
        self._dots = {p: priority_icon(p) for p in PRIORITY_LABELS}
        colours = {c for pair in SLA_COLOURS.values() for c in pair if c}
        colours |= {MUTED, "#9a5b00", "#52606d"}
        self._brushes = {c: QBrush(QColor(c)) for c in colours}
        self._views: dict[int, tuple] = {}
        self._bold = QFont()
        self._bold.setBold(True)
        self.loading = False
        self.clock = QTimer(self)
        self.clock.setInterval(60_000)
        self.clock.timeout.connect(self.tick)
        self.clock.start()

    @property
    def now(self) -> datetime:
        """The instant the SLA column is shown at (set each minute by ``tick``)."""
        return self._now

    @now.setter
    def now(self, value: datetime) -> None:
        self._now = value
        self._views.clear()

    # --- Qt model interface ----------------------------------------------------------------
    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else self.total

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section][1]
            if role == Qt.ItemDataRole.ToolTipRole:
                key = COLUMNS[section][0]
                if key in q.SORTABLE:
                    return f"Sort by {COLUMNS[section][1].lower()}"
                return f"{COLUMNS[section][1]} (not sortable)"
        return None

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def row_at(self, row: int) -> q.QueueRow | None:
        i = row - self.offset
        if 0 <= i < len(self.rows):
            return self.rows[i]
        return None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        # Painting asks ~10 roles per cell; answer the unused ones at once and the used ones
        # from a per-row cache (rebuilt when rows arrive and at the minute tick).
        if role not in _ROLES:
            return None
        row = index.row()
        i = row - self.offset
        if not 0 <= i < len(self.rows):
            if role == Qt.ItemDataRole.DisplayRole and 0 <= row < self.total:
                self._want(row)
                return "…" if index.column() == 2 else ""
            return None
        ticket = self.rows[i]
        column = index.column()
        if role == TicketIdRole:
            return ticket.id
        view = self._views.get(ticket.id)
        if view is None:
            view = self._views[ticket.id] = self._row_view(ticket)
        if role == Qt.ItemDataRole.DisplayRole:
            return view[0][column]
        if role == Qt.ItemDataRole.ForegroundRole:
            return view[1][column]
        if column == _PRIORITY and role == Qt.ItemDataRole.DecorationRole:
            return self._dots.get(ticket.priority)
        if column == _SLA:
            if role == Qt.ItemDataRole.BackgroundRole:
                return view[2]
            if role == Qt.ItemDataRole.FontRole:
                return view[3]
            if role == SlaStateRole:
                return view[4].state
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(ticket, COLUMN_KEYS[column])
        if role == SlaStateRole:
            return view[4].state
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 0:
            return _RIGHT
        return None

    def _row_view(self, ticket: q.QueueRow) -> tuple:
        """Everything painting needs of one row: texts, colours, SLA background/font/state."""
        sla = self._sla(ticket)
        texts = tuple(self._display(ticket, key, sla) for key in COLUMN_KEYS)
        colours = tuple(self._foreground(ticket, key, sla) for key in COLUMN_KEYS)
        background = SLA_COLOURS[sla.state][1]
        return (texts, colours, self._brushes.get(background) if background else None,
                self._bold if sla.state in ("breached", "at_risk") else None, sla)

    def _sla(self, ticket: q.QueueRow) -> q.SlaDisplay:
        if self.sla is None:
            return q.SlaDisplay("none", "", None, "")
        return q.sla_display(ticket, self.now, self.sla)

    def _display(self, ticket: q.QueueRow, key: str, sla: q.SlaDisplay) -> str:
        if key == "number":
            return f"#{ticket.number}"
        if key == "priority":
            return PRIORITY_LABELS.get(ticket.priority, ticket.priority)
        if key == "title":
            return ticket.title
        if key == "client":
            return ticket.client
        if key == "tier":
            label = TIER_LABELS.get(ticket.tier, ticket.tier or "")
            return label if ticket.in_scope else f"{label} · billable"
        if key == "status":
            return STATUS_LABELS.get(ticket.status, ticket.status)
        if key == "sla":
            return sla.text
        if key == "assignee":
            return ticket.assignee or "Unassigned"
        if key == "updated":
            return relative_time(ticket.updated_at, self.now, self.zone)
        return ""

    def _foreground(self, ticket: q.QueueRow, key: str, sla: q.SlaDisplay):  # noqa: ANN202
        brush = self._brushes.get
        if key == "sla":
            return brush(SLA_COLOURS[sla.state][0])
        if key == "assignee" and not ticket.assignee:
            return brush(MUTED)
        if key == "tier" and not ticket.in_scope:
            return brush("#9a5b00")
        if key in ("updated", "number"):
            return brush(MUTED)
        if ticket.status in ("resolved", "closed") and key == "title":
            return brush("#52606d")
        return None

    def _tooltip(self, ticket: q.QueueRow, key: str) -> str | None:
        if key == "sla":
            sla = self._sla(ticket)
            if sla.due_at is None:
                return {"paused": "Resolution clock paused while waiting on the client",
                        "met": "Every clock met its target",
                        "breached": "A clock missed its target"}.get(sla.state)
            due = sla.due_at.astimezone(self.zone)
            clock = "24/7 clock" if ticket.clock == "24x7" else "business hours"
            return (f"{sla.clock_name.capitalize()} due {due:%a %d %b %Y, %H:%M} "
                    f"({clock}); state: {sla.state.replace('_', ' ')}")
        if key == "title":
            return ticket.title
        if key == "tier" and not ticket.in_scope:
            return "Out of scope of the contract: billable"
        if key == "updated":
            return f"{ticket.updated_at.astimezone(self.zone):%a %d %b %Y, %H:%M}"
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = COLUMN_KEYS[column] if 0 <= column < len(COLUMNS) else "sla"
        if key not in q.SORTABLE:
            return
        self.set_sort(q.QueueSort(key, order == Qt.SortOrder.DescendingOrder))

    # --- queries ----------------------------------------------------------------------------
    def set_filter(self, flt: q.QueueFilter) -> None:
        self.filter = flt
        self.reload(keep_offset=False)

    def set_sort(self, sort: q.QueueSort) -> None:
        if sort == self.sort_spec and self.total:
            return
        self.sort_spec = sort
        self.reload(keep_offset=False)

    def sort_column(self) -> int:
        return COLUMN_KEYS.index(self.sort_spec.key) if self.sort_spec.key in COLUMN_KEYS else 6

    def reload(self, keep_offset: bool = True) -> None:
        """Count again and fetch the window (after a filter/sort change or a data change)."""
        self._generation += 1
        offset = self.offset if keep_offset else 0
        request = _Request(self._generation, offset, True)
        self._start(request)

    def _start(self, request: _Request) -> None:
        self._in_flight = request
        self.loading = True
        flt, sort, db = self.filter, self.sort_spec, self.context.db
        sla = self.sla
        now = datetime.now(UTC)
        total, ids = self.total, self.ids

        def work():  # runs on the worker thread
            with db.session() as session:
                table = sla or q.QueueSla.load(session)
                if request.counted:
                    return table, q.fetch_page(session, flt, sort, request.offset, WINDOW,
                                               now, table)
                if ids is not None:
                    chunk = ids[request.offset:request.offset + WINDOW]
                    return table, q.QueuePage(total, request.offset,
                                              q.fetch_rows(session, chunk), ids)
                rows = q.fetch_window(session, flt, sort, request.offset, WINDOW, total, now,
                                      table)
                return table, q.QueuePage(total, request.offset, rows, None)

        try:
            self.context.runner.run(work, lambda result: self._arrived(request, result),
                                    lambda exc: self._failed(request, exc))
        except RuntimeError:  # the worker has shut down: the application is closing
            self._in_flight = None
            self.loading = False

    def _arrived(self, request: _Request, result) -> None:  # noqa: ANN001
        table, page = result
        self.sla = table
        if request.generation != self._generation:
            return  # a newer filter or sort superseded this answer
        self._in_flight = None
        self.now = datetime.now(UTC)
        if request.counted and page.total != self.total:
            self.beginResetModel()
            self.total, self.offset, self.rows, self.ids = page.total, page.offset, page.rows, page.ids
            self.endResetModel()
            self.count_changed.emit(self.total)
        else:
            if request.counted:
                self.ids = page.ids
                self.count_changed.emit(self.total)
            self.offset, self.rows = page.offset, page.rows
            if self.total:
                self.dataChanged.emit(self.index(0, 0),
                                      self.index(self.total - 1, len(COLUMNS) - 1))
            if request.counted and page.total == 0:
                self.beginResetModel()
                self.endResetModel()
        self.loading = False
        self.loaded.emit()
        if self._wanted_row is not None:
            wanted, self._wanted_row = self._wanted_row, None
            if self.row_at(wanted) is None:
                self._want(wanted)

    def _failed(self, request: _Request, exc: BaseException) -> None:
        from ..worker import describe_error

        if request.generation == self._generation:
            self._in_flight = None
            self.loading = False
            self.failed.emit(describe_error(exc))

    def _want(self, row: int) -> None:
        """A row outside the window was asked for: fetch the window around it."""
        if self._in_flight is not None:
            self._wanted_row = row
            return
        offset = max(0, min(row - MARGIN, self.total - WINDOW))
        self._start(_Request(self._generation, offset, False))

    def tick(self) -> None:
        """Every minute: the SLA and updated columns count on, from what is held."""
        self.now = datetime.now(UTC)
        if self.rows:
            first = self.offset
            last = self.offset + len(self.rows) - 1
            for key in ("sla", "updated"):
                column = COLUMN_KEYS.index(key)
                self.dataChanged.emit(self.index(first, column), self.index(last, column))

    def row_of(self, ticket_id: int) -> int | None:
        """Row of a ticket among those known (held window or the small queue's ids)."""
        if self.ids is not None:
            try:
                return self.ids.index(ticket_id)
            except ValueError:
                return None
        for i, ticket in enumerate(self.rows):
            if ticket.id == ticket_id:
                return self.offset + i
        return None

    def ticket_id(self, row: int) -> int | None:
        ticket = self.row_at(row)
        if ticket is not None:
            return ticket.id
        if self.ids is not None and 0 <= row < len(self.ids):
            return self.ids[row]
        return None
