"""The part of the "mark done" form that asks for exactly the task's figures (DESIGN §2), built
from ``FIGURE_FIELDS``: a line per single figure, a small table per list (components, findings,
incidents) with Add and Remove buttons."""
from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QDateEdit, QFormLayout,
                               QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from desktop.services.maintenance_figures import FigureField, figure_fields

PLACEHOLDERS = {"size_mb": "e.g. 2400", "uptime_percent": "e.g. 99.95", "score": "0–100",
                "load_time_seconds": "e.g. 1.8", "restore_result": "what the restore test showed",
                "start": "2026-03-05T10:30+05:30"}


def _number_text(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class FigureTable(QWidget):
    """A list figure: one row per component, finding or incident."""

    def __init__(self, field: FigureField, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = field
        self.table = QTableWidget(0, len(field.columns))
        self.table.setObjectName(f"figure_{field.key}")
        self.table.setHorizontalHeaderLabels(
            [c.label + (f" ({c.unit})" if c.unit else "") for c in field.columns])
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        for col, column in enumerate(field.columns):
            mode = (QHeaderView.ResizeMode.Stretch if column.kind == "text" and not column.choices
                    else QHeaderView.ResizeMode.ResizeToContents)
            header.setSectionResizeMode(col, mode)
        self.table.setMinimumHeight(110)
        add = QPushButton(f"Add {self._noun()}")
        add.setObjectName(f"add_{field.key}")
        add.clicked.connect(lambda: self.add_row({}))
        remove = QPushButton("Remove")
        remove.clicked.connect(self.remove_selected)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        self.empty_label = QLabel(self._empty_text())
        self.empty_label.setStyleSheet("color: palette(mid);")
        buttons.addWidget(self.empty_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)

    def _noun(self) -> str:
        return {"components": "component", "findings": "finding",
                "incidents": "incident"}.get(self.field.key, "row")

    def _empty_text(self) -> str:
        return {"findings": "No rows: no findings", "incidents": "No rows: no incidents",
                "components": "No rows: nothing to update"}.get(self.field.key, "")

    def _refresh_empty(self) -> None:
        self.empty_label.setVisible(self.table.rowCount() == 0)

    def add_row(self, values: dict) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        for col, column in enumerate(self.field.columns):
            value = values.get(column.key)
            if column.kind == "bool":
                item = QTableWidgetItem()
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable
                              | Qt.ItemFlag.ItemIsSelectable)
                item.setCheckState(Qt.CheckState.Checked if value else Qt.CheckState.Unchecked)
                self.table.setItem(row, col, item)
            elif column.choices:
                combo = QComboBox()
                combo.addItems([c.capitalize() for c in column.choices])
                if value in column.choices:
                    combo.setCurrentIndex(column.choices.index(value))
                self.table.setCellWidget(row, col, combo)
            else:
                item = QTableWidgetItem(_number_text(value))
                if column.key in PLACEHOLDERS:
                    item.setToolTip(f"Like {PLACEHOLDERS[column.key]}")
                self.table.setItem(row, col, item)
        self._refresh_empty()

    def remove_selected(self) -> None:
        for row in sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True):
            self.table.removeRow(row)
        self._refresh_empty()

    def set_rows(self, rows: list[dict]) -> None:
        self.table.setRowCount(0)
        for values in rows or []:
            self.add_row(values)
        self._refresh_empty()

    def rows(self) -> list[dict]:
        result = []
        for row in range(self.table.rowCount()):
            values: dict[str, Any] = {}
            for col, column in enumerate(self.field.columns):
                if column.kind == "bool":
                    item = self.table.item(row, col)
                    values[column.key] = (item is not None
                                          and item.checkState() == Qt.CheckState.Checked)
                elif column.choices:
                    combo = self.table.cellWidget(row, col)
                    values[column.key] = column.choices[combo.currentIndex()]
                else:
                    item = self.table.item(row, col)
                    values[column.key] = item.text().strip() if item is not None else ""
            result.append(values)
        return result


class FigureEditor(QWidget):
    """Editors for one task's figures; ``values()`` gives the raw dict for ``clean_figures``."""

    def __init__(self, task: str, default_day: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.task = task
        self.fields = figure_fields(task)
        self.default_day = default_day
        self.editors: dict[str, QWidget] = {}
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        for field in self.fields:
            editor = self._make_editor(field)
            if field.kind != "table":
                editor.setObjectName(f"figure_{field.key}")
            self.editors[field.key] = editor
            label = field.label + (f" ({field.unit})" if field.unit else "")
            if field.required:
                label += " *"
            if field.kind == "table":
                form.addRow(QLabel(label))
                form.addRow(editor)
            else:
                form.addRow(label, editor)

    def _make_editor(self, field: FigureField) -> QWidget:
        if field.kind == "table":
            return FigureTable(field)
        if field.kind == "bool":
            return QCheckBox("Yes")
        if field.kind == "date":
            edit = QDateEdit()
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setDate(QDate(self.default_day.year, self.default_day.month,
                               self.default_day.day))
            return edit
        edit = QLineEdit()
        edit.setPlaceholderText(PLACEHOLDERS.get(field.key, ""))
        edit.setClearButtonEnabled(True)
        return edit

    def set_values(self, values: dict) -> None:
        for field in self.fields:
            editor = self.editors[field.key]
            value = values.get(field.key)
            if isinstance(editor, FigureTable):
                editor.set_rows(value or [])
            elif isinstance(editor, QCheckBox):
                editor.setChecked(bool(value))
            elif isinstance(editor, QDateEdit):
                if value:
                    day = date.fromisoformat(value)
                    editor.setDate(QDate(day.year, day.month, day.day))
            elif isinstance(editor, QLineEdit):
                editor.setText(_number_text(value))

    def values(self) -> dict:
        result: dict[str, Any] = {}
        for field in self.fields:
            editor = self.editors[field.key]
            if isinstance(editor, FigureTable):
                result[field.key] = editor.rows()
            elif isinstance(editor, QCheckBox):
                result[field.key] = editor.isChecked()
            elif isinstance(editor, QDateEdit):
                result[field.key] = editor.date().toString("yyyy-MM-dd")
            elif isinstance(editor, QLineEdit):
                result[field.key] = editor.text().strip()
        return result
