"""The Contracts view (DESIGN §4): every client's contracts with tier, fee (₹, Indian grouping),
period, days to renewal and content allowance used this month; filter chips make the renewals
due within 30/60/90 days easy to see; the selected contract shows its tickets and maintenance.
New, Edit and Renew open the contract editor."""
from __future__ import annotations

from dataclasses import dataclass
from html import escape

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QButtonGroup, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QPushButton, QSplitter, QTableView, QTabWidget,
                               QVBoxLayout, QWidget)

from desktop.services.catalog import PRIORITY_COLOURS
from desktop.services.clients import client_names
from desktop.services.contracts import (RENEWAL_WINDOWS, ContractDetail, ContractInput,
                                        ContractRow, TierChoice, contract_detail,
                                        list_contracts, renewal_draft, row_matches,
                                        tier_choices)
from desktop.services.dashboard import hours_text
from desktop.services.money import format_money
from desktop.views.clients.table import Column, RowTableModel
from desktop.views.context import AppContext
from desktop.views.messages import dialogs
from desktop.views.worker import describe_error

from .editor import ContractDialog

STATE_COLOURS = {"current": "#2e7d32", "future": "#1565c0", "past": "#757575"}
OCCURRENCE_COLOURS = {"done": "#2e7d32", "due": "#1565c0", "overdue": "#c62828"}


@dataclass(frozen=True)
class Chip:
    key: str
    label: str
    state: str | None = None
    renewal_within: int | None = None


CHIPS = [Chip("current", "In force", state="current"),
         *[Chip(f"renewal_{n}", f"Renewal ≤ {n} days", renewal_within=n)
           for n in RENEWAL_WINDOWS],
         Chip("future", "Upcoming", state="future"),
         Chip("past", "Ended", state="past"),
         Chip("all", "All")]


def renewal_colour(row: ContractRow) -> str | None:
    if not row.renewal_due:
        return "#9e9e9e" if row.state == "past" or row.renewed else None
    days = row.days_to_renewal
    return "#c62828" if days <= 30 else "#ef6c00" if days <= 60 else "#f9a825" if days <= 90 \
        else None


def renewal_text(row: ContractRow) -> str:
    if row.state == "past":
        return "Ended"
    if row.renewed and row.state == "current":
        return f"{row.days_to_renewal} days · renewed"
    if row.state == "future":
        return f"Starts {row.start:%d %b %Y}"
    return "Last day" if row.days_to_renewal == 0 else f"{row.days_to_renewal} days"


def allowance_text(row: ContractRow) -> str:
    if row.used_minutes is None:
        return "—"
    if not row.allowance_minutes and not row.used_minutes:
        return "—"
    text = f"{hours_text(row.used_minutes)} of {hours_text(row.allowance_minutes)}"
    if row.billable_minutes:
        text += f" · {hours_text(row.billable_minutes)} billable"
    return text


def contract_columns() -> list[Column]:
    return [
        Column("Client", lambda r: r.client_name, lambda r: r.client_name.lower()),
        Column("Tier", lambda r: r.tier_name, lambda r: r.tier_code),
        Column("Monthly fee", lambda r: r.fee_text, lambda r: r.monthly_fee, align_right=True),
        Column("Period", lambda r: r.period_text, lambda r: r.start),
        Column("Days to renewal", renewal_text,
               lambda r: r.days_to_renewal if r.state == "current" else None,
               align_right=True, colour=renewal_colour,
               tooltip=lambda r: f"The contract's last day is {r.end:%d %b %Y}"),
        Column("Content this month", allowance_text,
               lambda r: r.used_minutes, colour=lambda r: "#c62828" if r.billable_minutes
               else None,
               tooltip=lambda r: "Content-update time logged this month against the "
                                 "contract's allowance; the excess is billable"),
        Column("State", lambda r: {"current": "In force", "future": "Upcoming",
                                   "past": "Ended"}[r.state],
               colour=lambda r: STATE_COLOURS[r.state]),
    ]


