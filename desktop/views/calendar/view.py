"""The Calendar view (DESIGN §4): a month grid of maintenance occurrences coloured by state, an
agenda for the selected day, week or month (or everything overdue), filters by client and tier,
"mark done" (one, or several at once, with "save and next" to run through a month), reschedule
and iCalendar export. All database work runs on the context's worker.

Keys: in the grid, arrows move the day, PgUp/PgDn the month, Home/End the week's ends, T goes
to today and Enter marks the day's first task not done; in the agenda, Enter marks the selected
task(s) done; anywhere, Ctrl+PgUp/Ctrl+PgDn change the month and Ctrl+E exports.
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from PySide6.QtCore import Qt
from shiboken6 import isValid
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QFileDialog, QHBoxLayout,
                               QHeaderView, QLabel, QPushButton, QSplitter, QTableView,
                               QToolButton, QVBoxLayout, QWidget)
from sqlalchemy import func, select

from desktop.errors import StaleDataError
from desktop.models import Client, Contract, Holiday, StaffUser
from desktop.services import maintenance
from desktop.services.maintenance import OccurrenceRow, counts_by_day

from ..context import AppContext
from ..messages import dialogs
from ..worker import describe_error
from .agenda_model import AgendaModel
from .dialogs import BulkMarkDoneDialog, MarkDoneDialog, RescheduleDialog
from .month_grid import COLOURS, MonthGrid, add_months, grid_days

SCOPES = [("day", "Selected day"), ("week", "Selected week"), ("month", "Whole month"),
          ("overdue", "Everything overdue")]
STATE_FILTERS = [("", "Any state"), ("open", "Not done"), ("overdue", "Overdue"),
                 ("due", "Due"), ("done", "Done")]
TIERS = [("", "All tiers"), ("warranty", "Warranty"), ("basic", "Basic"),
         ("standard", "Standard"), ("premium", "Premium")]


@dataclass
class CalendarData:
    """What one load brings back from the worker: plain data only."""

    rows: list[OccurrenceRow]
    overdue: list[OccurrenceRow]
    holidays: dict[date, str]
    clients: list[tuple[int, str]]
    regenerated: str = ""
    overdue_total: int = 0
    weekdays: set[int] = field(default_factory=lambda: {0, 1, 2, 3, 4})
    client_id: int | None = None  # the client shown (resolved from a name when asked by name)


class CalendarView(QWidget):
    def __init__(self, context: AppContext, parent: QWidget | None = None,
                 today: date | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.today = today or datetime.now(context.agency.zone).date()
        self.client_id: int | None = None
        self.tier: str = ""
        self.scope = "day"
        self.state_filter = ""
        self.data = CalendarData([], [], {}, [])
        self._generation = 0
        self._regenerated = False
        self._loading = False
        self._emitting = False
        self._keep_selection: list[int] = []
        self._client_name: str | None = None
        self.mark_done_dialog: MarkDoneDialog | None = None
        self.bulk_dialog: BulkMarkDoneDialog | None = None
        self.reschedule_dialog: RescheduleDialog | None = None
        self.choose_export_path = self._ask_export_path  # replaced in tests
        self._build()
        self._restore_state()
        context.events.changed.connect(self._on_data_changed)
        self.reload()

    def _run(self, fn, on_success, on_failure=None):  # noqa: ANN001, ANN202
        """Run ``fn`` on the worker; the callbacks are dropped if this view is gone by then."""
        def alive(callback):  # noqa: ANN001, ANN202
            if callback is None:
                return None
            return lambda value: callback(value) if isValid(self.agenda) else None

        return self.context.runner.run(fn, alive(on_success), alive(on_failure))

    # building ---------------------------------------------------------------------------------
    def _build(self) -> None:
        self.grid = MonthGrid(self.today)
        self.grid.selected_changed.connect(lambda _d: self._show_agenda())
        self.grid.month_changed.connect(lambda _y, _m: self._on_month_changed())
        self.grid.activated.connect(self._on_day_activated)

        prev_button = QToolButton()
        prev_button.setText("◀")
        prev_button.setToolTip("Previous month (PgUp in the grid, Ctrl+PgUp anywhere)")
        prev_button.clicked.connect(lambda: self.go_to(add_months(self.grid.selected, -1)))
        next_button = QToolButton()
        next_button.setText("▶")
        next_button.setToolTip("Next month (PgDn in the grid, Ctrl+PgDn anywhere)")
        next_button.clicked.connect(lambda: self.go_to(add_months(self.grid.selected, 1)))
        today_button = QPushButton("Today")
        today_button.setToolTip("Go to today (T)")
        today_button.clicked.connect(lambda: self.go_to(self.today))
        self.month_label = QLabel()
        self.month_label.setObjectName("month_label")
        font = self.month_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.month_label.setFont(font)
        self.month_label.setMinimumWidth(180)

        self.client_combo = QComboBox()
        self.client_combo.setObjectName("client_filter")
        self.client_combo.setMinimumWidth(200)
        self.client_combo.addItem("All clients", None)
        self.client_combo.currentIndexChanged.connect(self._on_client_changed)
        self.tier_combo = QComboBox()
        self.tier_combo.setObjectName("tier_filter")
        for code, label in TIERS:
            self.tier_combo.addItem(label, code)
        self.tier_combo.currentIndexChanged.connect(self._on_tier_changed)
        self.export_button = QPushButton("Export iCalendar…")
        self.export_button.setObjectName("export_ical")
        self.export_button.setToolTip("Save the schedule (current client and tier filter) as an "
                                      ".ics file for a calendar application (Ctrl+E)")
        self.export_button.clicked.connect(lambda: self.export_ical())

        top = QHBoxLayout()
        top.addWidget(prev_button)
        top.addWidget(self.month_label)
        top.addWidget(next_button)
        top.addWidget(today_button)
        top.addStretch(1)
        top.addWidget(QLabel("Client"))
        top.addWidget(self.client_combo)
        top.addWidget(QLabel("Tier"))
        top.addWidget(self.tier_combo)
        top.addWidget(self.export_button)

        self.summary = QLabel()
        self.summary.setObjectName("month_summary")
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.linkActivated.connect(lambda _link: self.apply_filter(state="overdue"))
        self.read_only_label = QLabel("Offline snapshot: read-only. Tasks cannot be marked "
                                      "done until the shared database is back.")
        self.read_only_label.setStyleSheet("color: #8a6d00;")
        self.read_only_label.setVisible(self.context.read_only)

        # agenda
        self.agenda_title = QLabel()
        self.agenda_title.setObjectName("agenda_title")
        self.agenda_title.setTextFormat(Qt.TextFormat.PlainText)
        bold = self.agenda_title.font()
        bold.setBold(True)
        self.agenda_title.setFont(bold)
        self.scope_combo = QComboBox()
        self.scope_combo.setObjectName("scope")
        for code, label in SCOPES:
            self.scope_combo.addItem(label, code)
        self.scope_combo.currentIndexChanged.connect(self._on_scope_changed)
        self.state_combo = QComboBox()
        self.state_combo.setObjectName("state_filter")
        for code, label in STATE_FILTERS:
            self.state_combo.addItem(label, code)
        self.state_combo.currentIndexChanged.connect(self._on_state_changed)
        self.mark_button = QPushButton("Mark done…")
        self.mark_button.setObjectName("mark_done")
        self.mark_button.setToolTip("Record the selected task as done (Enter); select several "
                                    "to mark them all at once")
        self.mark_button.clicked.connect(self.mark_selected_done)
        self.undo_button = QPushButton("Not done")
        self.undo_button.setObjectName("mark_undone")
        self.undo_button.setToolTip("Undo a \"mark done\" made by mistake")
        self.undo_button.clicked.connect(self.mark_selected_undone)
        self.reschedule_button = QPushButton("Reschedule…")
        self.reschedule_button.setObjectName("reschedule")
        self.reschedule_button.clicked.connect(self.reschedule_selected)

        agenda_bar = QHBoxLayout()
        agenda_bar.addWidget(self.agenda_title, 1)
        agenda_bar.addWidget(QLabel("Show"))
        agenda_bar.addWidget(self.scope_combo)
        agenda_bar.addWidget(self.state_combo)
        agenda_bar.addWidget(self.mark_button)
        agenda_bar.addWidget(self.reschedule_button)
        agenda_bar.addWidget(self.undo_button)

        self.agenda_model = AgendaModel(self.today, self)
        self.agenda = QTableView()
        self.agenda.setObjectName("agenda")
        self.agenda.setModel(self.agenda_model)
        self.agenda.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.agenda.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.agenda.setAlternatingRowColors(True)
        self.agenda.setWordWrap(False)
        self.agenda.verticalHeader().setVisible(False)
        self.agenda.verticalHeader().setDefaultSectionSize(24)
        header = self.agenda.horizontalHeader()
        for column, width in enumerate([130, 220, 200, 80, 130, 100, 90]):
            self.agenda.setColumnWidth(column, width)
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.agenda.setSortingEnabled(True)
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.agenda.doubleClicked.connect(lambda _i: self.mark_selected_done())
        self.agenda.selectionModel().selectionChanged.connect(lambda *_: self._update_actions())
        enter = QShortcut(QKeySequence(Qt.Key.Key_Return), self.agenda)
        enter.setContext(Qt.ShortcutContext.WidgetShortcut)
        enter.activated.connect(self.mark_selected_done)
        enter2 = QShortcut(QKeySequence(Qt.Key.Key_Enter), self.agenda)
        enter2.setContext(Qt.ShortcutContext.WidgetShortcut)
        enter2.activated.connect(self.mark_selected_done)
        for sequence, slot in ((QKeySequence("Ctrl+E"), self.export_ical),
                               # the grid takes plain PgUp/PgDn; the agenda keeps them to scroll
                               (QKeySequence("Ctrl+PgUp"),
                                lambda: self.go_to(add_months(self.grid.selected, -1))),
                               (QKeySequence("Ctrl+PgDown"),
                                lambda: self.go_to(add_months(self.grid.selected, 1)))):
            shortcut = QShortcut(sequence, self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda s=slot: s())

        agenda_panel = QWidget()
        agenda_layout = QVBoxLayout(agenda_panel)
        agenda_layout.setContentsMargins(0, 0, 0, 0)
        agenda_layout.addLayout(agenda_bar)
        agenda_layout.addWidget(self.agenda)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.grid)
        self.splitter.addWidget(agenda_panel)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.read_only_label)
        layout.addWidget(self.splitter, 1)
        self.setFocusProxy(self.grid)
        self._update_month_label()

    # state persistence ------------------------------------------------------------------------
    def _restore_state(self) -> None:
        ui = self.context.ui
        state = ui.widget_state("calendar_splitter")
        if state is not None:
            self.splitter.restoreState(state)
        else:
            self.splitter.setSizes([430, 330])
        header = ui.widget_state("calendar_agenda_header")
        if header is not None:
            self.agenda.horizontalHeader().restoreState(header)
        saved = ui.document("calendar", {}) or {}
        scope = saved.get("scope", "day")
        if scope in dict(SCOPES) and scope != "overdue":
            self._set_combo(self.scope_combo, scope)
            self.scope = scope

    def save_state(self) -> None:
        ui = self.context.ui
        ui.set_widget_state("calendar_splitter", self.splitter.saveState())
        ui.set_widget_state("calendar_agenda_header", self.agenda.horizontalHeader().saveState())
        ui.set_document("calendar", {"scope": self.scope})

    @staticmethod
    def _set_combo(combo: QComboBox, value: object) -> None:
        index = combo.findData(value)
        if index >= 0 and combo.currentIndex() != index:
            combo.blockSignals(True)
            combo.setCurrentIndex(index)
            combo.blockSignals(False)

    # loading ----------------------------------------------------------------------------------
    def reload(self) -> None:
        """Fetch the visible grid (and, when shown, every overdue task) on the worker."""
        self._generation += 1
        generation = self._generation
        days = grid_days(self.grid.year, self.grid.month)
        first, last = days[0], days[-1]
        client_id, tier = self.client_id, self.tier or None
        client_name, self._client_name = self._client_name, None
        want_overdue = self.scope == "overdue"
        regenerate = not self._regenerated and not self.context.read_only
        db, today = self.context.db, self.today
        self._loading = True

        def fetch() -> CalendarData:
            summary = ""
            if regenerate:
                # the schedule follows templates, holidays and contracts edited anywhere; a
                # colleague's save colliding with it only delays it to the next load
                try:
                    with db.transaction() as session:
                        summary = str(maintenance.regenerate(session, today=today))
                except StaleDataError:
                    summary = "not brought up to date (a colleague was saving); retried later"
            with db.session() as session:
                nonlocal client_id
                if client_name:
                    client_id = session.scalar(select(Client.id).where(
                        func.lower(Client.name) == client_name.lower()))
                rows = maintenance.occurrences_between(session, first, last, client_id, tier)
                overdue = (maintenance.overdue_occurrences(session, today, client_id, tier)
                           if want_overdue else [])
                holidays = {day: name for day, name in session.execute(
                    select(Holiday.day, Holiday.name).where(
                        Holiday.active.is_(True), Holiday.day >= first, Holiday.day <= last))}
                clients = [(cid, name) for cid, name in session.execute(
                    select(Client.id, Client.name).where(Client.archived.is_(False))
                    .order_by(Client.name))]
                weekdays = set(maintenance.day_calendar(session).weekdays)
                overdue_total = maintenance.count_overdue(session, today, client_id, tier)
            return CalendarData(rows, overdue, holidays, clients, summary, overdue_total,
                                weekdays, client_id)

        def done(data: CalendarData) -> None:
            if generation != self._generation:
                return
            if regenerate and not data.regenerated.startswith("not "):
                self._regenerated = True
            self._loading = False
            self.data = data
            self.client_id = data.client_id
            self._fill_clients(data.clients)
            self._refresh()

        def failed(exc: BaseException) -> None:
            if generation != self._generation:
                return
            self._loading = False
            self.summary.setText(html.escape(describe_error(exc)))
            dialogs().error(self, "Calendar", describe_error(exc))

        self._run(fetch, done, failed)

    def _fill_clients(self, clients: list[tuple[int, str]]) -> None:
        current = self.client_id
        self.client_combo.blockSignals(True)
        self.client_combo.clear()
        self.client_combo.addItem("All clients", None)
        for client_id, name in clients:
            self.client_combo.addItem(name, client_id)
        index = self.client_combo.findData(current)
        self.client_combo.setCurrentIndex(index if index >= 0 else 0)
        self.client_combo.blockSignals(False)

    # showing ----------------------------------------------------------------------------------
    def _refresh(self) -> None:
        self.grid.weekdays = self.data.weekdays
        self.grid.set_counts(counts_by_day(self.data.rows, self.today), self.data.holidays)
        self._update_month_label()
        self._update_summary()
        self._show_agenda()

    def _update_month_label(self) -> None:
        self.month_label.setText(date(self.grid.year, self.grid.month, 1).strftime("%B %Y"))

    def _update_summary(self) -> None:
        month_rows = [r for r in self.data.rows
                      if (r.due.year, r.due.month) == (self.grid.year, self.grid.month)]
        states = [r.state(self.today) for r in month_rows]
        clients = len({r.client_id for r in month_rows})
        parts = [f"<b>{len(month_rows)}</b> task{'s' if len(month_rows) != 1 else ''} "
                 f"for {clients} client{'s' if clients != 1 else ''} this month"]
        for state in ("overdue", "due", "done"):
            colour = COLOURS[state].name()
            parts.append(f"<span style='color:{colour}'>■</span> {states.count(state)} {state}")
        if month_rows:
            parts.append(f"{round(100 * states.count('done') / len(month_rows))}% complete")
        earlier = self.data.overdue_total - states.count("overdue")
        if earlier > 0:
            colour = COLOURS["overdue"].name()
            parts.append(f"<a href='overdue' style='color:{colour}'>{earlier} overdue from "
                         f"earlier months</a>")
        self.summary.setText(" &nbsp;·&nbsp; ".join(parts))

    def _agenda_rows(self) -> list[OccurrenceRow]:
        selected = self.grid.selected
        if self.scope == "overdue":
            rows = list(self.data.overdue)
        elif self.scope == "day":
            rows = [r for r in self.data.rows if r.due == selected]
        elif self.scope == "week":
            monday = selected - timedelta(days=selected.weekday())
            rows = [r for r in self.data.rows if monday <= r.due <= monday + timedelta(days=6)]
        else:
            rows = [r for r in self.data.rows
                    if (r.due.year, r.due.month) == (self.grid.year, self.grid.month)]
        if self.state_filter == "open":
            rows = [r for r in rows if r.done_at is None]
        elif self.state_filter:
            rows = [r for r in rows if r.state(self.today) == self.state_filter]
        return rows

    def _agenda_heading(self, rows: list[OccurrenceRow]) -> str:
        selected = self.grid.selected
        if self.scope == "overdue":
            heading = "Everything overdue"
        elif self.scope == "day":
            heading = selected.strftime("%A %-d %B %Y")
            if selected in self.data.holidays:
                heading += f" (holiday: {self.data.holidays[selected]})"
        elif self.scope == "week":
            monday = selected - timedelta(days=selected.weekday())
            heading = (f"Week of {monday.strftime('%-d %b')} – "
                       f"{(monday + timedelta(days=6)).strftime('%-d %b %Y')}")
        else:
            heading = date(self.grid.year, self.grid.month, 1).strftime("%B %Y")
        states = [r.state(self.today) for r in rows]
        if not rows:
            heading += ": no maintenance tasks"
            if self.scope in ("day", "week"):
                ahead = sorted({r.due for r in self.data.rows if r.due > selected})
                if ahead:
                    count = sum(1 for r in self.data.rows if r.due == ahead[0])
                    heading += (f" (next: {ahead[0].strftime('%A %-d %B')}, {count} "
                                f"task{'s' if count != 1 else ''})")
            return heading
        counts = ", ".join(f"{states.count(s)} {s}" for s in ("overdue", "due", "done")
                           if states.count(s))
        return f"{heading}: {len(rows)} task{'s' if len(rows) != 1 else ''} ({counts})"

    def _show_agenda(self) -> None:
        keep = self._keep_selection or [r.id for r in self.selected_rows()]
        self._keep_selection = []
        rows = self._agenda_rows()
        self.agenda_model.set_rows(rows)
        header = self.agenda.horizontalHeader()
        self.agenda_model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        self.agenda_title.setText(self._agenda_heading(rows))
        self._select_ids(keep)
        self._update_actions()

    def _select_ids(self, ids: list[int]) -> None:
        selection = self.agenda.selectionModel()
        first = True
        for occurrence_id in ids:
            row = self.agenda_model.index_of(occurrence_id)
            if row is None:
                continue
            flags = (selection.SelectionFlag.Rows
                     | (selection.SelectionFlag.ClearAndSelect if first
                        else selection.SelectionFlag.Select))
            selection.select(self.agenda_model.index(row, 0), flags)
            if first:
                self.agenda.setCurrentIndex(self.agenda_model.index(row, 0))
                selection.select(self.agenda_model.index(row, 0), flags)
            first = False

    def _update_actions(self) -> None:
        rows = self.selected_rows()
        writable = not self.context.read_only
        undone = [r for r in rows if r.done_at is None]
        self.mark_button.setEnabled(writable and bool(rows) and
                                    (len(rows) == 1 or bool(undone)))
        self.mark_button.setText("Mark done…" if len(rows) <= 1 or not undone
                                 else f"Mark {len(undone)} done…")
        self.reschedule_button.setEnabled(writable and len(rows) == 1 and bool(undone))
        self.undo_button.setEnabled(writable and len(rows) == 1 and rows[0].done_at is not None)

    def selected_rows(self) -> list[OccurrenceRow]:
        indexes = self.agenda.selectionModel().selectedRows() if self.agenda.model() else []
        rows = [self.agenda_model.row_at(i.row()) for i in sorted(indexes, key=lambda i: i.row())]
        return [r for r in rows if r is not None]

    # navigation and filters -------------------------------------------------------------------
    def go_to(self, day: date) -> None:
        self.grid.select(day)

    def _on_month_changed(self) -> None:
        self._update_month_label()
        self.reload()

    def _on_client_changed(self) -> None:
        self.client_id = self.client_combo.currentData()
        self.reload()

    def _on_tier_changed(self) -> None:
        self.tier = self.tier_combo.currentData() or ""
        self.reload()

    def _on_scope_changed(self) -> None:
        previous, self.scope = self.scope, self.scope_combo.currentData()
        if self.scope == "overdue" or previous == "overdue":
            self.reload()
        else:
            self._show_agenda()

    def _on_state_changed(self) -> None:
        self.state_filter = self.state_combo.currentData() or ""
        self._show_agenda()

    def apply_filter(self, **filters: object) -> None:
        """Dashboard click-through: ``state`` (overdue, due, done, open), ``client_id`` or
        ``client`` (a name), ``tier``, ``day`` or ``date`` (a date to show), ``scope``."""
        state = filters.get("state")
        scope = filters.get("scope")
        if state == "overdue" and scope is None:
            scope = "overdue"
            state = ""
        if state is not None:
            self.state_filter = str(state) if state in dict(STATE_FILTERS) else ""
            self._set_combo(self.state_combo, self.state_filter)
        if scope is None and state in ("due", "done", "open"):
            scope = "month"
        if scope in dict(SCOPES):
            self.scope = str(scope)
            self._set_combo(self.scope_combo, self.scope)
        if "tier" in filters:
            self.tier = str(filters["tier"] or "")
            self._set_combo(self.tier_combo, self.tier)
        if "client_id" in filters:
            self.client_id = filters["client_id"]  # type: ignore[assignment]
            self._set_combo(self.client_combo, self.client_id)
        elif "client" in filters:
            # the list may not be loaded yet: the worker resolves the name with the data
            self._client_name = str(filters["client"] or "") or None
            self.client_id = None
        day = filters.get("day") or filters.get("date")
        if isinstance(day, date):
            self.grid.blockSignals(True)
            self.grid.select(day)
            self.grid.blockSignals(False)
            self._update_month_label()
        self.reload()

    def _on_data_changed(self, kind: str, _row_id: object) -> None:
        if self._emitting:
            return
        if kind in ("occurrence", "contract", "client", "settings"):
            if kind in ("contract", "settings"):
                self._regenerated = False  # another view may have changed the schedule's basis
            self.reload()

    def refresh(self) -> None:
        self.reload()

    # marking done -----------------------------------------------------------------------------
    def _on_day_activated(self, day: date) -> None:
        """Enter on a day: mark its first task not done yet (or its first task) done."""
        if self.scope == "overdue":
            self.scope = "day"
            self._set_combo(self.scope_combo, "day")
            self._show_agenda()
        rows = [r for r in self.agenda_model.rows if r.due == day]
        target = next((r for r in rows if r.done_at is None), None) or next(iter(rows), None)
        if target is None:
            return
        self._select_ids([target.id])
        self.open_mark_done(target)

    def mark_selected_done(self) -> None:
        if self.context.read_only:
            return
        rows = self.selected_rows()
        if not rows:
            return
        undone = [r for r in rows if r.done_at is None]
        if len(rows) > 1 and undone and not all(maintenance.needs_figures(r.task)
                                                for r in undone):
            self.open_bulk_mark_done(undone)
        else:
            # one task, or tasks that each need their figures: the form, with "Save and next"
            self.open_mark_done(undone[0] if undone else rows[0])

    def _next_undone_after(self, row: OccurrenceRow) -> OccurrenceRow | None:
        rows = self.agenda_model.rows
        index = next((i for i, r in enumerate(rows) if r.id == row.id), -1)
        for candidate in rows[index + 1:] + rows[:max(index, 0)]:
            if candidate.done_at is None and candidate.id != row.id:
                return candidate
        return None

    def open_mark_done(self, row: OccurrenceRow) -> None:
        """Load the form's defaults and the staff list on the worker, then show the form."""
        if self.context.read_only:
            return
        db = self.context.db

        def fetch() -> tuple[OccurrenceRow, dict, list[tuple[int, str]]]:
            with db.session() as session:
                fresh = maintenance.get_occurrence(session, row.id)
                figures = maintenance.figure_defaults_for(session, row.id)
                staff = _staff(session)
            return fresh, figures, staff

        def show(result: tuple[OccurrenceRow, dict, list[tuple[int, str]]]) -> None:
            fresh, figures, staff = result
            dialog = MarkDoneDialog(fresh, figures, staff, self.context.user_id or None,
                                    self.today, self._next_undone_after(fresh) is not None, self,
                                    zone=self.context.agency.zone)
            dialog.submitted.connect(lambda payload, go_next, d=dialog:
                                     self._save_done(d, payload, go_next))
            dialog.finished.connect(lambda _r, d=dialog: self._dialog_closed(d))
            self.mark_done_dialog = dialog
            dialog.open()

        self._run(fetch, show, self._show_error)

    def _dialog_closed(self, dialog: QWidget) -> None:
        if self.mark_done_dialog is dialog:
            self.mark_done_dialog = None
        dialog.deleteLater()

    def _save_done(self, dialog: MarkDoneDialog, payload: dict, go_next: bool) -> None:
        db, row = self.context.db, dialog.row
        now = datetime.now(timezone.utc)

        def save() -> OccurrenceRow:
            with db.transaction() as session:
                return maintenance.mark_done(
                    session, row.id, payload["outcome"], payload["notes"], payload["figures"],
                    payload["done_by_id"], now, version=row.version)

        def saved(updated: OccurrenceRow) -> None:
            self._apply_updates([updated])
            following = self._next_undone_after(updated) if go_next else None
            dialog.saved()
            if following is not None:
                self._select_ids([following.id])
                self.open_mark_done(following)

        def failed(exc: BaseException) -> None:
            if isinstance(exc, StaleDataError):
                self._show_conflict(dialog, row.id)
            else:
                dialog.failed(describe_error(exc))

        self._run(save, saved, failed)

    def _show_conflict(self, dialog: MarkDoneDialog, occurrence_id: int) -> None:
        """Someone else saved this task meanwhile: show theirs beside the form (which keeps
        yours); saving again puts yours over theirs, Cancel keeps theirs."""
        db = self.context.db

        def fetch() -> OccurrenceRow:
            with db.session() as session:
                return maintenance.get_occurrence(session, occurrence_id)

        self._run(fetch, dialog.conflict,
                                lambda exc: dialog.failed(describe_error(exc)))

    def open_bulk_mark_done(self, rows: list[OccurrenceRow]) -> None:
        db = self.context.db

        def fetch() -> list[tuple[int, str]]:
            with db.session() as session:
                return _staff(session)

        def show(staff: list[tuple[int, str]]) -> None:
            dialog = BulkMarkDoneDialog(rows, staff, self.context.user_id or None, self)
            dialog.submitted.connect(lambda payload, d=dialog: self._save_bulk(d, payload))
            dialog.finished.connect(lambda _r, d=dialog: self._bulk_closed(d))
            self.bulk_dialog = dialog
            dialog.open()

        self._run(fetch, show, self._show_error)

    def _bulk_closed(self, dialog: QWidget) -> None:
        if self.bulk_dialog is dialog:
            self.bulk_dialog = None
        dialog.deleteLater()

    def _save_bulk(self, dialog: BulkMarkDoneDialog, payload: dict) -> None:
        db = self.context.db
        ids = [r.id for r in dialog.rows]
        now = datetime.now(timezone.utc)

        def save() -> tuple[list[OccurrenceRow], list[OccurrenceRow]]:
            with db.transaction() as session:
                return maintenance.mark_many_done(session, ids, payload["outcome"],
                                                  payload["notes"], payload["done_by_id"], now)

        def saved(result: tuple[list[OccurrenceRow], list[OccurrenceRow]]) -> None:
            marked, left = result
            self._apply_updates(marked)
            dialog.saved()
            if left:
                names = sorted({f"{r.name} ({r.client_name})" for r in left})
                shown = ", ".join(names[:6]) + (f" and {len(names) - 6} more"
                                                if len(names) > 6 else "")
                dialogs().information(
                    self, "Some tasks need their figures",
                    f"{len(marked)} tasks were marked done. {len(left)} record figures and were "
                    f"left for their own form: {shown}. They are selected: press Enter to fill "
                    "in the first, and \"Save and next\" walks through the rest.")
                self._select_ids([r.id for r in left])

        self._run(save, saved, lambda exc: dialog.failed(describe_error(exc)))

    def mark_selected_undone(self) -> None:
        rows = self.selected_rows()
        if len(rows) != 1 or rows[0].done_at is None or self.context.read_only:
            return
        row = rows[0]
        if not dialogs().question(self, "Mark not done",
                                  f"Mark \u201c{row.name}\u201d for {row.client_name} as not "
                                  "done? Its outcome is cleared; notes and figures are kept."):
            return
        db = self.context.db

        def save() -> OccurrenceRow:
            with db.transaction() as session:
                return maintenance.mark_undone(session, row.id, version=row.version)

        self._run(save, lambda updated: self._apply_updates([updated]),
                                self._show_error)

    # rescheduling -----------------------------------------------------------------------------
    def reschedule_selected(self) -> None:
        rows = self.selected_rows()
        if len(rows) != 1 or rows[0].done_at is not None or self.context.read_only:
            return
        row = rows[0]
        db = self.context.db

        def fetch() -> tuple[date, date] | None:
            with db.session() as session:
                if row.contract_id is None:
                    return None
                contract = session.get(Contract, row.contract_id)
                return (contract.start, contract.end) if contract is not None else None

        def show(bounds: tuple[date, date] | None) -> None:
            dialog = RescheduleDialog(row, bounds, self)
            dialog.submitted.connect(lambda day, d=dialog: self._save_reschedule(d, day))
            dialog.finished.connect(lambda _r, d=dialog: self._reschedule_closed(d))
            self.reschedule_dialog = dialog
            dialog.open()

        self._run(fetch, show, self._show_error)

    def _reschedule_closed(self, dialog: QWidget) -> None:
        if self.reschedule_dialog is dialog:
            self.reschedule_dialog = None
        dialog.deleteLater()

    def _save_reschedule(self, dialog: RescheduleDialog, new_due: date) -> None:
        db, row = self.context.db, dialog.row

        def save() -> OccurrenceRow:
            with db.transaction() as session:
                return maintenance.reschedule(session, row.id, new_due, version=row.version)

        def saved(updated: OccurrenceRow) -> None:
            dialog.saved()
            self._keep_selection = [updated.id]
            self._notify([updated.id])
            self.grid.select(updated.due)
            self.reload()

        self._run(save, saved, lambda exc: dialog.failed(describe_error(exc)))

    # after writes -----------------------------------------------------------------------------
    def _apply_updates(self, updated: list[OccurrenceRow]) -> None:
        by_id = {r.id: r for r in updated}
        self.data.rows = [by_id.get(r.id, r) for r in self.data.rows]
        self.data.overdue = [by_id.get(r.id, r) for r in self.data.overdue]
        keep = [r.id for r in self.selected_rows()]
        self._keep_selection = keep
        self._refresh()
        self._notify(list(by_id))

    def _notify(self, ids: list[int]) -> None:
        self._emitting = True
        try:
            for occurrence_id in ids:
                self.context.events.changed.emit("occurrence", occurrence_id)
        finally:
            self._emitting = False

    def _show_error(self, exc: BaseException) -> None:
        dialogs().error(self, "Calendar", describe_error(exc))
        self.reload()

    # export -----------------------------------------------------------------------------------
    def _ask_export_path(self, suggested: str) -> str:
        path, _filter = QFileDialog.getSaveFileName(self, "Export maintenance calendar",
                                                    suggested, "iCalendar (*.ics)")
        return path

    def export_ical(self, path: str | None = None) -> None:
        """Save the schedule for the current client and tier filter as an .ics file."""
        from desktop.services.ical import export_ics

        if path is None:
            suffix = "" if self.client_id is None else f"-{self.client_combo.currentText()}"
            path = self.choose_export_path(f"maintenance{suffix}.ics")
        if not path:
            return
        if not path.lower().endswith(".ics"):
            path += ".ics"
        db, client_id, tier, today = self.context.db, self.client_id, self.tier or None, self.today
        name = f"{self.context.agency.agency_name} maintenance"

        def export() -> int:
            with db.session() as session:
                return export_ics(session, path, client_id=client_id, tier=tier, today=today,
                                  name=name)

        def exported(count: int) -> None:
            dialogs().information(self, "Calendar exported",
                                  f"{count} maintenance occurrences written to {path}.")

        self._run(export, exported,
                                lambda exc: dialogs().error(self, "Export failed",
                                                            describe_error(exc)))


def _staff(session) -> list[tuple[int, str]]:  # noqa: ANN001
    return [(staff_id, display or username) for staff_id, display, username in session.execute(
        select(StaffUser.id, StaffUser.display_name, StaffUser.username)
        .where(StaffUser.active.is_(True)).order_by(StaffUser.display_name, StaffUser.username))]
