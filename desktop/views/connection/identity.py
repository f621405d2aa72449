"""Who am I on this database (issue 7): on first use of a database the user picks or creates
their staff identity, defaulting to the OS login name; assignee, event authors and "done by"
use it. The choice is remembered per database in the window settings."""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QLabel, QVBoxLayout,
                               QWidget)
from sqlalchemy import select

IDENTITIES_KEY = "identities"

# (existing staff user names, the default, parent) -> chosen name or None (cancelled)
Chooser = Callable[[list[str], str, "QWidget | None"], "str | None"]


class IdentityDialog(QDialog):
    def __init__(self, names: list[str], default: str, database: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Who are you on this database?")
        self.setObjectName("identity_dialog")
        layout = QVBoxLayout(self)
        intro = QLabel(f"Tickets you answer, assign and complete on {database} are signed with "
                       "your staff name. Pick yours, or type a new one.")
        intro.setTextFormat(intro.textFormat().PlainText)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.names = QComboBox()
        self.names.setObjectName("identity_name")
        self.names.setEditable(True)
        self.names.addItems(names if default in names else [default, *names])
        self.names.setCurrentText(default)
        layout.addWidget(self.names)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok |
                                   QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def chosen(self) -> str:
        return " ".join(self.names.currentText().split())


def nobody_can_answer() -> bool:
    """On the offscreen / minimal platforms (tests, scripted runs) no one can answer a modal
    question: the default is taken instead of waiting forever."""
    from PySide6.QtGui import QGuiApplication

    if QGuiApplication.instance() is None:
        return True
    return QGuiApplication.platformName() in ("offscreen", "minimal")


def _dialog_chooser(names: list[str], default: str, parent: QWidget | None,
                    database: str = "") -> str | None:
    if nobody_can_answer():
        return None
    dialog = IdentityDialog(names, default, database or "this database", parent)
    try:
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.chosen():
            return dialog.chosen()
        return None
    finally:
        dialog.deleteLater()


_chooser: Chooser = _dialog_chooser


def set_identity_chooser(chooser: Chooser) -> Chooser:
    """Tests answer the picker without a modal dialog."""
    global _chooser
    previous, _chooser = _chooser, chooser
    return previous


def identity_key(db) -> str:  # noqa: ANN001
    """The database as the identities are remembered: the offline snapshot counts as the
    shared database it copies."""
    snapshot = getattr(db, "snapshot", None)
    return snapshot.source if snapshot is not None else db.display_name


def remembered_identity(ui, db) -> str | None:  # noqa: ANN001
    return (ui.document(IDENTITIES_KEY, {}) or {}).get(identity_key(db))


def remember_identity(ui, db, username: str) -> None:  # noqa: ANN001
    identities = dict(ui.document(IDENTITIES_KEY, {}) or {})
    identities[identity_key(db)] = username
    ui.set_document(IDENTITIES_KEY, identities)


def choose_identity(db, ui, parent: QWidget | None = None) -> str:  # noqa: ANN001
    """The staff user name to work as on ``db``: remembered, else asked when the database
    already has staff users (a team), else the OS login name."""
    from desktop.models import StaffUser
    from desktop.services.staff import os_login

    remembered = remembered_identity(ui, db)
    if remembered:
        return remembered
    default = os_login()
    with db.session() as session:
        names = list(session.scalars(select(StaffUser.username)
                                     .where(StaffUser.active.is_(True))
                                     .order_by(StaffUser.username)))
    if db.read_only:  # nothing is signed on the snapshot: no need to ask
        return default
    username = default
    if names and names != [default]:
        picked = _chooser(names, default, parent)
        username = picked or default
    remember_identity(ui, db, username)
    return username
