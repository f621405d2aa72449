"""The calendar's dialogs: mark one task done (outcome, notes, done-by, the task's figures),
mark several done at once, and reschedule. They collect input and emit it; the view does the
database work on the worker and tells the dialog whether it worked, so nothing typed is lost
when a save is refused."""
from __future__ import annotations

from datetime import date, datetime, tzinfo

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (QButtonGroup, QCalendarWidget, QComboBox, QDialog,
                               QDialogButtonBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel,
                               QPlainTextEdit, QPushButton, QRadioButton, QScrollArea,
                               QVBoxLayout, QWidget)

from desktop.errors import UserError
from desktop.services.maintenance import OccurrenceRow, clean_figures, figure_fields

from .figure_editor import FigureEditor

OUTCOMES = [("ok", "&OK"), ("issues_found", "&Issues found"), ("skipped", "S&kipped")]


def _plain(text: str) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)  # client and task names are the user's text
    label.setWordWrap(True)
    return label


def _with_zone(text: str, zone: tzinfo) -> str:
    """An incident start typed without an offset is taken in the agency's time zone."""
    text = (text or "").strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text  # clean_figures names the problem
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.isoformat(timespec="minutes")


class _OutcomeChoice(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.group = QButtonGroup(self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.buttons: dict[str, QRadioButton] = {}
        for code, label in OUTCOMES:
            button = QRadioButton(label)
            button.setObjectName(f"outcome_{code}")
            self.group.addButton(button)
            self.buttons[code] = button
            layout.addWidget(button)
        layout.addStretch(1)
        self.buttons["ok"].setChecked(True)

    @property
    def value(self) -> str:
        return next(code for code, button in self.buttons.items() if button.isChecked())

    def set_value(self, code: str | None) -> None:
        self.buttons.get(code or "ok", self.buttons["ok"]).setChecked(True)


class _StaffChoice(QComboBox):
    def __init__(self, staff: list[tuple[int, str]], current_id: int | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("done_by")
        for staff_id, name in staff:
            self.addItem(name, staff_id)
        index = self.findData(current_id)
        self.setCurrentIndex(index if index >= 0 else 0)

    @property
    def value(self) -> int | None:
        return self.currentData()


class MarkDoneDialog(QDialog):
    """Mark one occurrence done. ``submitted(payload, go_next)`` carries outcome, notes,
    done_by_id and figures; the view answers with ``saved()`` or ``failed(message)``."""

    submitted = Signal(dict, bool)

    def __init__(self, row: OccurrenceRow, figures: dict, staff: list[tuple[int, str]],
                 current_user_id: int | None, today: date, has_next: bool,
                 parent: QWidget | None = None, zone: tzinfo | None = None) -> None:
        super().__init__(parent)
        self.row = row
        self.zone = zone
        self.setObjectName("mark_done_dialog")
        title = "Edit done task" if row.done_at else "Mark done"
        self.setWindowTitle(f"{title} — {row.name}")
        self.setMinimumWidth(620)

        heading = _plain(f"{row.name} — {row.client_name}")
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        heading.setFont(font)
        state = row.state(today)
        when = row.due.strftime("%A %-d %B %Y")
        subtitle = {"overdue": f"Overdue since {when}", "due": f"Due {when}",
                    "done": f"Done (due {when})"}[state]
        if row.tier_code:
            subtitle += f" · {row.tier_code.capitalize()} contract · {row.period_key}"

        self.outcome = _OutcomeChoice()
        self.outcome.set_value(row.outcome)
        self.done_by = _StaffChoice(staff, row.done_by_id or current_user_id)
        self.notes = QPlainTextEdit(row.notes)
        self.notes.setObjectName("notes")
        self.notes.setPlaceholderText("What was done, in plain words for the client's report")
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(80)

        form = QFormLayout()
        form.addRow("Outcome", self.outcome)
        form.addRow("Done by", self.done_by)
        form.addRow("Notes", self.notes)

        self.figures: FigureEditor | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(_plain(subtitle))
        layout.addLayout(form)
        if figure_fields(row.task):
            self.figures = FigureEditor(row.task, min(today, row.due) if state != "done"
                                        else row.due)
            self.figures.set_values(figures)
            box = QGroupBox("Figures for the report")
            box_layout = QVBoxLayout(box)
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QScrollArea.Shape.NoFrame)
            scroll.setWidget(self.figures)
            box_layout.addWidget(scroll)
            if any(f.key == "incidents" for f in figure_fields(row.task)):
                hint = "Incident start as 2026-06-12 10:30"
                if zone is not None:
                    hint += f" ({getattr(zone, 'key', zone)} time unless you add an offset)"
                box_layout.addWidget(_plain(hint))
            layout.addWidget(box, 1)
            self.resize(680, 620)
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c62828; font-weight: bold;")
        self.error.hide()
        layout.addWidget(self.error)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = QPushButton("&Save")
        self.save_button.setObjectName("save")
        self.save_button.setDefault(True)
        self.next_button = QPushButton("Save and &next")
        self.next_button.setObjectName("save_next")
        self._has_next = has_next
        self.next_button.setEnabled(has_next)
        self.next_button.setToolTip("Save, then open the next task that is not done")
        self.buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.next_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.save_button.clicked.connect(lambda: self._submit(False))
        self.next_button.clicked.connect(lambda: self._submit(True))
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def payload(self) -> dict:
        figures = self.figures.values() if self.figures else None
        if figures and self.zone is not None:
            for incident in figures.get("incidents") or []:
                incident["start"] = _with_zone(incident.get("start", ""), self.zone)
        return {"outcome": self.outcome.value, "notes": self.notes.toPlainText(),
                "done_by_id": self.done_by.value, "figures": figures}

    def _submit(self, go_next: bool) -> None:
        data = self.payload()
        # the figures' rules are plain Python: check them here so the form says what is wrong
        try:
            if data["figures"] is not None and data["outcome"] != "skipped":
                clean_figures(self.row.task, data["figures"])
            if data["outcome"] == "skipped" and not data["notes"].strip():
                raise UserError("say in the notes why this task was skipped")
        except UserError as exc:
            self.failed(str(exc))
            return
        self.set_busy(True)
        self.submitted.emit(data, go_next)

    def set_busy(self, busy: bool) -> None:
        self.save_button.setEnabled(not busy)
        self.next_button.setEnabled(not busy and self._has_next)

    def failed(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
        self.set_busy(False)

    def conflict(self, theirs: OccurrenceRow) -> None:
        """Show the version someone else saved; the next Save writes this form over it."""
        if theirs.done_at is not None:
            who = theirs.done_by_name or "someone"
            lines = [f"{who} saved this task meanwhile: {theirs.outcome_label or 'done'}"
                     f" on {theirs.done_at.date().isoformat()}."]
            if theirs.notes:
                lines.append(f"Their notes: {theirs.notes}")
            lines.extend(theirs.figure_lines[:4])
        else:
            lines = [f"Someone changed this task meanwhile (now due "
                     f"{theirs.due.strftime('%-d %b %Y')}, not done)."]
        lines.append("Save again to keep your version, or Cancel to keep theirs.")
        self.row = theirs  # its version: the next save is a deliberate overwrite
        self.failed("\n".join(lines))

    def saved(self) -> None:
        self.accept()


class BulkMarkDoneDialog(QDialog):
    """Mark several selected tasks done with one outcome, note and person."""

    submitted = Signal(dict)

    def __init__(self, rows: list[OccurrenceRow], staff: list[tuple[int, str]],
                 current_user_id: int | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows = rows
        self.setObjectName("bulk_mark_done_dialog")
        self.setWindowTitle(f"Mark {len(rows)} tasks done")
        self.setMinimumWidth(520)
        clients = len({r.client_id for r in rows})
        needing = [r for r in rows if any(f.required for f in figure_fields(r.task))]
        text = (f"{len(rows)} tasks for {clients} client{'s' if clients != 1 else ''} will be "
                "marked done with the outcome, person and note below.")
        if needing:
            text += (f" {len(needing)} of them record figures (backups, uptime, performance) "
                     "and will be left for their own form unless you mark them skipped.")
        self.outcome = _OutcomeChoice()
        self.done_by = _StaffChoice(staff, current_user_id)
        self.notes = QPlainTextEdit()
        self.notes.setObjectName("notes")
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(70)
        self.notes.setPlaceholderText("One note for all of them (optional unless skipped)")
        form = QFormLayout()
        form.addRow("Outcome", self.outcome)
        form.addRow("Done by", self.done_by)
        form.addRow("Notes", self.notes)
        self.error = QLabel()
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setStyleSheet("color: #c62828; font-weight: bold;")
        self.error.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.needing = len(needing)
        self.outcome.group.buttonToggled.connect(lambda *_: self._update_button())
        self._update_button()
        buttons.accepted.connect(self._submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(_plain(text))
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _update_button(self) -> None:
        count = len(self.rows) if self.outcome.value == "skipped" else len(self.rows) - self.needing
        self.ok_button.setText(f"Mark {count} done" if self.outcome.value != "skipped"
                               else f"Mark {count} skipped")
        self.ok_button.setEnabled(count > 0)

    def _submit(self) -> None:
        data = {"outcome": self.outcome.value, "notes": self.notes.toPlainText(),
                "done_by_id": self.done_by.value}
        if data["outcome"] == "skipped" and not data["notes"].strip():
            self.failed("say in the notes why these tasks were skipped")
            return
        self.submitted.emit(data)

    def failed(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def saved(self) -> None:
        self.accept()


class RescheduleDialog(QDialog):
    """Pick another day for an undone task, within its contract."""

    submitted = Signal(object)  # date

    def __init__(self, row: OccurrenceRow, bounds: tuple[date, date] | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.row = row
        self.setObjectName("reschedule_dialog")
        self.setWindowTitle(f"Reschedule — {row.name}")
        self.calendar = QCalendarWidget()
        self.calendar.setObjectName("new_due")
        self.calendar.setGridVisible(True)
        self.calendar.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
        self.calendar.setVerticalHeaderFormat(
            QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
        self.calendar.setSelectedDate(QDate(row.due.year, row.due.month, row.due.day))
        if bounds is not None:
            self.calendar.setDateRange(QDate(bounds[0].year, bounds[0].month, bounds[0].day),
                                       QDate(bounds[1].year, bounds[1].month, bounds[1].day))
        self.error = QLabel()
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setStyleSheet("color: #c62828; font-weight: bold;")
        self.error.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Move")
        buttons.accepted.connect(self._submit)
        buttons.rejected.connect(self.reject)
        self.calendar.activated.connect(lambda _d: self._submit())
        layout = QVBoxLayout(self)
        layout.addWidget(_plain(f"{row.name} — {row.client_name}, now due "
                                f"{row.due.strftime('%A %-d %B %Y')}"))
        layout.addWidget(self.calendar)
        if bounds is not None:
            layout.addWidget(_plain(f"The contract runs {bounds[0].strftime('%-d %b %Y')} to "
                                    f"{bounds[1].strftime('%-d %b %Y')}."))
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    @property
    def new_due(self) -> date:
        return self.calendar.selectedDate().toPython()

    def set_new_due(self, day: date) -> None:
        self.calendar.setSelectedDate(QDate(day.year, day.month, day.day))

    def _submit(self) -> None:
        self.submitted.emit(self.new_due)

    def failed(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def saved(self) -> None:
        self.accept()
