"""The Queue view (DESIGN §4): saved views, filters, free-text search, the ticket table and the
ticket workspace beside it."""
from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView,
                               QInputDialog, QLabel, QLineEdit, QMenu, QPushButton, QSplitter,
                               QTableView, QToolButton, QVBoxLayout, QWidget)

from desktop.models.enums import Priority, Status
from desktop.services import queue as q
from desktop.services.tickets import PRIORITY_LABELS, STATUS_LABELS

from ..messages import dialogs
from ..tickets.workspace import TicketWorkspace
from .filters import FilterButton
from .model import COLUMNS, COLUMN_KEYS, QueueModel

SAVED_VIEWS_DOC = "queue.saved_views"
STATE_DOC = "queue.state"
CUSTOM = "Custom filter"
SLA_LABELS = [("breached", "Breached"), ("at_risk", "At risk"), ("running", "On track"),
              ("paused", "Paused"), ("met", "Met")]
ROW_HEIGHT = 28


class QueueView(QWidget):
    """The ticket queue. ``ticket_opened(id)`` when a ticket is shown in the workspace."""

    ticket_opened = Signal(int)

    def __init__(self, context, parent: QWidget | None = None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.context = context
        self.model = QueueModel(context, self)
        self._user_views: dict[str, dict] = dict(context.ui.document(SAVED_VIEWS_DOC, {}) or {})
        self._applying = False
        self._pending_select: int | None = None
        self._build()
        self._restore_state()
        self._load_options()
        self.context.events.changed.connect(self._data_changed)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(300)
        self._refresh_timer.timeout.connect(lambda: self.model.reload(keep_offset=True))

    # --- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(10, 8, 10, 6)
        outer.setSpacing(6)

        bar = QHBoxLayout()
        bar.setSpacing(6)
        self.views = QComboBox()
        self.views.setObjectName("saved_views")
        self.views.setToolTip("Saved views")
        self.views.setMinimumWidth(150)
        self.views.activated.connect(lambda _: self.use_view(self.views.currentText()))
        bar.addWidget(self.views)
        self.view_menu_button = QToolButton()
        self.view_menu_button.setText("☰")
        self.view_menu_button.setToolTip("Save or delete views")
        self.view_menu_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.view_menu_button)
        self.save_view_action = menu.addAction("Save current filters as a view…")
        self.save_view_action.triggered.connect(self._ask_save_view)
        self.delete_view_action = menu.addAction("Delete this view")
        self.delete_view_action.triggered.connect(self._delete_current_view)
        self.view_menu_button.setMenu(menu)
        bar.addWidget(self.view_menu_button)

        self.search = QLineEdit()
        self.search.setObjectName("queue_search")
        self.search.setPlaceholderText("Search number, title, description, client  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(240)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(250)
        self._search_timer.timeout.connect(self._filters_changed)
        self.search.textChanged.connect(lambda _: self._search_timer.start())
        self.search.returnPressed.connect(self._filters_changed)
        bar.addWidget(self.search, 1)

        self.new_button = QPushButton("New ticket")
        self.new_button.setObjectName("new_ticket")
        self.new_button.setProperty("primary", True)
        self.new_button.setToolTip("Create a ticket (Ctrl+N)")
        self.new_button.clicked.connect(self.new_ticket)
        bar.addWidget(self.new_button)
        outer.addLayout(bar)

        filters = QHBoxLayout()
        filters.setSpacing(4)
        self.status_filter = FilterButton(
            "Status", [(s.value, STATUS_LABELS[s.value]) for s in Status])
        self.priority_filter = FilterButton(
            "Priority", [(p.value, PRIORITY_LABELS[p.value]) for p in Priority])
        self.client_filter = FilterButton("Client")
        self.tier_filter = FilterButton("Tier")
        self.assignee_filter = FilterButton("Assignee")
        self.sla_filter = FilterButton("SLA", SLA_LABELS)
        self.scope_filter = FilterButton(
            "Scope", [(True, "In scope"), (False, "Out of scope")], exclusive=True)
        self.filter_buttons = [self.status_filter, self.priority_filter, self.client_filter,
                               self.tier_filter, self.assignee_filter, self.sla_filter,
                               self.scope_filter]
        for button in self.filter_buttons:
            button.changed.connect(self._filters_changed)
            filters.addWidget(button)
        self.clear_button = QToolButton()
        self.clear_button.setText("Clear filters")
        self.clear_button.setAutoRaise(True)
        self.clear_button.clicked.connect(lambda: self.use_view("All tickets"))
        filters.addWidget(self.clear_button)
        filters.addStretch(1)
        self.count_label = QLabel("Loading…")
        self.count_label.setObjectName("queue_count")
        self.count_label.setProperty("role", "muted")
        filters.addWidget(self.count_label)
        outer.addLayout(filters)

        self.table = QTableView()
        self.table.setObjectName("queue_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerItem)
        self.table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        vertical = self.table.verticalHeader()
        vertical.setVisible(False)
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(ROW_HEIGHT)
        vertical.setMinimumSectionSize(ROW_HEIGHT)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setHighlightSections(False)
        header.setSectionsMovable(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for i, (_key, _title, width) in enumerate(COLUMNS):
            self.table.setColumnWidth(i, width)
        header.setSectionResizeMode(COLUMN_KEYS.index("title"), QHeaderView.ResizeMode.Stretch)
        header.setSortIndicator(COLUMN_KEYS.index("sla"), Qt.SortOrder.AscendingOrder)
        header.setSortIndicatorShown(True)
        header.setSectionsClickable(True)
        header.sectionClicked.connect(self._header_clicked)
        self.table.activated.connect(lambda index: self.open_ticket(self.model.ticket_id(
            index.row())))
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)

        self.workspace = TicketWorkspace(self.context, self)
        self.workspace.close_requested.connect(self.close_ticket)
        self.workspace.changed.connect(lambda _id: self._refresh_timer.start())
        self.workspace.hide()

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.workspace)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        outer.addWidget(self.splitter, 1)

        self.model.count_changed.connect(self._count_changed)
        self.model.loaded.connect(self._loaded)
        self.model.failed.connect(lambda message: dialogs().error(
            self, "The queue could not be loaded", message))

        # Ctrl+F, Ctrl+N and F5 are the main window's menu actions (Edit, File/Ticket, View).
        self._fill_views_combo()
        self.new_button.setEnabled(not self.context.read_only)

    # --- saved views ----------------------------------------------------------------------
    def _fill_views_combo(self, current: str | None = None) -> None:
        current = current or self.views.currentText()
        self.views.blockSignals(True)
        self.views.clear()
        for name in q.BUILTIN_VIEWS:
            self.views.addItem(name)
        if self._user_views:
            self.views.insertSeparator(self.views.count())
            for name in sorted(self._user_views, key=str.lower):
                self.views.addItem(name)
        self.views.addItem(CUSTOM)
        index = self.views.findText(current) if current else -1
        self.views.setCurrentIndex(index if index >= 0 else 0)
        self.views.blockSignals(False)
        self._update_view_actions()

    def _update_view_actions(self) -> None:
        self.delete_view_action.setEnabled(self.views.currentText() in self._user_views)

    def view_names(self) -> list[str]:
        return list(q.BUILTIN_VIEWS) + sorted(self._user_views, key=str.lower)

    def use_view(self, name: str) -> None:
        """Show a saved view: its filters (and, for the user's own, its sort)."""
        if name == CUSTOM:
            return
        if name in self._user_views:
            definition = self._user_views[name]
            flt = q.QueueFilter.from_dict(definition.get("filter", {}))
            sort = definition.get("sort")
            if sort:
                self._set_sort(q.QueueSort(sort[0], bool(sort[1])))
        else:
            flt = q.resolve_view(q.BUILTIN_VIEWS.get(name, {}), self.context.user_id)
        index = self.views.findText(name)
        self.views.setCurrentIndex(index)
        self._update_view_actions()
        self._show_filter(flt)
        self.model.set_filter(flt)

    def save_view(self, name: str) -> None:
        """Keep the current filters and sort as a view of that name (the user's own)."""
        name = name.strip()
        if not name:
            return
        if name in q.BUILTIN_VIEWS or name == CUSTOM:
            dialogs().warning(self, "Save view", f"“{name}” is a built-in view; choose "
                                                 "another name.")
            return
        self._user_views[name] = {"filter": self.current_filter().to_dict(),
                                  "sort": [self.model.sort_spec.key,
                                           self.model.sort_spec.descending]}
        self.context.ui.set_document(SAVED_VIEWS_DOC, self._user_views)
        self._fill_views_combo(name)

    def _ask_save_view(self) -> None:
        name, ok = QInputDialog.getText(self, "Save view", "Name of the view:")
        if ok:
            self.save_view(name)

    def delete_view(self, name: str) -> None:
        if name in self._user_views:
            del self._user_views[name]
            self.context.ui.set_document(SAVED_VIEWS_DOC, self._user_views)
            self._fill_views_combo(q.DEFAULT_VIEW)
            self.use_view(q.DEFAULT_VIEW)

    def _delete_current_view(self) -> None:
        name = self.views.currentText()
        if name in self._user_views and dialogs().question(
                self, "Delete view", f"Delete the view “{name}”?"):
            self.delete_view(name)

    # --- filters ----------------------------------------------------------------------------
    def _load_options(self) -> None:
        db = self.context.db

        def work():
            with db.session() as session:
                return q.filter_options(session)

        self.context.runner.run(work, self._options_loaded)

    def _options_loaded(self, options: dict) -> None:
        self.client_filter.set_options(options["clients"])
        self.tier_filter.set_options(options["tiers"])
        self.assignee_filter.set_options([(self.context.user_id, "Me")] + [
            o for o in options["staff"] if o[0] != self.context.user_id] +
            [(q.UNASSIGNED, "Unassigned")])
        self._show_filter(self.model.filter)

    def current_filter(self) -> q.QueueFilter:
        scope = self.scope_filter.values()
        return q.QueueFilter(
            statuses=self.status_filter.values(), priorities=self.priority_filter.values(),
            client_ids=self.client_filter.values(), tiers=self.tier_filter.values(),
            assignee_ids=self.assignee_filter.values(), sla_states=self.sla_filter.values(),
            in_scope=scope[0] if scope else None, text=self.search.text().strip())

    def _show_filter(self, flt: q.QueueFilter) -> None:
        self._applying = True
        try:
            self.status_filter.set_values(flt.statuses)
            self.priority_filter.set_values(flt.priorities)
            self.client_filter.set_values(flt.client_ids)
            self.tier_filter.set_values(flt.tiers)
            self.assignee_filter.set_values(flt.assignee_ids)
            self.sla_filter.set_values(flt.sla_states)
            self.scope_filter.set_values(() if flt.in_scope is None else (flt.in_scope,))
            if self.search.text().strip() != flt.text:
                self.search.blockSignals(True)
                self.search.setText(flt.text)
                self.search.blockSignals(False)
        finally:
            self._applying = False

    def _filters_changed(self) -> None:
        if self._applying:
            return
        self._search_timer.stop()
        flt = self.current_filter()
        if flt == self.model.filter:
            return
        matching = [n for n in self.view_names() if self._view_filter(n) == flt]
        name = matching[0] if matching else CUSTOM
        self.views.setCurrentIndex(self.views.findText(name))
        self._update_view_actions()
        self.model.set_filter(flt)

    def _view_filter(self, name: str) -> q.QueueFilter:
        if name in self._user_views:
            return q.QueueFilter.from_dict(self._user_views[name].get("filter", {}))
        return q.resolve_view(q.BUILTIN_VIEWS.get(name, {}), self.context.user_id)

    def set_filter(self, flt: q.QueueFilter) -> None:
        self._show_filter(flt)
        self._filters_changed()

    def apply_filter(self, **filters: object) -> None:
        """Dashboard click-through and search: ``view="At risk"``, ``ticket_id=…``, or any
        QueueFilter field (statuses, priorities, client_ids, tiers, assignee_ids, sla_states,
        in_scope, text); ``mine=True`` means assigned to the current user."""
        ticket_id = filters.pop("ticket_id", None)
        view = filters.pop("view", None)
        if filters.pop("mine", False):
            filters["assignee_ids"] = [self.context.user_id]
        if view:
            self.use_view(str(view))
        elif filters:
            data = {k: list(v) if isinstance(v, (list, tuple, set)) else v
                    for k, v in filters.items()}
            self.set_filter(q.QueueFilter.from_dict(data))
        if ticket_id is not None:
            self.open_ticket(int(ticket_id))

    # --- sorting ----------------------------------------------------------------------------
    def _header_clicked(self, section: int) -> None:
        key = COLUMN_KEYS[section]
        header = self.table.horizontalHeader()
        if key not in q.SORTABLE:
            # restore the indicator: this column is not sorted (no index to sort a million by)
            self._show_sort_indicator()
            return
        current = self.model.sort_spec
        descending = (not current.descending) if current.key == key else False
        self._set_sort(q.QueueSort(key, descending))
        header.setSortIndicator(section, Qt.SortOrder.DescendingOrder if descending
                                else Qt.SortOrder.AscendingOrder)

    def _set_sort(self, sort: q.QueueSort) -> None:
        self.model.set_sort(sort)
        self._show_sort_indicator()

    def _show_sort_indicator(self) -> None:
        spec = self.model.sort_spec
        header = self.table.horizontalHeader()
        header.blockSignals(True)
        header.setSortIndicator(self.model.sort_column(), Qt.SortOrder.DescendingOrder
                                if spec.descending else Qt.SortOrder.AscendingOrder)
        header.blockSignals(False)

    def sort_by(self, key: str, descending: bool = False) -> None:
        self._set_sort(q.QueueSort(key, descending))

    # --- tickets ----------------------------------------------------------------------------
    def _current_changed(self, current, _previous) -> None:  # noqa: ANN001
        if self.workspace.isVisible() and current.isValid():
            ticket_id = self.model.ticket_id(current.row())
            if ticket_id is not None and ticket_id != self.workspace.ticket_id:
                self.workspace.load(ticket_id)

    def open_ticket(self, ticket_id: int | None) -> None:
        if ticket_id is None:
            return
        self.workspace.show()
        self.workspace.load(ticket_id)
        row = self.model.row_of(ticket_id)
        if row is not None:
            self._select_row(row)
        self.ticket_opened.emit(ticket_id)

    def close_ticket(self) -> None:
        self.workspace.hide()
        self.table.setFocus()

    def selected_ticket_id(self) -> int | None:
        index = self.table.currentIndex()
        return self.model.ticket_id(index.row()) if index.isValid() else None

    def open_selected(self) -> None:
        self.open_ticket(self.selected_ticket_id())

    def _select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index)

    def new_ticket(self) -> None:
        if self.context.read_only:
            dialogs().warning(self, "New ticket", "This database is open read-only.")
            return
        from ..tickets.new_ticket import NewTicketDialog

        dialog = NewTicketDialog(self.context, self)
        dialog.created.connect(self._ticket_created)
        dialog.open()
        self._new_ticket_dialog = dialog

    def _ticket_created(self, ticket_id: int) -> None:
        self.model.reload(keep_offset=True)
        self.open_ticket(ticket_id)

    # --- refresh ----------------------------------------------------------------------------
    def refresh(self) -> None:
        self.model.reload(keep_offset=True)
        if self.workspace.isVisible():
            self.workspace.reload()

    def _data_changed(self, kind: str, row_id: object) -> None:
        if kind in ("ticket", "client", "contract", "settings", "staff", "*", "all"):
            if kind in ("settings",):
                self.model.sla = None
            self._refresh_timer.start()
            if kind == "ticket" and row_id is not None and row_id == self.workspace.ticket_id \
                    and self.workspace.isVisible():
                self.workspace.reload()
            if kind in ("client", "staff"):
                self._load_options()

    def _count_changed(self, total: int) -> None:
        self._update_count()

    def _loaded(self) -> None:
        self._update_count()
        ticket_id = self.workspace.ticket_id
        if ticket_id is not None and not self.table.currentIndex().isValid():
            row = self.model.row_of(ticket_id)
            if row is not None:
                self._select_row(row)

    def _update_count(self) -> None:
        total = self.model.total
        noun = "ticket" if total == 1 else "tickets"
        self.count_label.setText(f"{total:,} {noun}")

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    # --- state ------------------------------------------------------------------------------
    def _restore_state(self) -> None:
        ui = self.context.ui
        header = ui.widget_state("queue_header")
        if header is not None:
            self.table.horizontalHeader().restoreState(header)
        splitter = ui.widget_state("queue_splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)
        state = ui.document(STATE_DOC, {}) or {}
        sort = state.get("sort")
        if sort and sort[0] in q.SORTABLE:
            self.model.sort_spec = q.QueueSort(sort[0], bool(sort[1]))
        self._show_sort_indicator()
        view = state.get("view", q.DEFAULT_VIEW)
        if view == CUSTOM:
            flt = q.QueueFilter.from_dict(state.get("filter", {}))
            self._fill_views_combo(CUSTOM)
            self._show_filter(flt)
            self.model.set_filter(flt)
        else:
            if view not in self.view_names():
                view = q.DEFAULT_VIEW
            self._fill_views_combo(view)
            self.use_view(view)

    def save_state(self) -> None:
        ui = self.context.ui
        ui.set_widget_state("queue_header", self.table.horizontalHeader().saveState())
        ui.set_widget_state("queue_splitter", self.splitter.saveState())
        ui.set_document(STATE_DOC, {
            "view": self.views.currentText(), "filter": self.model.filter.to_dict(),
            "sort": [self.model.sort_spec.key, self.model.sort_spec.descending]})
