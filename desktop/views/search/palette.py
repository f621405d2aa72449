"""Ctrl+K: search everything (tickets by number, title or description; clients by name) from
anywhere in the window, and jump to what was found."""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (QDialog, QLabel, QLineEdit, QListWidget, QListWidgetItem,
                               QVBoxLayout, QWidget)

from desktop.services.search import SearchHit, global_search

from ..style import priority_icon
from ..worker import describe_error


class SearchPalette(QDialog):
    """``chosen(kind, id)`` when the user picks a result ("ticket" or "client")."""

    chosen = Signal(str, int)
    results_shown = Signal()

    def __init__(self, context, parent: QWidget | None = None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.context = context
        self.setObjectName("search_palette")
        self.setWindowTitle("Search everything")
        self.resize(620, 380)
        layout = QVBoxLayout(self)
        self.field = QLineEdit()
        self.field.setObjectName("search_field")
        self.field.setPlaceholderText("Ticket number, words of a title, a client's name…")
        self.field.setClearButtonEnabled(True)
        layout.addWidget(self.field)
        self.results = QListWidget()
        self.results.setObjectName("search_results")
        self.results.setUniformItemSizes(True)
        layout.addWidget(self.results, 1)
        self.hint = QLabel("↑↓ to move · Enter to open · Esc to close")
        self.hint.setProperty("role", "muted")
        layout.addWidget(self.hint)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(150)
        self._timer.timeout.connect(self._search)
        self._generation = 0
        self.hits: list[SearchHit] = []
        self.field.textChanged.connect(lambda _: self._timer.start())
        self.field.returnPressed.connect(self.open_current)
        self.results.itemActivated.connect(lambda _item: self.open_current())
        self.field.installEventFilter(self)

    def popup(self) -> None:
        parent = self.parentWidget()
        if parent is not None:
            geometry = parent.geometry()
            self.move(geometry.x() + (geometry.width() - self.width()) // 2, geometry.y() + 80)
        self.show()
        from PySide6.QtGui import QGuiApplication

        if QGuiApplication.platformName() != "offscreen":
            self.raise_()
            self.activateWindow()
        self.field.setFocus()
        self.field.selectAll()

    def eventFilter(self, obj, event) -> bool:  # noqa: ANN001, N802 - Qt override
        from PySide6.QtCore import QEvent

        if obj is self.field and event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up) and self.results.count():
                row = self.results.currentRow() + (1 if key == Qt.Key.Key_Down else -1)
                self.results.setCurrentRow(max(0, min(row, self.results.count() - 1)))
                return True
        return super().eventFilter(obj, event)

    def _search(self) -> None:
        text = self.field.text().strip()
        self._generation += 1
        generation = self._generation
        if not text:
            self._show([], generation)
            return
        db = self.context.db

        def work():
            with db.session() as session:
                return global_search(session, text)

        self.context.runner.run(work, lambda hits: self._show(hits, generation),
                                lambda exc: self._failed(exc, generation))

    def _failed(self, exc: BaseException, generation: int) -> None:
        if generation == self._generation:
            self.results.clear()
            self.hint.setText(describe_error(exc))

    def _show(self, hits: list[SearchHit], generation: int) -> None:
        if generation != self._generation:
            return
        self.hits = hits
        self.results.clear()
        for hit in hits:
            item = QListWidgetItem(f"{hit.title}\n{hit.detail}")
            if hit.priority:
                item.setIcon(priority_icon(hit.priority))
            item.setToolTip(hit.title)
            self.results.addItem(item)
        if hits:
            self.results.setCurrentRow(0)
            self.hint.setText(f"{len(hits)} found · Enter to open · Esc to close")
        elif self.field.text().strip():
            self.hint.setText("Nothing found")
        self.results_shown.emit()

    def open_current(self) -> None:
        row = self.results.currentRow()
        if 0 <= row < len(self.hits):
            hit = self.hits[row]
            self.hide()
            self.chosen.emit(hit.kind, hit.id)
