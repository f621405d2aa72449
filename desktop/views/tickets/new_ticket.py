"""The new-ticket dialog (DESIGN §4): validates as you type and warns about coverage and channel
before saving. The client's tier in force today is loaded once, so the coverage verdict is
computed on every keystroke without asking the database."""
from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QCompleter, QDialog, QDialogButtonBox, QFormLayout,
                               QFrame, QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit,
                               QVBoxLayout, QWidget)

from desktop.services import tickets as ops
from desktop.services.catalog import PRIORITY_HELP
from desktop.services.coverage import coverage_verdict

from ..messages import dialogs
from ..style import priority_icon
from ..worker import describe_error

TIER_NAMES = {"warranty": "Warranty", "basic": "Basic", "standard": "Standard",
              "premium": "Premium", None: "no contract"}


class NewTicketDialog(QDialog):
    """``created(ticket_id)`` once the ticket is saved."""

    created = Signal(int)
    ready = Signal()

    def __init__(self, context, parent: QWidget | None = None,  # noqa: ANN001
                 client_id: int | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setWindowTitle("New ticket")
        self.setObjectName("new_ticket_dialog")
        self.resize(620, 560)
        self._tiers: dict[int, str | None] = {}
        self._wanted_client = client_id
        self._saving = False

        layout = QVBoxLayout(self)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.client = QComboBox()
        self.client.setObjectName("client")
        self.client.setEditable(True)
        self.client.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.client.completer().setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.client.completer().setFilterMode(Qt.MatchFlag.MatchContains)
        self.client.lineEdit().setPlaceholderText("Type to find the client")
        form.addRow("&Client", self.client)
        self.tier_label = QLabel()
        self.tier_label.setProperty("role", "muted")
        form.addRow("", self.tier_label)
        self.title = QLineEdit()
        self.title.setObjectName("title")
        self.title.setPlaceholderText("What is wrong, in a few words")
        self.title.setMaxLength(ops.MAX_TITLE)
        form.addRow("&Title", self.title)
        self.description = QPlainTextEdit()
        self.description.setObjectName("description")
        self.description.setPlaceholderText("Steps, pages, what the client sees…")
        self.description.setFixedHeight(110)
        form.addRow("&Description", self.description)

        self.priority = QComboBox()
        self.priority.setObjectName("priority")
        for code, label in ops.PRIORITY_LABELS.items():
            self.priority.addItem(priority_icon(code), label, code)
        self.priority.setCurrentIndex(self.priority.findData("medium"))
        form.addRow("&Priority", self.priority)
        self.priority_help = QLabel()
        self.priority_help.setWordWrap(True)
        self.priority_help.setProperty("role", "muted")
        form.addRow("", self.priority_help)

        row = QHBoxLayout()
        self.category = QComboBox()
        self.category.setObjectName("category")
        for code, label in ops.CATEGORY_LABELS.items():
            self.category.addItem(label, code)
        self.channel = QComboBox()
        self.channel.setObjectName("channel")
        for code, label in ops.CHANNEL_LABELS.items():
            self.channel.addItem(label, code)
        row.addWidget(self.category, 1)
        channel_label = QLabel("C&hannel")
        channel_label.setBuddy(self.channel)
        row.addWidget(channel_label)
        row.addWidget(self.channel, 1)
        category_label = QLabel("Cate&gory")
        category_label.setBuddy(self.category)
        form.addRow(category_label, row)
        self.assignee = QComboBox()
        self.assignee.setObjectName("assignee")
        self.assignee.addItem("Unassigned", None)
        form.addRow("&Assignee", self.assignee)
        layout.addLayout(form)

        self.coverage = QFrame()
        self.coverage.setObjectName("coverage_warning")
        self.coverage.setProperty("role", "banner-info")
        cov = QVBoxLayout(self.coverage)
        cov.setContentsMargins(10, 6, 10, 6)
        self.coverage_label = QLabel()
        self.coverage_label.setWordWrap(True)
        self.coverage_label.setTextFormat(Qt.TextFormat.RichText)
        cov.addWidget(self.coverage_label)
        layout.addWidget(self.coverage)
        self.problems = QLabel()
        self.problems.setObjectName("problems")
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet("color: #b42318;")
        layout.addWidget(self.problems)
        layout.addStretch(1)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText("Create ticket")
        self.save_button.setProperty("primary", True)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        for signal in (self.client.currentIndexChanged, self.priority.currentIndexChanged,
                       self.category.currentIndexChanged, self.channel.currentIndexChanged):
            signal.connect(self.revalidate)
        self.client.lineEdit().textEdited.connect(self.revalidate)
        self.title.textChanged.connect(self.revalidate)
        self.setEnabled(False)
        self._load_choices()

    # --- data ---------------------------------------------------------------------------------
    def _load_choices(self) -> None:
        db = self.context.db

        def work():
            with db.session() as session:
                return ops.new_ticket_choices(session)

        self.context.runner.run(work, self._choices_loaded, self._failed_to_load)

    def _failed_to_load(self, exc: BaseException) -> None:
        dialogs().error(self, "New ticket", describe_error(exc))
        self.reject()

    def _choices_loaded(self, choices: ops.NewTicketChoices) -> None:
        self.client.blockSignals(True)
        self.client.clear()
        for client_id, name, tier in choices.clients:
            self.client.addItem(name, client_id)
            self._tiers[client_id] = tier
        index = self.client.findData(self._wanted_client) if self._wanted_client else -1
        self.client.setCurrentIndex(index)
        if index < 0:
            self.client.setEditText("")
        self.client.blockSignals(False)
        for staff_id, name in choices.staff:
            self.assignee.addItem(name, staff_id)
        self.setEnabled(True)
        self.revalidate()
        (self.title if index >= 0 else self.client).setFocus()
        self.ready.emit()

    # --- validation -------------------------------------------------------------------------
    def client_id(self) -> int:
        text = self.client.currentText().strip()
        index = self.client.findText(text, Qt.MatchFlag.MatchFixedString)
        return int(self.client.itemData(index)) if index >= 0 else 0

    def data(self) -> ops.NewTicket:
        return ops.NewTicket(client_id=self.client_id(), title=self.title.text(),
                             description=self.description.toPlainText(),
                             priority=self.priority.currentData(),
                             category=self.category.currentData(),
                             channel=self.channel.currentData(),
                             assignee_id=self.assignee.currentData())

    def revalidate(self) -> None:
        data = self.data()
        definition, examples = PRIORITY_HELP[data.priority]
        self.priority_help.setText(f"{definition} — e.g. {', '.join(examples).lower()}.")
        problems = ops.validate_new_ticket(data)
        self.problems.setText(" ".join(problems) if self.title.text() or data.client_id else "")
        self.save_button.setEnabled(not problems and not self._saving)
        if not data.client_id:
            self.tier_label.setText("")
            self.coverage.setVisible(False)
            return
        tier = self._tiers.get(data.client_id)
        self.tier_label.setText(f"Contract in force today: {TIER_NAMES.get(tier, tier)}")
        verdict = coverage_verdict(tier, data.category, data.channel)
        self.coverage.setVisible(True)
        if verdict.in_scope:
            self.coverage.setProperty("role", "banner-info")
            text = f"<b>Covered.</b> {html.escape(verdict.reason)}."
        else:
            self.coverage.setProperty("role", "banner-warning")
            text = (f"<b>Out of scope — billable.</b> {html.escape(verdict.reason)}. "
                    "You can still create it; the manager can override the verdict later.")
        self.coverage_label.setText(text)
        self.coverage.style().unpolish(self.coverage)
        self.coverage.style().polish(self.coverage)

    @property
    def coverage_text(self) -> str:
        return self.coverage_label.text() if self.coverage.isVisibleTo(self) else ""

    # --- saving -----------------------------------------------------------------------------
    def save(self) -> None:
        data = self.data()
        problems = ops.validate_new_ticket(data)
        if problems or self._saving:
            self.problems.setText(" ".join(problems))
            return
        if self.context.read_only:
            dialogs().warning(self, "New ticket", "This database is open read-only.")
            return
        self._saving = True
        self.save_button.setEnabled(False)
        db, user_id = self.context.db, self.context.user_id

        def work():
            with db.transaction() as session:
                return ops.create_ticket(session, data, author_id=user_id)

        self.context.runner.run(work, self._saved, self._save_failed)

    def _saved(self, ticket_id: int) -> None:
        self._saving = False
        self.context.events.changed.emit("ticket", ticket_id)
        self.created.emit(ticket_id)
        self.accept()

    def _save_failed(self, exc: BaseException) -> None:
        self._saving = False
        self.revalidate()
        dialogs().error(self, "Could not create the ticket", describe_error(exc))
