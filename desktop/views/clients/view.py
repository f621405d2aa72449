"""The Clients view (DESIGN §4): a searchable list beside the client's page (contacts and who
receives reports, contracts current and past, open tickets, maintenance due, content hours used
this month, reports sent), with New, Edit and Archive."""
from __future__ import annotations

from datetime import date
from html import escape

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QPushButton, QSplitter, QTableView, QTabWidget,
                               QVBoxLayout, QWidget)

from desktop.models.enums import OPEN_STATUSES
from desktop.services.catalog import PRIORITY_COLOURS
from desktop.services.clients import (ClientDetail, ClientRow, archive_client, client_detail,
                                      list_clients)
from desktop.services.dashboard import hours_text
from desktop.services.money import format_money
from desktop.views.context import AppContext
from desktop.views.messages import dialogs
from desktop.views.worker import describe_error

from .editor import ClientDialog
from .table import Column, RowTableModel

STATE_COLOURS = {"current": "#2e7d32", "future": "#1565c0", "past": "#757575"}
OVERDUE = "#c62828"


def _date(value: date | None) -> str:
    return f"{value:%d %b %Y}" if value else "—"


def _status(status: str) -> str:
    return status.replace("_", " ").capitalize()


def client_columns() -> list[Column]:
    return [
        Column("Client", lambda r: r.name, lambda r: r.name.lower()),
        Column("Tier", lambda r: r.tier_name or "No contract",
               lambda r: r.tier_name or "~", colour=lambda r: None if r.tier_code else "#9e9e9e"),
        Column("Contract ends", lambda r: _date(r.contract_end), lambda r: r.contract_end),
        Column("Open tickets", lambda r: str(r.open_tickets), lambda r: r.open_tickets,
               align_right=True),
    ]


