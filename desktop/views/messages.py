"""The only place that opens message boxes (STYLE.md, after qutebrowser's msgbox).

Views call ``dialogs().information(...)`` etc. Tests install a ``ScriptedDialogs`` with
``set_dialogs`` to answer questions without monkeypatching Qt classes.
"""
from __future__ import annotations

from collections import deque

from PySide6.QtWidgets import QMessageBox, QWidget


class Dialogs:
    def information(self, parent: QWidget | None, title: str, text: str) -> None:
        QMessageBox.information(parent, title, text)

    def warning(self, parent: QWidget | None, title: str, text: str) -> None:
        QMessageBox.warning(parent, title, text)

    def error(self, parent: QWidget | None, title: str, text: str) -> None:
        QMessageBox.critical(parent, title, text)

    def question(self, parent: QWidget | None, title: str, text: str) -> bool:
        answer = QMessageBox.question(parent, title, text,
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes


class ScriptedDialogs(Dialogs):
    """Records every message and answers questions from a queue (default: yes)."""

    def __init__(self, answers: list[bool] | None = None) -> None:
        self.answers = deque(answers or [])
        self.shown: list[tuple[str, str, str]] = []

    def information(self, parent, title, text):  # noqa: ANN001
        self.shown.append(("information", title, text))

    def warning(self, parent, title, text):  # noqa: ANN001
        self.shown.append(("warning", title, text))

    def error(self, parent, title, text):  # noqa: ANN001
        self.shown.append(("error", title, text))

    def question(self, parent, title, text):  # noqa: ANN001
        self.shown.append(("question", title, text))
        return self.answers.popleft() if self.answers else True


_dialogs: Dialogs = Dialogs()


def dialogs() -> Dialogs:
    return _dialogs


def set_dialogs(replacement: Dialogs) -> Dialogs:
    global _dialogs
    previous, _dialogs = _dialogs, replacement
    return previous
