"""The strip above the views that says how the database is reached: "connection lost —
reconnecting", "reconnected", or "offline snapshot, read-only" with the snapshot's age."""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

STYLES = {
    # state: (background, border, text colour, symbol)
    "lost": ("#fff4e0", "#e0a030", "#5c3b00", "⚠"),
    "connecting": ("#eef3fb", "#8fa9d6", "#1f3a66", "…"),
    "restored": ("#e7f6ec", "#5fb37a", "#1b4d2b", "✓"),
    "offline": ("#eceff3", "#8a96a8", "#27303d", "⛁"),
}


class ConnectionBanner(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("connection_banner")
        self.state = ""
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 8, 6)
        self.symbol = QLabel()
        self.text = QLabel()
        self.text.setObjectName("connection_banner_text")
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setWordWrap(True)
        self.action = QPushButton()
        self.action.setObjectName("connection_banner_action")
        self.action.hide()
        layout.addWidget(self.symbol)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.action)
        self._callback: Callable[[], None] | None = None
        self.action.clicked.connect(self._clicked)
        self._hide_timer = QTimer(self)
        self._hide_timer.setSingleShot(True)
        self._hide_timer.timeout.connect(self.clear)
        self.hide()

    def show_state(self, state: str, text: str, action: str | None = None,
                   callback: Callable[[], None] | None = None,
                   hide_after_ms: int | None = None) -> None:
        background, border, colour, symbol = STYLES[state]
        self.state = state
        self.setStyleSheet(f"QFrame#connection_banner {{ background: {background}; "
                           f"border-bottom: 1px solid {border}; }} "
                           f"QLabel {{ color: {colour}; }}")
        self.symbol.setText(symbol)
        self.text.setText(text)
        self._callback = callback
        self.action.setVisible(bool(action))
        if action:
            self.action.setText(action)
        self._hide_timer.stop()
        if hide_after_ms:
            self._hide_timer.start(hide_after_ms)
        self.show()

    def clear(self) -> None:
        self.state = ""
        self.text.clear()
        self.hide()

    def _clicked(self) -> None:
        if self._callback is not None:
            self._callback()
