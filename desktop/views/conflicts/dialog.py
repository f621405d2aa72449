"""When a save is refused because someone else saved the row first (``StaleDataError``), the
user sees both versions side by side, field by field, and chooses per field (DESIGN §3
"Concurrent edits"). Nothing is lost: cancelling returns to the form with the words still in it,
and the chosen values are saved against the other person's version, so a third save in between
is caught again.

Typical use in a view's failure callback::

    if isinstance(exc, StaleDataError):
        merged = ask_to_resolve(self, exc, labels=TICKET_FIELD_LABELS)
        if merged is not None:
            runner.run(lambda: save_fields(db, Ticket, "ticket", exc.row_id,
                                           exc.theirs_version, merged), on_saved, on_failed)
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QButtonGroup, QDialog, QDialogButtonBox, QFrame, QGridLayout,
                               QHBoxLayout, QLabel, QPushButton, QRadioButton, QScrollArea, QVBoxLayout,
                               QWidget)

from desktop.errors import StaleDataError

MINE, THEIRS = 0, 1


def field_label(name: str, labels: dict[str, str] | None = None) -> str:
    if labels and name in labels:
        return labels[name]
    return name.replace("_id", "").replace("_", " ").capitalize()


def format_value(value: Any) -> str:
    """How a field's value reads in the dialog (plain text; the label never renders HTML)."""
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, Decimal):
        from desktop.services.money import format_money

        return format_money(value)
    if isinstance(value, datetime):
        return value.astimezone().strftime("%d %b %Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d %b %Y")
    if isinstance(value, (dict, list)):
        import json

        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def conflicting_fields(error: StaleDataError) -> list[str]:
    """The fields the user changed whose saved value now differs from theirs."""
    return [name for name, value in error.mine.items() if error.theirs.get(name) != value]


def changed_only_by_them(error: StaleDataError) -> list[str]:
    """Fields the other person changed and the user did not touch (kept as they saved them)."""
    base = getattr(error, "base", {}) or {}
    return [name for name, value in error.theirs.items()
            if name in base and base[name] != value and name not in error.mine
            and name not in ("updated_at",)]


class ValueLabel(QLabel):
    """A field's value as plain text (never HTML, never a mnemonic), wrapped; clicking it
    chooses its side."""

    def __init__(self, text: str, choice: QRadioButton) -> None:
        super().__init__(text)
        self.choice = choice
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setMinimumWidth(220)

    def mousePressEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt override
        self.choice.setChecked(True)
        super().mousePressEvent(event)


class ConflictDialog(QDialog):
    """Your version and theirs, one row per conflicting field, a choice per row."""

    def __init__(self, error: StaleDataError, labels: dict[str, str] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.error = error
        self.labels = labels
        kind = error.kind or "record"
        self.setWindowTitle(f"Someone else changed this {kind}")
        self.setObjectName("conflict_dialog")
        self.resize(760, 420)
        self._groups: dict[str, QButtonGroup] = {}

        layout = QVBoxLayout(self)
        intro = QLabel(f"This {kind} was saved by someone else while you were editing it, so "
                       "your changes were not saved yet. For each field, choose the version "
                       "to keep; then save.")
        intro.setWordWrap(True)
        intro.setObjectName("conflict_intro")
        layout.addWidget(intro)

        grid_host = QWidget()
        grid = QGridLayout(grid_host)
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(10)
        for column, heading in enumerate(("Field", "Your version", "Their version (saved)")):
            label = QLabel(f"<b>{heading}</b>")
            grid.addWidget(label, 0, column)
        row = 1
        for name in conflicting_fields(error):
            name_label = QLabel(field_label(name, labels))
            name_label.setTextFormat(Qt.TextFormat.PlainText)
            name_label.setAlignment(Qt.AlignmentFlag.AlignTop)
            font = name_label.font()
            font.setBold(True)
            name_label.setFont(font)
            grid.addWidget(name_label, row, 0)
            group = QButtonGroup(self)
            for column, value in ((1, error.mine.get(name)), (2, error.theirs.get(name))):
                side = "mine" if column == 1 else "theirs"
                choice = QRadioButton()
                choice.setObjectName(f"{side}_{name}")
                text = ValueLabel(format_value(value), choice)
                text.setObjectName(f"{side}_{name}_text")
                cell = QWidget()
                cell_layout = QHBoxLayout(cell)
                cell_layout.setContentsMargins(0, 0, 0, 0)
                cell_layout.addWidget(choice, 0, Qt.AlignmentFlag.AlignTop)
                cell_layout.addWidget(text, 1)
                group.addButton(choice, MINE if column == 1 else THEIRS)
                grid.addWidget(cell, row, column)
            group.button(MINE).setChecked(True)
            self._groups[name] = group
            row += 1
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        grid.setRowStretch(row, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.StyledPanel)
        scroll.setWidget(grid_host)
        layout.addWidget(scroll, 1)

        theirs_only = changed_only_by_them(error)
        if theirs_only:
            names = ", ".join(f"{field_label(n, labels)} (now {format_value(error.theirs[n])})"
                              for n in theirs_only)
            note = QLabel(f"They also changed: {names}. Those changes are kept.")
            note.setTextFormat(Qt.TextFormat.PlainText)
            note.setWordWrap(True)
            note.setObjectName("conflict_theirs_only")
            layout.addWidget(note)
        if not self._groups:
            none = QLabel("Your changes and theirs agree; saving keeps them.")
            none.setObjectName("conflict_none")
            layout.addWidget(none)

        buttons = QDialogButtonBox()
        self.all_mine = QPushButton("Keep all &mine")
        self.all_theirs = QPushButton("Take all &theirs")
        self.save_button = QPushButton("&Save my choices")
        self.save_button.setDefault(True)
        buttons.addButton(self.all_mine, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.all_theirs, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.all_mine.clicked.connect(lambda: self.choose_all(MINE))
        self.all_theirs.clicked.connect(lambda: self.choose_all(THEIRS))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def choose(self, name: str, side: int) -> None:
        self._groups[name].button(side).setChecked(True)

    def choose_all(self, side: int) -> None:
        for group in self._groups.values():
            group.button(side).setChecked(True)

    def choices(self) -> dict[str, Any]:
        """The values to save: per conflicting field the chosen side; the user's other
        changes (where both sides agree) as they are."""
        merged = dict(self.error.mine)
        for name, group in self._groups.items():
            if group.checkedId() == THEIRS:
                merged[name] = self.error.theirs.get(name)
        return merged


def ask_to_resolve(parent: QWidget | None, error: StaleDataError,
                   labels: dict[str, str] | None = None) -> dict[str, Any] | None:
    """Show the conflict dialog; the merged values to save, or None when the user cancels
    (their input stays in the form)."""
    dialog = ConflictDialog(error, labels, parent)
    try:
        if dialog.exec() == QDialog.DialogCode.Accepted:
            return dialog.choices()
        return None
    finally:
        dialog.deleteLater()
