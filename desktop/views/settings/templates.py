"""Maintenance templates per tier (DESIGN §2 "seeded templates per tier, editable"): add, remove,
rename, change cadence and lead time, pause. Every change is saved at once and re-plans the
schedules of the tier's contracts; the line under the table says what changed."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from PySide6.QtCore import Qt
from shiboken6 import isValid
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QListWidget, QListWidgetItem, QPushButton, QSpinBox,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from desktop.services import maintenance_templates as templates
from desktop.services.maintenance_templates import CADENCE_LABELS, TemplateRow

from ..context import AppContext
from ..messages import dialogs
from ..worker import describe_error

COLUMNS = ["Task", "Cadence", "Due", "Days before end", "Active"]
BY_CALENDAR = -1  # the spin box's "by the calendar" value: days_before_end None


class MaintenanceTemplatesEditor(QWidget):
    def __init__(self, context: AppContext, parent: QWidget | None = None,
                 today: date | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self._today = today
        self.setObjectName("maintenance_templates_editor")
        self.tier = "basic"
        self.rows: list[TemplateRow] = []
        self._filling = False
        self._busy = False
        # the version each template had after this editor's last save: edits queue up on the
        # single worker, so the second of two quick edits must not look stale to us
        self._versions: dict[int, int] = {}

        self.tiers = QListWidget()
        self.tiers.setObjectName("template_tiers")
        self.tiers.setMaximumWidth(160)
        self.tiers.currentItemChanged.connect(self._on_tier_changed)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("templates")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed
                                   | QAbstractItemView.EditTrigger.AnyKeyPressed)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        for column in (1, 3, 4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemChanged.connect(self._on_item_changed)
        self.table.itemSelectionChanged.connect(self._update_buttons)

        self.new_name = QLineEdit()
        self.new_name.setObjectName("new_task_name")
        self.new_name.setPlaceholderText("New task, e.g. Accessibility check")
        self.new_name.returnPressed.connect(self.add_task)
        self.new_cadence = QComboBox()
        self.new_cadence.setObjectName("new_task_cadence")
        for code, label in CADENCE_LABELS.items():
            self.new_cadence.addItem(label, code)
        self.add_button = QPushButton("Add task")
        self.add_button.setObjectName("add_task")
        self.add_button.clicked.connect(self.add_task)
        self.remove_button = QPushButton("Remove task…")
        self.remove_button.setObjectName("remove_task")
        self.remove_button.clicked.connect(self.remove_selected)

        add_row = QHBoxLayout()
        add_row.addWidget(self.new_name, 1)
        add_row.addWidget(self.new_cadence)
        add_row.addWidget(self.add_button)
        add_row.addSpacing(20)
        add_row.addWidget(self.remove_button)

        self.status = QLabel()
        self.status.setObjectName("templates_status")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        help_text = QLabel("Double-click a name to rename it. Changes are saved at once and "
                           "re-plan the schedules of this tier's contracts: tasks already done "
                           "and tasks missed stay as they are.")
        help_text.setWordWrap(True)

        right = QVBoxLayout()
        right.addWidget(help_text)
        right.addWidget(self.table, 1)
        right.addLayout(add_row)
        right.addWidget(self.status)
        layout = QHBoxLayout(self)
        layout.addWidget(self.tiers)
        layout.addLayout(right, 1)

        read_only = context.read_only
        for widget in (self.new_name, self.new_cadence, self.add_button, self.remove_button):
            widget.setEnabled(not read_only)
        if read_only:
            self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            self.status.setText("Offline snapshot: templates can be viewed, not changed.")
        self._load_tiers()

    @property
    def today(self) -> date:
        return self._today or datetime.now(self.context.agency.zone).date()

    # loading ----------------------------------------------------------------------------------
    def _load_tiers(self) -> None:
        db = self.context.db

        def fetch() -> list[tuple[str, str]]:
            with db.session() as session:
                return templates.list_tiers(session)

        def show(tiers: list[tuple[str, str]]) -> None:
            self.tiers.blockSignals(True)
            self.tiers.clear()
            for code, name in tiers:
                item = QListWidgetItem(name)
                item.setData(Qt.ItemDataRole.UserRole, code)
                self.tiers.addItem(item)
            self.tiers.blockSignals(False)
            codes = [code for code, _ in tiers]
            self.tiers.setCurrentRow(codes.index(self.tier) if self.tier in codes else 0)

        self._run(fetch, show)

    def select_tier(self, code: str) -> None:
        for row in range(self.tiers.count()):
            if self.tiers.item(row).data(Qt.ItemDataRole.UserRole) == code:
                self.tiers.setCurrentRow(row)
                return

    def _on_tier_changed(self, current: QListWidgetItem | None, _previous=None) -> None:  # noqa: ANN001
        if current is None:
            return
        self.tier = current.data(Qt.ItemDataRole.UserRole)
        self.reload()

    def reload(self) -> None:
        db, tier = self.context.db, self.tier

        def fetch() -> list[TemplateRow]:
            with db.session() as session:
                return templates.list_templates(session, tier)

        self._run(fetch, self._fill)

    def _fill(self, rows: list[TemplateRow]) -> None:
        self.rows = rows
        self._versions.update({r.id: r.version for r in rows})
        self._filling = True
        selected = self.selected_row()
        self.table.setRowCount(0)
        editable = not self.context.read_only
        for index, row in enumerate(rows):
            self.table.insertRow(index)
            name = QTableWidgetItem(row.name)
            flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
            name.setFlags(flags | (Qt.ItemFlag.ItemIsEditable if editable else flags))
            name.setToolTip(f"Code {row.task}: its figures and history keep this code")
            self.table.setItem(index, 0, name)

            cadence = QComboBox()
            for code, label in CADENCE_LABELS.items():
                cadence.addItem(label, code)
            cadence.setCurrentIndex(cadence.findData(row.cadence))
            cadence.setEnabled(editable)
            cadence.currentIndexChanged.connect(
                lambda _i, r=row, c=cadence: self._change(r, cadence=c.currentData()))
            self.table.setCellWidget(index, 1, cadence)

            placement = QTableWidgetItem(row.placement)
            placement.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            self.table.setItem(index, 2, placement)

            days = QSpinBox()
            days.setRange(BY_CALENDAR, templates.MAX_DAYS_BEFORE_END)
            days.setSpecialValueText("by the calendar")
            days.setSuffix(" days")
            days.setValue(BY_CALENDAR if row.days_before_end is None else row.days_before_end)
            days.setKeyboardTracking(False)
            days.setEnabled(editable)
            days.setToolTip("Place the task this many days before the contract ends (renewal, "
                            "warranty review), or by the calendar")
            days.valueChanged.connect(lambda value, r=row: self._change(
                r, days_before_end=None if value == BY_CALENDAR else value))
            self.table.setCellWidget(index, 3, days)

            active = QTableWidgetItem()
            active.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                            | (Qt.ItemFlag.ItemIsUserCheckable if editable
                               else Qt.ItemFlag.NoItemFlags))
            active.setCheckState(Qt.CheckState.Checked if row.active else Qt.CheckState.Unchecked)
            active.setToolTip("Untick to pause the task without losing its history")
            self.table.setItem(index, 4, active)
        self._filling = False
        if selected is not None:
            index = next((i for i, r in enumerate(rows) if r.id == selected.id), None)
            if index is not None:
                self.table.selectRow(index)
        self._update_buttons()

    # editing ----------------------------------------------------------------------------------
    def selected_row(self) -> TemplateRow | None:
        indexes = self.table.selectionModel().selectedRows() if self.table.model() else []
        if not indexes or indexes[0].row() >= len(self.rows):
            return None
        return self.rows[indexes[0].row()]

    def _update_buttons(self) -> None:
        self.remove_button.setEnabled(not self.context.read_only
                                      and self.selected_row() is not None)

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if self._filling or item.row() >= len(self.rows):
            return
        row = self.rows[item.row()]
        if item.column() == 0 and item.text().strip() != row.name:
            self._change(row, name=item.text())
        elif item.column() == 4:
            active = item.checkState() == Qt.CheckState.Checked
            if active != row.active:
                self._change(row, active=active)

    def _change(self, row: TemplateRow, **changes: object) -> None:
        if self._filling:
            return
        db, today = self.context.db, self.today

        versions = self._versions

        def save():  # noqa: ANN202
            with db.transaction() as session:
                result = templates.update_template(session, row.id,
                                                   versions.get(row.id, row.version),
                                                   today=today, **changes)
            versions[row.id] = result[0].version
            return result

        self._run(save, lambda result: self._saved(f"{result[0].name} saved", result[1]),
                  self._failed)

    def add_task(self) -> None:
        name = self.new_name.text().strip()
        if not name:
            self.status.setText("Type the new task's name first.")
            self.new_name.setFocus()
            return
        db, tier, cadence = self.context.db, self.tier, self.new_cadence.currentData()
        today = self.today
        days = 30 if cadence == "once" else None

        def save():  # noqa: ANN202
            with db.transaction() as session:
                return templates.add_template(session, tier, name, cadence, days, today=today)

        def saved(result) -> None:  # noqa: ANN001
            self.new_name.clear()
            self._saved(f"{result[0].name} added", result[1])

        self._run(save, saved, self._failed)

    def remove_selected(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        if not dialogs().question(
                self, "Remove maintenance task",
                f"Remove \u201c{row.name}\u201d from this tier? It leaves the schedules from "
                "today on; work already done and tasks missed are kept. To stop it for a "
                "while instead, untick Active."):
            return
        db, today = self.context.db, self.today

        def save():  # noqa: ANN202
            with db.transaction() as session:
                return templates.remove_template(session, row.id,
                                                 self._versions.get(row.id, row.version),
                                                 today=today)

        self._run(save, lambda counts: self._saved(f"{row.name} removed", counts), self._failed)

    def _saved(self, what: str, counts) -> None:  # noqa: ANN001
        parts = [f"{counts.created} added", f"{counts.moved} moved", f"{counts.removed} removed"]
        self.status.setText(f"{what}. Schedules of {counts.contracts} contract"
                            f"{'s' if counts.contracts != 1 else ''} updated: "
                            f"{', '.join(parts)}.")
        self.context.events.changed.emit("occurrence", None)
        self.reload()

    def _failed(self, exc: BaseException) -> None:
        self.status.setText(describe_error(exc))
        self.reload()  # show what is really stored

    def _run(self, fn: Callable, on_success: Callable,
             on_failure: Callable[[BaseException], None] | None = None) -> None:
        self._busy = True

        def success(value) -> None:  # noqa: ANN001
            if not isValid(self.table):
                return  # the editor was closed while the worker ran
            self._busy = False
            on_success(value)

        def failure(exc: BaseException) -> None:
            if not isValid(self.table):
                return
            self._busy = False
            (on_failure or (lambda e: dialogs().error(self, "Maintenance templates",
                                                      describe_error(e))))(exc)

        self.context.runner.run(fn, success, failure)
