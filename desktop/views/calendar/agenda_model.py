"""The agenda: the occurrences of the selected day, week or month, or every overdue one, as a
table (due, client, task, tier, state, outcome, done by, notes and figures)."""
from __future__ import annotations

import html
from datetime import date

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from desktop.services.maintenance import OccurrenceRow

from .month_grid import COLOURS, due_colour

COLUMNS = ["Due", "Client", "Task", "Tier", "State", "Outcome", "Done by", "Notes and figures"]
ROW_ROLE = Qt.ItemDataRole.UserRole + 1
STATE_LABELS = {"done": "Done", "due": "Due", "overdue": "Overdue"}


class AgendaModel(QAbstractTableModel):
    def __init__(self, today: date, parent=None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.today = today
        self._rows: list[OccurrenceRow] = []

    # data in ----------------------------------------------------------------------------------
    def set_rows(self, rows: list[OccurrenceRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def replace_row(self, updated: OccurrenceRow) -> int | None:
        """Swap in a row after a write; returns its index or None when it is not shown."""
        for index, row in enumerate(self._rows):
            if row.id == updated.id:
                self._rows[index] = updated
                self.dataChanged.emit(self.index(index, 0),
                                      self.index(index, len(COLUMNS) - 1))
                return index
        return None

    def row_at(self, row: int) -> OccurrenceRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    @property
    def rows(self) -> list[OccurrenceRow]:
        return list(self._rows)

    def index_of(self, occurrence_id: int) -> int | None:
        return next((i for i, r in enumerate(self._rows) if r.id == occurrence_id), None)

    # Qt model ---------------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole):  # noqa: ANN201
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(COLUMNS)):
            return COLUMNS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex,  # noqa: ANN201
             role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        state = row.state(self.today)
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return row.due.strftime("%a %-d %b %Y") + (" (moved)" if row.rescheduled else "")
            if column == 1:
                return row.client_name
            if column == 2:
                return row.name
            if column == 3:
                return (row.tier_code or "").capitalize()
            if column == 4:
                if state == "overdue":
                    days = (self.today - row.due).days
                    return f"Overdue {days} day{'s' if days != 1 else ''}"
                if state == "due" and row.due == self.today:
                    return "Due today"
                return STATE_LABELS[state]
            if column == 5:
                return row.outcome_label
            if column == 6:
                return row.done_by_name
            if column == 7:
                parts = [row.notes] if row.notes else []
                parts.extend(row.figure_lines)
                return " · ".join(parts)
            return None
        if role == Qt.ItemDataRole.ToolTipRole and column == 7:
            parts = [row.notes] if row.notes else []
            parts.extend(row.figure_lines)
            # escaped rich text: notes are the user's words and must show as typed
            return ("<qt>" + "<br>".join(html.escape(p) for p in parts) + "</qt>") if parts else None
        if role == Qt.ItemDataRole.ForegroundRole and column == 4:
            colour = due_colour(row.due, self.today) if state == "due" else COLOURS[state]
            return QBrush(colour)
        if role == Qt.ItemDataRole.BackgroundRole and column == 4:
            colour = QColor(due_colour(row.due, self.today) if state == "due"
                            else COLOURS[state])
            colour.setAlpha(40)
            return QBrush(colour)
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.AccessibleTextRole and column == 4:
            return STATE_LABELS[state]
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by a column (ties by due date, client, task), e.g. by task to select a month's
        security scans for every client at once."""
        keys = {
            0: lambda r: (r.due,),
            1: lambda r: (r.client_name.lower(),),
            2: lambda r: (r.name.lower(),),
            3: lambda r: (r.tier_code or "",),
            4: lambda r: ({"overdue": 0, "due": 1, "done": 2}[r.state(self.today)],),
            5: lambda r: (r.outcome or "",),
            6: lambda r: (r.done_by_name.lower(),),
            7: lambda r: (r.notes.lower(),),
        }
        primary = keys.get(column, keys[0])
        self.layoutAboutToBeChanged.emit()
        # ties keep the schedule's order: due date, client, then the tier's task order
        self._rows.sort(key=lambda r: primary(r) + (r.due, r.client_name.lower(), r.id),
                        reverse=order == Qt.SortOrder.DescendingOrder)
        self.layoutChanged.emit()

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
