"""A figure on the dashboard: a title, a big number, a line of detail; it clicks through (mouse,
Enter or Space) to the list behind it."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget


class FigureCard(QFrame):
    clicked = Signal()

    def __init__(self, name: str, title: str, accent: str = "#1565c0",
                 tooltip: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"card_{name}")
        self.accent = accent
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMinimumSize(150, 96)
        self.setToolTip(tooltip)
        self.title = QLabel(title)
        self.title.setObjectName("card_title")
        self.title.setWordWrap(True)
        self.value = QLabel("…")
        self.value.setObjectName("card_value")
        self.detail = QLabel("")
        self.detail.setObjectName("card_detail")
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(2)
        layout.addWidget(self.title)
        layout.addWidget(self.value)
        layout.addWidget(self.detail)
        layout.addStretch(1)
        self._style(False)

    def _style(self, alert: bool) -> None:
        colour = self.accent if alert else "#263238"
        size = 26 if len(self.value.text()) <= 8 else 20
        self.setStyleSheet(
            f"QFrame#{self.objectName()} {{ background: white; border: 1px solid #cfd8dc; "
            f"border-left: 5px solid {self.accent}; border-radius: 6px; }}"
            f"QFrame#{self.objectName()}:focus {{ border: 2px solid #1565c0; "
            f"border-left: 5px solid {self.accent}; }}"
            f"QFrame#{self.objectName()}:hover {{ background: #f5f9ff; }}"
            "QLabel#card_title { color: #546e7a; font-size: 12px; font-weight: 600; "
            "border: none; background: transparent; }"
            f"QLabel#card_value {{ color: {colour}; font-size: {size}px; font-weight: 600; "
            "border: none; background: transparent; }"
            "QLabel#card_detail { color: #607d8b; font-size: 11px; border: none; "
            "background: transparent; }")

    def set_figure(self, value: str, detail: str = "", alert: bool = False) -> None:
        """Show ``value``; ``alert`` colours it with the card's accent (something to act on)."""
        self.value.setText(value)
        self.detail.setText(detail)
        self._style(alert)
        self.setAccessibleName(f"{self.title.text()}: {value}. {detail}")

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(
                event.position().toPoint()):
            self.clicked.emit()
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.clicked.emit()
            event.accept()
            return
        super().keyPressEvent(event)