class ClientsView(QWidget):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.detail: ClientDetail | None = None
        self._wanted_id: int | None = None
        self._generation = 0

        self.search = QLineEdit(objectName="client_search")
        self.search.setPlaceholderText("Search clients, contacts, e-mail or phone")
        self.search.setClearButtonEnabled(True)
        self.show_archived = QCheckBox("Show archived", objectName="show_archived")
        self.new_button = QPushButton("&New client…", objectName="new_client")
        self.new_button.setEnabled(not context.read_only)
        self.new_button.clicked.connect(self.new_client)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.show_archived)
        top.addWidget(self.new_button)

        self.model = RowTableModel(client_columns(), self)
        self.table = QTableView(objectName="client_table")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column, width in enumerate([220, 90, 110, 90]):
            if column:
                header.resizeSection(column, width)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.table.doubleClicked.connect(lambda _index: self.edit_client())
        self.count_label = QLabel(objectName="client_count")

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(top)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.count_label)

        self.page = ClientPage(self)
        self.page.edit_button.clicked.connect(self.edit_client)
        self.page.archive_button.clicked.connect(self.toggle_archive)
        self.page.queue_button.clicked.connect(self.show_tickets)
        self.page.contracts_button.clicked.connect(self.show_contracts)

        self.splitter = QSplitter(objectName="clients_splitter")
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.page)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 4)
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter)
        state = context.ui.widget_state("clients_splitter")
        if state is not None:
            self.splitter.restoreState(state)

        self._search_timer = QTimer(self, singleShot=True, interval=200)
        self._search_timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(self._search_timer.start)
        self.show_archived.toggled.connect(self.refresh)
        # Ctrl+N, Ctrl+F and F5 belong to the main window's menus; buttons have Alt mnemonics
        QShortcut(QKeySequence("Ctrl+E"), self, activated=self.edit_client,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._changed_timer = QTimer(self, singleShot=True, interval=300)
        self._changed_timer.timeout.connect(self.refresh)
        context.events.changed.connect(self._data_changed)
        self.refresh()

    # loading -------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload the list (keeping the selected client) and its page."""
        db, text, archived = self.context.db, self.search.text(), self.show_archived.isChecked()
        current = self.current_row()
        if current is not None and self._wanted_id is None:
            self._wanted_id = current.id
        self._generation += 1
        generation = self._generation

        def work() -> list[ClientRow]:
            with db.session() as session:
                return list_clients(session, text, include_archived=archived)

        self.context.runner.run(work, lambda rows: self._show_rows(rows, generation),
                                self._failed)

    def _show_rows(self, rows: list[ClientRow], generation: int) -> None:
        if generation != self._generation:
            return  # a newer search is on its way
        header = self.table.horizontalHeader()
        self.model.set_rows(rows)
        self.model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        self.count_label.setText(f"{len(rows)} client{'s' if len(rows) != 1 else ''}"
                                 + (" (including archived)" if self.show_archived.isChecked()
                                    else ""))
        wanted, self._wanted_id = self._wanted_id, None
        row = self.model.row_of_id(wanted) if wanted is not None else -1
        if row < 0 and rows:
            row = 0
        if row >= 0:
            self.table.selectionModel().setCurrentIndex(
                self.model.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows)
            self.load_detail(self.model.row_at(row).id)
        else:
            self.page.show_detail(None)

    def current_row(self) -> ClientRow | None:
        index = self.table.selectionModel().currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def _row_changed(self, current, _previous) -> None:  # noqa: ANN001
        row = self.model.row_at(current.row()) if current.isValid() else None
        if row is not None and (self.detail is None or self.detail.id != row.id):
            self.load_detail(row.id)

    def load_detail(self, client_id: int) -> None:
        db = self.context.db

        def work() -> ClientDetail:
            with db.session() as session:
                return client_detail(session, client_id)

        self.context.runner.run(work, self._show_detail, self._failed)

    def _show_detail(self, detail: ClientDetail) -> None:
        current = self.current_row()
        if current is not None and current.id != detail.id:
            return  # the user moved on meanwhile
        self.detail = detail
        self.page.show_detail(detail, read_only=self.context.read_only)

    def _failed(self, exc: BaseException) -> None:
        dialogs().error(self, "Clients", describe_error(exc))

    def _data_changed(self, kind: str, _row_id: object) -> None:
        # a burst of changes (another user's bulk edit, a ticket being worked) reloads once
        if kind in ("client", "contract", "ticket", "occurrence", "report"):
            self._changed_timer.start()

    # actions -------------------------------------------------------------------------------
    def new_client(self) -> None:
        if self.context.read_only:
            return
        dialog = ClientDialog(self.context, None, self)
        dialog.saved.connect(self._select_after_save)
        dialog.open()
        self.editor = dialog

    def edit_client(self) -> None:
        if self.detail is None or self.context.read_only:
            return
        dialog = ClientDialog(self.context, self.detail, self)
        dialog.saved.connect(self._select_after_save)
        dialog.open()
        self.editor = dialog

    def _select_after_save(self, client_id: int) -> None:
        self._wanted_id = client_id
        self.detail = None
        self.refresh()

    def toggle_archive(self) -> None:
        detail = self.detail
        if detail is None or self.context.read_only:
            return
        archived = not detail.archived
        if archived and not dialogs().question(
                self, "Archive client",
                f"Archive {detail.name}? The client leaves the list; its contracts, tickets and "
                "reports are kept, and you can restore it with “Show archived”."):
            return
        db, user_id = self.context.db, self.context.user_id

        def work() -> int:
            with db.transaction() as session:
                archive_client(session, detail.id, archived, user_id)
            return detail.id

        def done(client_id: int) -> None:
            self.context.events.changed.emit("client", client_id)

        self.context.runner.run(work, done, self._failed)

    def show_tickets(self) -> None:
        if self.detail is not None and hasattr(self.window(), "show_view"):
            self.window().show_view("queue", client_ids=[self.detail.id],
                                    statuses=[str(s) for s in OPEN_STATUSES])

    def show_contracts(self) -> None:
        if self.detail is not None and hasattr(self.window(), "show_view"):
            self.window().show_view("contracts", client_id=self.detail.id)

    # the main window's hooks ---------------------------------------------------------------
    def apply_filter(self, search: str | None = None, client_id: int | None = None,
                     archived: bool | None = None, **_ignored: object) -> None:
        """Dashboard/search click-through: ``search="Sharma"``, ``client_id=3``,
        ``archived=True``."""
        if archived is not None:
            self.show_archived.blockSignals(True)
            self.show_archived.setChecked(bool(archived))
            self.show_archived.blockSignals(False)
        if client_id is not None:
            self._wanted_id = int(client_id)
            if search is None:
                self.search.blockSignals(True)
                self.search.clear()
                self.search.blockSignals(False)
        if search is not None:
            self.search.blockSignals(True)
            self.search.setText(str(search))
            self.search.blockSignals(False)
        self.refresh()

    def save_state(self) -> None:
        self.context.ui.set_widget_state("clients_splitter", self.splitter.saveState())


class ClientPage(QWidget):
    """The selected client's page."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel(objectName="client_title")
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary = QLabel(objectName="client_summary")
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setWordWrap(True)
        self.edit_button = QPushButton("&Edit…", objectName="edit_client")
        self.archive_button = QPushButton("&Archive", objectName="archive_client")
        self.queue_button = QPushButton("Open tickets in &queue", objectName="client_queue")
        self.contracts_button = QPushButton("Con&tracts", objectName="client_contracts")
        buttons = QHBoxLayout()
        for button in (self.edit_button, self.archive_button, self.queue_button,
                       self.contracts_button):
            buttons.addWidget(button)
        buttons.addStretch(1)

        self.tabs = QTabWidget(objectName="client_tabs")
        self.contacts = self._table("contacts", [
            Column("Name", lambda c: c.name), Column("Role", lambda c: c.role),
            Column("E-mail", lambda c: c.email), Column("Phone", lambda c: c.phone),
            Column("Reports", lambda c: "Receives reports" if c.receives_reports and c.email
                   else "—", colour=lambda c: "#2e7d32" if c.receives_reports and c.email
                   else None)], widths=[150, 130, 200, 130])
        self.contracts = self._table("contracts", [
            Column("Tier", lambda c: c.tier_name),
            Column("Period", lambda c: f"{c.start:%d %b %Y} – {c.end:%d %b %Y}",
                   lambda c: c.start),
            Column("Monthly fee", lambda c: format_money(c.monthly_fee, c.currency),
                   lambda c: c.monthly_fee, align_right=True),
            Column("State", lambda c: c.state.capitalize(),
                   colour=lambda c: STATE_COLOURS.get(c.state))], widths=[110, 210, 120])
        self.tickets = self._table("tickets", [
            Column("#", lambda t: str(t.number), lambda t: t.number, align_right=True),
            Column("Priority", lambda t: t.priority.capitalize(),
                   colour=lambda t: PRIORITY_COLOURS.get(t.priority)),
            Column("Status", lambda t: _status(t.status)),
            Column("SLA due", lambda t: ("Breached" if t.breached else
                                         t.sla_due_at.astimezone().strftime("%d %b %H:%M")
                                         if t.sla_due_at else "—"),
                   lambda t: t.sla_due_at, colour=lambda t: OVERDUE if t.breached else None),
            Column("Title", lambda t: t.title)], widths=[60, 80, 120, 110])
        self.maintenance = self._table("maintenance", [
            Column("Due", lambda m: f"{m.due:%a %d %b %Y}", lambda m: m.due),
            Column("State", lambda m: "Overdue" if m.overdue else "Due",
                   colour=lambda m: OVERDUE if m.overdue else "#1565c0"),
            Column("Task", lambda m: m.name)], widths=[130, 80])
        self.reports = self._table("reports", [
            Column("Sent", lambda r: r.sent_at.astimezone().strftime("%d %b %Y %H:%M"),
                   lambda r: r.sent_at),
            Column("Report", lambda r: f"{r.kind.capitalize()} {r.period}"),
            Column("By", lambda r: r.sent_by), Column("File", lambda r: r.file_name),
            Column("To", lambda r: r.recipients)], widths=[130, 130, 80, 150])
        self.empty = QLabel("Choose a client, or create one with “New client…”.",
                            objectName="client_empty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.summary)
        layout.addLayout(buttons)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.empty, 1)
        self.show_detail(None)

    def _table(self, name: str, columns: list[Column], widths: list[int]) -> RowTableModel:
        model = RowTableModel(columns, self)
        view = QTableView(objectName=f"client_{name}")
        view.setModel(model)
        view.setSortingEnabled(False)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.verticalHeader().setVisible(False)
        view.verticalHeader().setDefaultSectionSize(24)
        view.horizontalHeader().setStretchLastSection(True)
        view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate(widths):
            view.horizontalHeader().resizeSection(column, width)
        self.tabs.addTab(view, name.capitalize())
        model.view = view
        return model

    def show_detail(self, detail: ClientDetail | None, read_only: bool = False) -> None:
        has = detail is not None
        for widget in (self.title, self.summary, self.tabs, self.edit_button,
                       self.archive_button, self.queue_button, self.contracts_button):
            widget.setVisible(has)
        self.empty.setVisible(not has)
        if detail is None:
            return
        self.edit_button.setEnabled(not read_only)
        self.archive_button.setEnabled(not read_only)
        self.archive_button.setText("Rest&ore" if detail.archived else "&Archive")
        lines = [f"<h2 style='margin:0'>{escape(detail.name)}"
                 + (" <span style='color:#757575'>(archived)</span>" if detail.archived
                    else "") + "</h2>"]
        contact = " · ".join(escape(x) for x in (detail.email, detail.phone, detail.website)
                             if x)
        if contact:
            lines.append(f"<span style='color:#424242'>{contact}</span>")
        self.title.setText("<br>".join(lines))
        current = detail.current_contract
        parts = []
        if current is not None:
            parts.append(f"<b>{escape(current.tier_name)}</b> until {current.end:%d %b %Y} · "
                         f"{escape(format_money(current.monthly_fee, current.currency))}/month")
        else:
            parts.append("<b style='color:#c62828'>No contract in force</b> — new tickets "
                         "are out of scope")
        parts.append(f"{len(detail.open_tickets)} open ticket"
                     f"{'s' if len(detail.open_tickets) != 1 else ''}")
        overdue = sum(1 for m in detail.maintenance_due if m.overdue)
        if overdue:
            parts.append(f"<span style='color:{OVERDUE}'>{overdue} maintenance overdue</span>")
        if detail.content_minutes_allowance or detail.content_minutes_used:
            content = (f"Content updates this month: {hours_text(detail.content_minutes_used)}"
                       f" of {hours_text(detail.content_minutes_allowance)}")
        else:
            content = "No content-update hours in this contract"
        if detail.content_minutes_billable:
            content += (f" <span style='color:{OVERDUE}'>("
                        f"{hours_text(detail.content_minutes_billable)} billable)</span>")
        parts.append(content)
        if detail.notes:
            parts.append(f"<i>{escape(detail.notes)}</i>")
        self.summary.setText("<br>".join(parts))
        self.contacts.set_rows(detail.contacts)
        self.contracts.set_rows(detail.contracts)
        self.tickets.set_rows(detail.open_tickets)
        self.maintenance.set_rows(detail.maintenance_due)
        self.reports.set_rows(detail.reports_sent)
        counts = [len(detail.contacts), len(detail.contracts), len(detail.open_tickets),
                  len(detail.maintenance_due), len(detail.reports_sent)]
        for index, (title, count) in enumerate(zip(
                ["Contacts", "Contracts", "Open tickets", "Maintenance due", "Reports sent"],
                counts)):
            self.tabs.setTabText(index, f"{title} ({count})")
