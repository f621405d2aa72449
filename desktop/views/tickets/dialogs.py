"""Small dialogs of the ticket workspace: log time, override coverage, follow-up result."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (QButtonGroup, QComboBox, QDateEdit, QDialog, QDialogButtonBox,
                               QFormLayout, QHBoxLayout, QLabel, QPlainTextEdit, QRadioButton,
                               QSpinBox, QVBoxLayout, QWidget)

from desktop.services.tickets import CATEGORY_LABELS


def _buttons(dialog: QDialog, ok_text: str) -> QDialogButtonBox:
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                           | QDialogButtonBox.StandardButton.Cancel)
    ok = box.button(QDialogButtonBox.StandardButton.Ok)
    ok.setText(ok_text)
    ok.setProperty("primary", True)
    box.accepted.connect(dialog.accept)
    box.rejected.connect(dialog.reject)
    return box


class LogTimeDialog(QDialog):
    def __init__(self, category: str, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Log time")
        form = QFormLayout()
        duration = QHBoxLayout()
        self.hours = QSpinBox()
        self.hours.setRange(0, 24)
        self.hours.setSuffix(" h")
        self.minutes = QSpinBox()
        self.minutes.setRange(0, 55)
        self.minutes.setSingleStep(5)
        self.minutes.setSuffix(" min")
        self.minutes.setValue(30)
        duration.addWidget(self.hours)
        duration.addWidget(self.minutes)
        duration.addStretch(1)
        form.addRow("&Time spent", duration)
        self.work_date = QDateEdit(QDate(today.year, today.month, today.day))
        self.work_date.setCalendarPopup(True)
        self.work_date.setDisplayFormat("d MMM yyyy")
        form.addRow("&Date", self.work_date)
        self.category = QComboBox()
        for code, label in CATEGORY_LABELS.items():
            self.category.addItem(label, code)
        self.category.setCurrentIndex(max(0, self.category.findData(category)))
        form.addRow("&Category", self.category)
        self.note = QPlainTextEdit()
        self.note.setPlaceholderText("What was done (shown in the client's report)")
        self.note.setFixedHeight(70)
        form.addRow("&Note", self.note)
        hint = QLabel("Content-update time beyond the month's allowance is billable.")
        hint.setProperty("role", "muted")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        self.box = _buttons(self, "Log time")
        layout.addWidget(self.box)
        self.hours.valueChanged.connect(self._validate)
        self.minutes.valueChanged.connect(self._validate)

    def _validate(self) -> None:
        self.box.button(QDialogButtonBox.StandardButton.Ok).setEnabled(self.total_minutes() > 0)

    def total_minutes(self) -> int:
        return self.hours.value() * 60 + self.minutes.value()

    def values(self) -> dict:
        d = self.work_date.date()
        return {"minutes": self.total_minutes(), "work_date": date(d.year(), d.month(), d.day()),
                "category": self.category.currentData(), "note": self.note.toPlainText()}


class OverrideDialog(QDialog):
    """The manager's coverage override: a verdict and the written reason the audit keeps."""

    def __init__(self, computed_in_scope: bool, reason: str, current: bool | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Override coverage")
        layout = QVBoxLayout(self)
        verdict = "in scope" if computed_in_scope else "out of scope / billable"
        computed = QLabel(f"Computed verdict: <b>{verdict}</b><br>{_escape(reason)}")
        computed.setWordWrap(True)
        layout.addWidget(computed)
        self.group = QButtonGroup(self)
        self.in_scope = QRadioButton("Treat as &in scope (covered by the contract)")
        self.out_scope = QRadioButton("Treat as &out of scope (billable)")
        self.remove = QRadioButton("&Remove the override (use the computed verdict)")
        for i, button in enumerate((self.in_scope, self.out_scope, self.remove)):
            self.group.addButton(button, i)
            layout.addWidget(button)
        if current is None:
            (self.out_scope if computed_in_scope else self.in_scope).setChecked(True)
            self.remove.setEnabled(False)
        else:
            self.remove.setChecked(True)
        layout.addWidget(QLabel("&Reason (kept in the audit trail):"))
        self.reason = QPlainTextEdit()
        self.reason.setFixedHeight(70)
        layout.itemAt(layout.count() - 1).widget().setBuddy(self.reason)
        layout.addWidget(self.reason)
        self.box = _buttons(self, "Override")
        layout.addWidget(self.box)
        self.reason.textChanged.connect(self._validate)
        self._validate()

    def _validate(self) -> None:
        self.box.button(QDialogButtonBox.StandardButton.Ok).setEnabled(
            bool(self.reason.toPlainText().strip()))

    def values(self) -> dict:
        verdict = {0: True, 1: False, 2: None}[self.group.checkedId()]
        return {"in_scope": verdict, "reason": self.reason.toPlainText()}


class FollowUpDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Satisfaction follow-up")
        form = QFormLayout(self)
        self.rating = QComboBox()
        for value, label in ((5, "5 — very satisfied"), (4, "4 — satisfied"), (3, "3 — neutral"),
                             (2, "2 — dissatisfied"), (1, "1 — very dissatisfied")):
            self.rating.addItem(label, value)
        form.addRow("&Rating", self.rating)
        self.comment = QPlainTextEdit()
        self.comment.setPlaceholderText("What the client said")
        self.comment.setFixedHeight(80)
        form.addRow("&Comment", self.comment)
        form.addRow(_buttons(self, "Record"))

    def values(self) -> dict:
        return {"rating": int(self.rating.currentData()), "comment": self.comment.toPlainText()}


def _escape(text: str) -> str:
    import html

    return html.escape(text or "")


ALIGN_TOP = Qt.AlignmentFlag.AlignTop
