"""The ticket workspace (DESIGN §4 "Opening a ticket"): fields, coverage verdict and override,
the timeline of every event, a composer for public replies and internal notes, status actions
offering only legal transitions, priority, assignee, time logging and the follow-up result.

All database work runs on the worker (``context.runner``); a failure is told in one sentence
and the ticket is reloaded, so what is shown is what is stored.
"""
from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime, timezone

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QButtonGroup, QComboBox, QFrame, QHBoxLayout, QLabel,
                               QPlainTextEdit, QPushButton, QRadioButton, QSplitter, QTextBrowser, QToolButton, QVBoxLayout, QWidget)

from desktop.errors import StaleDataError
from desktop.services import tickets as ops
from desktop.services.catalog import PRIORITY_COLOURS, PRIORITY_HELP
from desktop.services.queue import format_minutes

from ..messages import dialogs
from ..style import SLA_COLOURS, priority_icon
from ..worker import describe_error
from .dialogs import FollowUpDialog, LogTimeDialog, OverrideDialog

UTC = timezone.utc
TIER_NAMES = {"warranty": "Warranty", "basic": "Basic", "standard": "Standard",
              "premium": "Premium"}
STATE_WORDS = {"met": "met", "breached": "breached", "at_risk": "at risk",
               "running": "running", "paused": "paused"}


def esc(text: str) -> str:
    return html.escape(text or "", quote=False)


def _chip(text: str, colour: str, background: str) -> str:
    return (f'<span style="color:{colour}; background-color:{background};">'
            f'&nbsp;{esc(text)}&nbsp;</span>')


