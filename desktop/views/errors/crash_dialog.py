"""What the user sees when a bug escapes (DESIGN §9): what happened, where the log is, and
"Copy details" — never a bare traceback in their face."""
from __future__ import annotations

import logging
import traceback
from types import TracebackType

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QPushButton,
                               QVBoxLayout, QWidget)

from desktop import __version__

log = logging.getLogger("aftercare.crash")


class CrashDialog(QDialog):
    def __init__(self, summary: str, details: str, log_path: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Aftercare ran into a problem")
        self.details = details
        layout = QVBoxLayout(self)
        headline = QLabel("<b>Something went wrong inside Aftercare.</b>")
        layout.addWidget(headline)
        text = QLabel(f"{summary}<br><br>Your saved work is safe: every change is saved when you "
                      "confirm it. The details were written to the log:<br>"
                      f"<code>{log_path}</code>")
        text.setTextFormat(text.textFormat().RichText)
        text.setWordWrap(True)
        layout.addWidget(text)
        self.detail_view = QPlainTextEdit(details)
        self.detail_view.setReadOnly(True)
        self.detail_view.setVisible(False)
        layout.addWidget(self.detail_view)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton("Copy details")
        self.copy_button.clicked.connect(self.copy_details)
        show = QPushButton("Show details")
        show.setCheckable(True)
        show.toggled.connect(self.detail_view.setVisible)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(show, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(560, 220)

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details)


def describe(exc_type: type[BaseException], exc: BaseException,
             tb: TracebackType | None) -> tuple[str, str]:
    from html import escape

    summary = escape(f"{exc_type.__name__}: {exc}")[:500]
    details = (f"Aftercare {__version__}\n"
               + "".join(traceback.format_exception(exc_type, exc, tb)))
    return summary, details