class ContractsView(QWidget):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.all_rows: list[ContractRow] = []
        self.detail: ContractDetail | None = None
        self.tiers: list[TierChoice] = []
        self.clients: list[tuple[int, str]] = []
        self.client_id: int | None = None
        self._wanted_id: int | None = None
        self._generation = 0

        self.chip_group = QButtonGroup(self)
        self.chip_group.setExclusive(True)
        self.chips: dict[str, QPushButton] = {}
        chips_row = QHBoxLayout()
        for chip in CHIPS:
            button = QPushButton(chip.label, objectName=f"chip_{chip.key}")
            button.setCheckable(True)
            button.setProperty("chip", True)
            button.setStyleSheet(
                "QPushButton { border: 1px solid #b0bec5; border-radius: 12px; "
                "padding: 3px 12px; background: #fafafa; }"
                "QPushButton:checked { background: #1565c0; color: white; "
                "border-color: #1565c0; }")
            self.chip_group.addButton(button)
            self.chips[chip.key] = button
            chips_row.addWidget(button)
            button.toggled.connect(lambda on: on and self._apply_chip())
        chips_row.addStretch(1)
        self.chips["current"].blockSignals(True)
        self.chips["current"].setChecked(True)
        self.chips["current"].blockSignals(False)

        self.search = QLineEdit(objectName="contract_search")
        self.search.setPlaceholderText("Filter by client name")
        self.search.setClearButtonEnabled(True)
        self.client_filter = QPushButton(objectName="client_filter")
        self.client_filter.setVisible(False)
        self.client_filter.clicked.connect(self.clear_client)
        self.new_button = QPushButton("&New contract…", objectName="new_contract")
        self.edit_button = QPushButton("&Edit…", objectName="edit_contract")
        self.renew_button = QPushButton("&Renew…", objectName="renew_contract")
        self.new_button.clicked.connect(self.new_contract)
        self.edit_button.clicked.connect(self.edit_contract)
        self.renew_button.clicked.connect(self.renew_contract)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.client_filter)
        top.addWidget(self.new_button)
        top.addWidget(self.edit_button)
        top.addWidget(self.renew_button)

        self.model = RowTableModel(contract_columns(), self)
        self.table = QTableView(objectName="contract_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.setSortingEnabled(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate([210, 90, 120, 200, 130, 250]):
            header.resizeSection(column, width)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.table.doubleClicked.connect(lambda _index: self.edit_contract())
        self.count_label = QLabel(objectName="contract_count")

        self.page = ContractPage(self)
        self.page.client_button.clicked.connect(self.show_client)
        top_widget = QWidget()
        top_layout = QVBoxLayout(top_widget)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addLayout(chips_row)
        top_layout.addLayout(top)
        top_layout.addWidget(self.table, 1)
        top_layout.addWidget(self.count_label)
        self.splitter = QSplitter(Qt.Orientation.Vertical, objectName="contracts_splitter")
        self.splitter.addWidget(top_widget)
        self.splitter.addWidget(self.page)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([420, 380])
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter)
        state = context.ui.widget_state("contracts_splitter")
        if state is not None:
            self.splitter.restoreState(state)

        self._search_timer = QTimer(self, singleShot=True, interval=150)
        self._search_timer.timeout.connect(self._apply_chip)
        self.search.textChanged.connect(self._search_timer.start)
        # Ctrl+N, Ctrl+F, Ctrl+R and F5 belong to the main window's menus (F5 calls refresh);
        # the buttons have Alt mnemonics
        QShortcut(QKeySequence("Ctrl+E"), self, activated=self.edit_contract,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._changed_timer = QTimer(self, singleShot=True, interval=300)
        self._changed_timer.timeout.connect(self.refresh)
        context.events.changed.connect(self._data_changed)
        self._update_buttons()
        self.refresh()

    # loading -------------------------------------------------------------------------------
    def refresh(self) -> None:
        db = self.context.db
        current = self.current_row()
        if current is not None and self._wanted_id is None:
            self._wanted_id = current.id
        self._generation += 1
        generation = self._generation

        def work():  # noqa: ANN202
            with db.session() as session:
                return (list_contracts(session), tier_choices(session), client_names(session))

        self.context.runner.run(work, lambda result: self._loaded(result, generation),
                                self._failed)

    def _loaded(self, result, generation: int) -> None:  # noqa: ANN001
        if generation != self._generation:
            return
        self.all_rows, self.tiers, self.clients = result
        if self.client_id is not None:
            name = dict(self.clients).get(self.client_id, "one client")
            self.client_filter.setText(f"Client: {name}  ✕")
        for chip in CHIPS:
            count = sum(1 for r in self._base_rows() if row_matches(
                r, renewal_within=chip.renewal_within, state=chip.state))
            self.chips[chip.key].setText(f"{chip.label}  {count}")
        self._apply_chip(final=True)

    def _base_rows(self) -> list[ContractRow]:
        rows = self.all_rows
        if self.client_id is not None:
            rows = [r for r in rows if r.client_id == self.client_id]
        return rows

    def chip(self) -> Chip:
        checked = self.chip_group.checkedButton()
        return next((c for c in CHIPS if self.chips[c.key] is checked), CHIPS[-1])

    def _apply_chip(self, final: bool = False) -> None:
        """Show the rows of the checked chip, keeping the selected contract (or the one asked
        for: until a load completes it may not be among the rows yet)."""
        chip = self.chip()
        text = self.search.text().strip().lower()
        rows = [r for r in self._base_rows()
                if row_matches(r, renewal_within=chip.renewal_within, state=chip.state)
                and (not text or text in r.client_name.lower())]
        wanted = self._wanted_id
        if wanted is None and self.current_row() is not None:
            wanted = self.current_row().id
        if final or any(r.id == wanted for r in rows):
            self._wanted_id = None
        self.model.set_rows(rows)
        header = self.table.horizontalHeader()
        if header.sortIndicatorSection() >= 0:
            self.model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        total = sum(r.monthly_fee for r in rows if r.state == "current")
        summary = f"{len(rows)} contract{'s' if len(rows) != 1 else ''}"
        if total:
            summary += f" · {format_money(total)} a month in force"
        self.count_label.setText(summary)
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
            self.detail = None
            self.page.show_detail(None)
        self._update_buttons()

    def current_row(self) -> ContractRow | None:
        index = self.table.selectionModel().currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def _row_changed(self, current, _previous) -> None:  # noqa: ANN001
        row = self.model.row_at(current.row()) if current.isValid() else None
        if row is not None and (self.detail is None or self.detail.row.id != row.id):
            self.load_detail(row.id)
        self._update_buttons()

    def load_detail(self, contract_id: int) -> None:
        db = self.context.db

        def work() -> ContractDetail:
            with db.session() as session:
                return contract_detail(session, contract_id)

        self.context.runner.run(work, self._show_detail, self._failed)

    def _show_detail(self, detail: ContractDetail) -> None:
        current = self.current_row()
        if current is not None and current.id != detail.row.id:
            return
        self.detail = detail
        self.page.show_detail(detail)
        self._update_buttons()

    def _update_buttons(self) -> None:
        row = self.current_row()
        writable = not self.context.read_only
        self.new_button.setEnabled(writable)
        self.edit_button.setEnabled(writable and row is not None)
        self.renew_button.setEnabled(writable and row is not None and not row.renewed)
        self.renew_button.setToolTip("" if row is None or not row.renewed else
                                     "Already renewed: a later contract exists")

    def _failed(self, exc: BaseException) -> None:
        dialogs().error(self, "Contracts", describe_error(exc))

    def _data_changed(self, kind: str, _row_id: object) -> None:
        # a burst of changes (another user's bulk edit, a ticket being worked) reloads once
        if kind in ("contract", "client", "ticket", "occurrence", "settings"):
            self._changed_timer.start()

    # actions -------------------------------------------------------------------------------
    def _open_editor(self, data: ContractInput, **kwargs) -> ContractDialog:  # noqa: ANN003
        dialog = ContractDialog(self.context, self.clients, self.tiers, data, parent=self,
                                **kwargs)
        dialog.saved.connect(self._select_after_save)
        dialog.open()
        self.editor = dialog
        return dialog

    def new_contract(self) -> None:
        if self.context.read_only:
            return
        standard = next((t for t in self.tiers if t.code == "standard"), None)
        data = ContractInput(client_id=self.client_id)
        if standard is not None:
            data.monthly_fee = standard.monthly_fee
            data.content_minutes_allowance = standard.content_minutes
        self._open_editor(data, mode="new")

    def edit_contract(self) -> None:
        if self.detail is None or self.context.read_only:
            return
        self._open_editor(self.detail.as_input(), mode="edit",
                          contract_id=self.detail.row.id, version=self.detail.version)

    def renew_contract(self) -> None:
        row = self.current_row()
        if row is None or self.context.read_only:
            return
        if row.renewed:
            dialogs().information(self, "Renew contract",
                                  f"{row.client_name}'s contract has already been renewed.")
            return
        db = self.context.db

        def work() -> ContractInput:
            with db.session() as session:
                return renewal_draft(session, row.id)

        self.context.runner.run(
            work, lambda draft: self._open_editor(draft, mode="renew", renew_from=row.id),
            self._failed)

    def _select_after_save(self, contract_id: int) -> None:
        self._wanted_id = contract_id
        self.detail = None
        chip = self.chip()
        if chip.state is not None or chip.renewal_within is not None:
            # show the saved contract even when it falls outside the chip
            self.chips["all"].setChecked(True)
        self.refresh()

    def show_client(self) -> None:
        if self.detail is not None and hasattr(self.window(), "show_view"):
            self.window().show_view("clients", client_id=self.detail.row.client_id)

    def clear_client(self) -> None:
        self.client_id = None
        self.client_filter.setVisible(False)
        self._loaded((self.all_rows, self.tiers, self.clients), self._generation)

    # the main window's hooks ---------------------------------------------------------------
    def apply_filter(self, renewal_within: int | None = None, state: str | None = None,
                     client_id: int | None = None, search: str | None = None,
                     contract_id: int | None = None, **_ignored: object) -> None:
        """Click-through: ``renewal_within=30|60|90``, ``state="current"|"future"|"past"|
        "all"``, ``client_id=3`` (that client's contracts), ``contract_id``, ``search``."""
        key = "current"
        if renewal_within is not None:
            window = min((n for n in RENEWAL_WINDOWS if n >= int(renewal_within)),
                         default=RENEWAL_WINDOWS[-1])
            key = f"renewal_{window}"
        elif state in ("current", "future", "past", "all"):
            key = state
        elif client_id is not None or contract_id is not None:
            key = "all"
        self.client_id = int(client_id) if client_id is not None else None
        name = dict(self.clients).get(self.client_id, "")
        self.client_filter.setText(f"Client: {name}  ✕" if name else "One client  ✕")
        self.client_filter.setToolTip("Show every client's contracts")
        self.client_filter.setVisible(self.client_id is not None)
        if search is not None:
            self.search.blockSignals(True)
            self.search.setText(str(search))
            self.search.blockSignals(False)
        if contract_id is not None:
            self._wanted_id = int(contract_id)
        self.chips[key].blockSignals(True)
        self.chips[key].setChecked(True)
        self.chips[key].blockSignals(False)
        self.refresh()

    def save_state(self) -> None:
        self.context.ui.set_widget_state("contracts_splitter", self.splitter.saveState())


class ContractPage(QWidget):
    """The selected contract: its figures, tickets and maintenance."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel(objectName="contract_title")
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.title.setWordWrap(True)
        self.client_button = QPushButton("Open &client", objectName="open_client")
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.client_button, 0, Qt.AlignmentFlag.AlignTop)
        self.tabs = QTabWidget(objectName="contract_tabs")
        self.tickets = self._table("Tickets", [
            Column("#", lambda t: str(t.number), lambda t: t.number, align_right=True),
            Column("Created", lambda t: t.created_at.astimezone().strftime("%d %b %Y"),
                   lambda t: t.created_at),
            Column("Priority", lambda t: t.priority.capitalize(),
                   colour=lambda t: PRIORITY_COLOURS.get(t.priority)),
            Column("Status", lambda t: t.status.replace("_", " ").capitalize()),
            Column("Coverage", lambda t: "In scope" if t.in_scope else "Out of scope / billable",
                   colour=lambda t: None if t.in_scope else "#c62828"),
            Column("Title", lambda t: t.title)])
        self.maintenance = self._table("Maintenance", [
            Column("Due", lambda m: f"{m.due:%a %d %b %Y}", lambda m: m.due),
            Column("Period", lambda m: m.period_key),
            Column("State", lambda m: m.state.capitalize() + (
                f" · {m.outcome.replace('_', ' ')}" if m.outcome else ""),
                colour=lambda m: OCCURRENCE_COLOURS.get(m.state)),
            Column("Task", lambda m: m.name)])
        self.empty = QLabel("No contract selected.", objectName="contract_empty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(head)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.empty, 1)
        self.show_detail(None)

    def _table(self, title: str, columns: list[Column]) -> RowTableModel:
        model = RowTableModel(columns, self)
        view = QTableView(objectName=f"contract_{title.lower()}")
        view.setModel(model)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.verticalHeader().setVisible(False)
        view.verticalHeader().setDefaultSectionSize(24)
        view.horizontalHeader().setStretchLastSection(True)
        for column in range(len(columns) - 1):
            view.horizontalHeader().resizeSection(column, 60 if column == 0 else 130)
        self.tabs.addTab(view, title)
        return model

    def show_detail(self, detail: ContractDetail | None) -> None:
        has = detail is not None
        for widget in (self.title, self.tabs, self.client_button):
            widget.setVisible(has)
        self.empty.setVisible(not has)
        if detail is None:
            return
        r = detail.row
        state = {"current": "in force", "future": "upcoming", "past": "ended"}[r.state]
        lines = [f"<h3 style='margin:0'>{escape(r.client_name)} — {escape(r.tier_name)} "
                 f"<span style='color:{STATE_COLOURS[r.state]}; font-weight:normal'>"
                 f"({state})</span></h3>",
                 f"{escape(r.period_text)} · <b>{escape(r.fee_text)}</b> a month"]
        if r.state == "current":
            renewal = renewal_text(r)
            lines[-1] += f" · renewal: {escape(renewal)}"
            if r.used_minutes is not None and (r.allowance_minutes or r.used_minutes):
                lines.append(f"Content updates this month: {escape(allowance_text(r))}")
        extra = f"{detail.open_tickets} open ticket{'s' if detail.open_tickets != 1 else ''}"
        overdue = sum(1 for m in detail.maintenance if m.state == "overdue")
        if overdue:
            extra += f" · <span style='color:#c62828'>{overdue} maintenance overdue</span>"
        lines.append(extra)
        if detail.notes:
            lines.append(f"<i>{escape(detail.notes)}</i>")
        self.title.setText("<br>".join(lines))
        self.tickets.set_rows(detail.tickets)
        self.maintenance.set_rows(detail.maintenance)
        self.tabs.setTabText(0, f"Tickets ({len(detail.tickets)})")
        self.tabs.setTabText(1, f"Maintenance ({len(detail.maintenance)})")