class TicketWorkspace(QWidget):
    """One ticket, worked. ``changed(ticket_id)`` after a successful operation;
    ``close_requested`` when the user closes it (Esc)."""

    changed = Signal(int)
    loaded = Signal(int)
    close_requested = Signal()
    operation_failed = Signal(str)

    def __init__(self, context, parent: QWidget | None = None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.context = context
        self.detail: ops.TicketDetail | None = None
        self.zone = context.agency.zone
        self._staff: list[tuple[int, str]] = []
        self._updating = False
        self._clear_composer_on_success = False
        self.setObjectName("ticket_workspace")
        self.setMinimumWidth(420)
        self._build()
        self.setEnabled(False)

    # --- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(10, 8, 10, 8)
        outer.setSpacing(6)

        top = QHBoxLayout()
        self.heading = QLabel("No ticket open")
        self.heading.setProperty("role", "heading")
        self.heading.setWordWrap(True)
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        top.addWidget(self.heading, 1)
        self.close_button = QToolButton()
        self.close_button.setText("✕")
        self.close_button.setToolTip("Close the ticket (Esc)")
        self.close_button.setAutoRaise(True)
        self.close_button.clicked.connect(self.close_requested.emit)
        top.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        outer.addLayout(top)

        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setWordWrap(True)
        outer.addWidget(self.summary)

        # status actions, priority, assignee
        actions = QHBoxLayout()
        actions.setSpacing(6)
        self.status_bar = QHBoxLayout()
        self.status_bar.setSpacing(4)
        actions.addLayout(self.status_bar)
        actions.addStretch(1)
        self.priority = QComboBox()
        self.priority.setObjectName("priority")
        for code, label in ops.PRIORITY_LABELS.items():
            definition, examples = PRIORITY_HELP[code]
            self.priority.addItem(priority_icon(code), label, code)
            index = self.priority.count() - 1
            self.priority.setItemData(index, f"{definition}: {', '.join(examples)}",
                                      Qt.ItemDataRole.ToolTipRole)
        self.priority.setToolTip("Priority (changing it re-measures the SLA from creation)")
        self.priority.activated.connect(self._priority_chosen)
        priority_label = QLabel("&Priority")
        priority_label.setBuddy(self.priority)
        self.assignee = QComboBox()
        self.assignee.setObjectName("assignee")
        self.assignee.setMinimumWidth(120)
        self.assignee.activated.connect(self._assignee_chosen)
        assignee_label = QLabel("Assi&gnee")
        assignee_label.setBuddy(self.assignee)
        outer.addLayout(actions)
        people = QHBoxLayout()
        people.addWidget(priority_label)
        people.addWidget(self.priority)
        people.addSpacing(12)
        people.addWidget(assignee_label)
        people.addWidget(self.assignee, 1)
        outer.addLayout(people)

        # fields and coverage
        self.fields = QLabel()
        self.fields.setTextFormat(Qt.TextFormat.RichText)
        self.fields.setWordWrap(True)
        self.fields.setProperty("role", "muted")
        outer.addWidget(self.fields)
        self.coverage = QFrame()
        self.coverage.setProperty("role", "banner-info")
        cov = QHBoxLayout(self.coverage)
        cov.setContentsMargins(8, 4, 8, 4)
        self.coverage_label = QLabel()
        self.coverage_label.setWordWrap(True)
        self.coverage_label.setTextFormat(Qt.TextFormat.RichText)
        cov.addWidget(self.coverage_label, 1)
        self.override_button = QPushButton("Override…")
        self.override_button.setToolTip("Override the coverage verdict with a written reason")
        self.override_button.clicked.connect(self.override_dialog)
        cov.addWidget(self.override_button)
        outer.addWidget(self.coverage)

        tools = QHBoxLayout()
        self.log_button = QPushButton("&Log time…")
        self.log_button.setToolTip("Log time on this ticket (Ctrl+T)")
        self.log_button.clicked.connect(self.log_time_dialog)
        self.follow_button = QPushButton("&Follow-up…")
        self.follow_button.setToolTip("Record the satisfaction follow-up (rating and comment)")
        self.follow_button.clicked.connect(self.follow_up_dialog)
        self.time_label = QLabel()
        self.time_label.setProperty("role", "muted")
        tools.addWidget(self.log_button)
        tools.addWidget(self.follow_button)
        tools.addWidget(self.time_label, 1)
        outer.addLayout(tools)

        split = QSplitter(Qt.Orientation.Vertical)
        self.timeline = QTextBrowser()
        self.timeline.setObjectName("timeline")
        self.timeline.setOpenLinks(False)
        split.addWidget(self.timeline)

        composer = QWidget()
        comp = QVBoxLayout(composer)
        comp.setContentsMargins(0, 4, 0, 0)
        modes = QHBoxLayout()
        self.mode_group = QButtonGroup(self)
        self.reply_mode = QRadioButton("Public &reply")
        self.reply_mode.setToolTip("Sent to the client; the first reply stops the response clock")
        self.note_mode = QRadioButton("Internal &note")
        self.note_mode.setToolTip("Only staff see it; no clock stops")
        self.reply_mode.setChecked(True)
        self.mode_group.addButton(self.reply_mode)
        self.mode_group.addButton(self.note_mode)
        modes.addWidget(self.reply_mode)
        modes.addWidget(self.note_mode)
        modes.addStretch(1)
        self.send_button = QPushButton("Send reply")
        self.send_button.setProperty("primary", True)
        self.send_button.setToolTip("Ctrl+Enter")
        self.send_button.clicked.connect(self.send)
        modes.addWidget(self.send_button)
        comp.addLayout(modes)
        self.composer = QPlainTextEdit()
        self.composer.setObjectName("composer")
        self.composer.setPlaceholderText("Write a reply to the client… (Ctrl+Enter sends)")
        comp.addWidget(self.composer)
        split.addWidget(composer)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setSizes([400, 140])
        self.splitter = split
        outer.addWidget(split, 1)
        self.reply_mode.toggled.connect(self._mode_changed)
        self.composer.textChanged.connect(self._composer_changed)

        send = QShortcut(QKeySequence("Ctrl+Return"), self.composer)
        send.activated.connect(self.send)
        send2 = QShortcut(QKeySequence("Ctrl+Enter"), self.composer)
        send2.activated.connect(self.send)
        close = QShortcut(QKeySequence(Qt.Key.Key_Escape), self,
                          context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        close.activated.connect(self.close_requested.emit)
        self._composer_changed()

    def _mode_changed(self) -> None:
        if self.reply_mode.isChecked():
            self.send_button.setText("Send reply")
            self.composer.setPlaceholderText("Write a reply to the client… (Ctrl+Enter sends)")
        else:
            self.send_button.setText("Add note")
            self.composer.setPlaceholderText("Write an internal note… (Ctrl+Enter saves)")

    def _composer_changed(self) -> None:
        self.send_button.setEnabled(bool(self.composer.toPlainText().strip())
                                    and self.detail is not None and not self.context.read_only)

    # --- loading -----------------------------------------------------------------------------
    @property
    def ticket_id(self) -> int | None:
        return self.detail.id if self.detail is not None else None

    def load(self, ticket_id: int) -> None:
        db = self.context.db

        def work():
            with db.session() as session:
                return ops.ticket_detail(session, ticket_id), ops.staff_choices(session)

        self.context.runner.run(work, self._show, self._load_failed)

    def reload(self) -> None:
        if self.detail is not None:
            self.load(self.detail.id)

    def _load_failed(self, exc: BaseException) -> None:
        dialogs().error(self, "Cannot open the ticket", describe_error(exc))

    def _show(self, result) -> None:  # noqa: ANN001
        detail, staff = result
        switching = self.detail is None or self.detail.id != detail.id
        self.detail = detail
        self._staff = staff
        self._updating = True
        try:
            self._fill(detail, staff)
        finally:
            self._updating = False
        if switching:
            self.composer.clear()
        self.setEnabled(True)
        self._apply_read_only()
        self.loaded.emit(detail.id)

    def _local(self, instant: datetime | None, fmt: str = "%a %d %b %Y, %H:%M") -> str:
        return instant.astimezone(self.zone).strftime(fmt) if instant else "—"

    def _clock_text(self, name: str, state: str, due: datetime | None) -> str:
        colour, background = SLA_COLOURS.get(state, SLA_COLOURS["none"])
        words = STATE_WORDS.get(state, state)
        text = f"{name} {words}"
        if due is not None and state in ("running", "at_risk", "breached"):
            text += f" · due {self._local(due, '%a %d %b %H:%M')}"
        return _chip(text, colour, background or "#eef2f6")

    def _fill(self, d: ops.TicketDetail, staff: list[tuple[int, str]]) -> None:
        self.heading.setText(f"#{d.number}  {d.title}")
        self.heading.setToolTip(d.title)
        priority_colour = PRIORITY_COLOURS.get(d.priority, "#9aa5b1")
        status = ops.STATUS_LABELS.get(d.status, d.status)
        clock = "24/7 clock" if d.clock == "24x7" else "business hours"
        self.summary.setText(
            f'<span style="color:{priority_colour}; font-size:14pt;">●</span> '
            f"<b>{esc(ops.PRIORITY_LABELS.get(d.priority, d.priority))}</b> &nbsp; "
            f"{_chip(status, '#102a43', '#e4ebf5')} &nbsp; "
            f"{self._clock_text('Response', d.response_state, d.response_due_at)} &nbsp; "
            f"{self._clock_text('Resolution', d.resolution_state, d.resolution_due_at)} "
            f'&nbsp; <span style="color:#7b8794;">{clock}</span>')
        tier = TIER_NAMES.get(d.tier or "", "No contract")
        period = f" ({esc(d.contract_period)})" if d.contract_period else ""
        used = (f"{format_minutes(d.resolution_used_minutes)} of "
                f"{format_minutes(d.resolution_target_minutes)} used")
        self.fields.setText(
            f"<b>{esc(d.client)}</b> · {esc(tier)}{period}<br>"
            f"{esc(ops.CATEGORY_LABELS.get(d.category, d.category))} · via "
            f"{esc(ops.CHANNEL_LABELS.get(d.channel, d.channel))} · "
            f"opened {self._local(d.created_at)} · updated {self._local(d.updated_at)}<br>"
            f"First response: {self._local(d.first_response_at)} · "
            f"Resolved: {self._local(d.resolved_at)} · Resolution clock: {used}")
        # coverage
        if d.in_scope:
            verdict = "<b>In scope</b>"
            self.coverage.setProperty("role", "banner-info")
        else:
            verdict = "<b>Out of scope — billable</b>"
            self.coverage.setProperty("role", "banner-warning")
        text = f"{verdict}: {esc(d.scope_reason)}"
        if d.scope_override is not None:
            text += (f"<br><i>Overridden by the manager</i>: {esc(d.override_reason)}")
        self.coverage_label.setText(text)
        self.coverage.style().unpolish(self.coverage)
        self.coverage.style().polish(self.coverage)
        # status actions: only the legal transitions
        while self.status_bar.count():
            item = self.status_bar.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.status_buttons: dict[str, QPushButton] = {}
        for target in d.transitions:
            button = QPushButton(ops.action_label(d.status, target))
            button.setObjectName(f"status_{target}")
            button.setToolTip(f"Set the status to {ops.STATUS_LABELS[target].lower()}")
            button.clicked.connect(lambda _=False, t=target: self.change_status(t))
            self.status_bar.addWidget(button)
            self.status_buttons[target] = button
        if not d.transitions:
            closed = QLabel("Closed — no further status changes")
            closed.setProperty("role", "muted")
            self.status_bar.addWidget(closed)
        self.priority.setCurrentIndex(self.priority.findData(d.priority))
        self.assignee.clear()
        self.assignee.addItem("Unassigned", None)
        for staff_id, name in staff:
            self.assignee.addItem(name, staff_id)
        self.assignee.setCurrentIndex(max(0, self.assignee.findData(d.assignee_id)))
        # time and follow-up
        time_text = f"Time logged: {format_minutes(d.total_minutes)}" if d.total_minutes else \
            "No time logged"
        if d.follow_up_done_at is not None:
            time_text += f" · Follow-up: {d.follow_up_rating}/5"
        elif d.follow_up_due_at is not None:
            time_text += f" · Follow-up due {self._local(d.follow_up_due_at, '%a %d %b')}"
        self.time_label.setText(time_text)
        self.follow_button.setEnabled(d.resolved_at is not None and d.follow_up_done_at is None)
        self.timeline.setHtml(self._timeline_html(d))
        # the latest event in view, once the text is laid out
        QTimer.singleShot(0, self, self._timeline_to_end)

    def _timeline_to_end(self) -> None:
        bar = self.timeline.verticalScrollBar()
        bar.setValue(bar.maximum())

    def _timeline_html(self, d: ops.TicketDetail) -> str:
        parts = ['<div style="font-size:10pt;">']
        if d.description:
            parts.append(
                '<table width="100%" cellpadding="8" style="margin-bottom:8px;">'
                '<tr><td style="background-color:#f8fafc;">'
                f'<span style="color:#7b8794;">Description</span><br>'
                f"{esc(d.description).replace(chr(10), '<br>')}</td></tr></table>")
        for entry in d.timeline:
            when = self._local(entry.at, "%d %b %Y %H:%M")
            who = esc(entry.author) if entry.author else "system"
            if entry.type == "reply":
                background, label_colour = "#eaf2fe", "#1d4ed8"
            elif entry.type == "note":
                background, label_colour = "#fff8e1", "#9a5b00"
            else:
                background, label_colour = "#ffffff", "#52606d"
            body = ""
            if entry.body and entry.type not in ("assignment",):
                body = "<br>" + esc(entry.body).replace("\n", "<br>")
            parts.append(
                f'<table width="100%" cellpadding="6" style="margin-bottom:4px;">'
                f'<tr><td style="background-color:{background};">'
                f'<span style="color:{label_colour}; font-weight:600;">{esc(entry.text)}</span>'
                f' <span style="color:#7b8794;">· {who} · {when}</span>{body}</td></tr></table>')
        parts.append("</div>")
        return "".join(parts)

    def _apply_read_only(self) -> None:
        read_only = self.context.read_only
        for widget in (self.priority, self.assignee, self.override_button, self.log_button,
                       self.composer, self.reply_mode, self.note_mode):
            widget.setEnabled(not read_only)
        for button in getattr(self, "status_buttons", {}).values():
            button.setEnabled(not read_only)
        if read_only:
            self.follow_button.setEnabled(False)
        self._composer_changed()

    # --- operations --------------------------------------------------------------------------
    def _run(self, op: Callable, what: str) -> None:
        """Run ``op(session, ticket_id, version)`` in one transaction on the worker."""
        if self.detail is None:
            return
        ticket_id, version = self.detail.id, self.detail.version
        db, user_id = self.context.db, self.context.user_id

        def work():
            with db.transaction() as session:
                op(session, ticket_id, version, user_id)
            return ticket_id

        self.context.runner.run(work, self._done, lambda exc: self._op_failed(what, exc))

    def _done(self, ticket_id: int) -> None:
        if self._clear_composer_on_success:
            self._clear_composer_on_success = False
            self.composer.setReadOnly(False)
            self.composer.clear()
        self.context.events.changed.emit("ticket", ticket_id)
        self.changed.emit(ticket_id)
        self.load(ticket_id)

    def _op_failed(self, what: str, exc: BaseException) -> None:
        # the text being written is kept: the user can send it again
        self._clear_composer_on_success = False
        self.composer.setReadOnly(False)
        message = describe_error(exc)
        self.operation_failed.emit(message)
        dialogs().error(self, f"Could not {what}", message)
        if isinstance(exc, StaleDataError):
            self.reload()
        elif self.detail is not None:
            self._updating = True
            self.priority.setCurrentIndex(self.priority.findData(self.detail.priority))
            self.assignee.setCurrentIndex(max(0, self.assignee.findData(self.detail.assignee_id)))
            self._updating = False

    def change_status(self, status: str) -> None:
        self._run(lambda s, tid, ver, uid: ops.change_status(
            s, tid, status, author_id=uid, expected_version=ver), "change the status")

    def send(self) -> None:
        text = self.composer.toPlainText()
        if not text.strip() or self.detail is None or self.context.read_only:
            return
        public = self.reply_mode.isChecked()
        operation = ops.reply if public else ops.add_note
        self.composer.setReadOnly(True)

        def op(s, tid, ver, uid):  # noqa: ANN001, ANN202
            operation(s, tid, text, author_id=uid, expected_version=ver)

        self._clear_composer_on_success = True
        self._run(op, "send the reply" if public else "save the note")

    def _priority_chosen(self) -> None:
        if self._updating or self.detail is None:
            return
        priority = self.priority.currentData()
        if priority != self.detail.priority:
            self._run(lambda s, tid, ver, uid: ops.change_priority(
                s, tid, priority, author_id=uid, expected_version=ver), "change the priority")

    def _assignee_chosen(self) -> None:
        if self._updating or self.detail is None:
            return
        assignee = self.assignee.currentData()
        if assignee != self.detail.assignee_id:
            self._run(lambda s, tid, ver, uid: ops.assign(
                s, tid, assignee, author_id=uid, expected_version=ver), "assign the ticket")

    def assign_to_me(self) -> None:
        if self.detail is not None and self.detail.assignee_id != self.context.user_id:
            user = self.context.user_id
            self._run(lambda s, tid, ver, uid: ops.assign(
                s, tid, user, author_id=uid, expected_version=ver), "assign the ticket")

    def log_time(self, minutes: int, note: str = "", category: str | None = None,
                 work_date=None) -> None:  # noqa: ANN001
        self._run(lambda s, tid, ver, uid: ops.log_time(
            s, tid, minutes, author_id=uid, note=note, category=category, work_date=work_date,
            expected_version=ver), "log the time")

    def log_time_dialog(self) -> None:
        if self.detail is None:
            return
        today = datetime.now(UTC).astimezone(self.zone).date()
        dialog = LogTimeDialog(self.detail.category, today, self)
        if dialog.exec():
            self.log_time(**dialog.values())

    def override(self, in_scope: bool | None, reason: str) -> None:
        self._run(lambda s, tid, ver, uid: ops.override_coverage(
            s, tid, in_scope, reason, author_id=uid, expected_version=ver),
            "override the coverage")

    def override_dialog(self) -> None:
        if self.detail is None:
            return
        d = self.detail
        dialog = OverrideDialog(d.computed_in_scope, d.scope_reason, d.scope_override, self)
        if dialog.exec():
            self.override(**dialog.values())

    def record_follow_up(self, rating: int, comment: str = "") -> None:
        self._run(lambda s, tid, ver, uid: ops.record_follow_up(
            s, tid, rating, comment, author_id=uid, expected_version=ver),
            "record the follow-up")

    def follow_up_dialog(self) -> None:
        if self.detail is None:
            return
        dialog = FollowUpDialog(self)
        if dialog.exec():
            self.record_follow_up(**dialog.values())

    def focus_composer(self, public: bool = True) -> None:
        (self.reply_mode if public else self.note_mode).setChecked(True)
        self.composer.setFocus()


