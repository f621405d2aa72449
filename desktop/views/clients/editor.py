"""The client editor: name, contact details, notes and the contacts (which of them receive
reports). Checks as you type; the save runs on the worker and a stale save opens the conflict
dialog with both versions (DESIGN §3)."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QFormLayout,
                               QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPlainTextEdit,
                               QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from desktop.errors import StaleDataError, UserError
from desktop.services.clients import (ClientDetail, ClientInput, ContactInput,
                                      client_field_errors, create_client, input_from_fields,
                                      update_client)
from desktop.views.context import AppContext
from desktop.views.worker import describe_error

CONTACT_COLUMNS = ["Name", "Role", "E-mail", "Phone", "Receives reports"]
FIELD_LABELS = {"name": "Name", "email": "E-mail", "phone": "Phone", "website": "Website",
                "notes": "Notes", "contacts": "Contacts"}


def resolve_conflict(parent, error):  # noqa: ANN001, ANN201 - replaced in tests
    """Both versions side by side; the merged fields, or None to keep editing."""
    from desktop.views.conflicts.dialog import ask_to_resolve

    return ask_to_resolve(parent, error, labels=FIELD_LABELS)


class ClientDialog(QDialog):
    """Create (``detail=None``) or edit a client. ``saved`` carries the client's id."""

    saved = Signal(int)

    def __init__(self, context: AppContext, detail: ClientDetail | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.client_id = detail.id if detail else None
        self.version = detail.version if detail else None
        self.setWindowTitle(f"Edit client — {detail.name}" if detail else "New client")
        self.setMinimumWidth(640)

        form = QFormLayout()
        self.name = QLineEdit(objectName="name", placeholderText="e.g. Sharma Textiles")
        self.email = QLineEdit(objectName="email", placeholderText="accounts@example.in")
        self.phone = QLineEdit(objectName="phone", placeholderText="+91 98765 43210")
        self.website = QLineEdit(objectName="website", placeholderText="https://")
        self.notes = QPlainTextEdit(objectName="notes")
        self.notes.setFixedHeight(70)
        form.addRow("&Name *", self.name)
        form.addRow("&E-mail", self.email)
        form.addRow("&Phone", self.phone)
        form.addRow("&Website", self.website)
        form.addRow("N&otes", self.notes)

        self.contacts = QTableWidget(0, len(CONTACT_COLUMNS), objectName="contacts")
        self.contacts.setHorizontalHeaderLabels(CONTACT_COLUMNS)
        self.contacts.verticalHeader().setVisible(False)
        self.contacts.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.contacts.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(4, 120)
        add = QPushButton("&Add contact", objectName="add_contact")
        remove = QPushButton("&Remove contact", objectName="remove_contact")
        add.clicked.connect(lambda: self.add_contact(ContactInput()))
        remove.clicked.connect(self.remove_contact)
        contact_buttons = QHBoxLayout()
        contact_buttons.addWidget(QLabel("Contacts (ticked ones receive the monthly and "
                                         "quarterly reports)"))
        contact_buttons.addStretch(1)
        contact_buttons.addWidget(add)
        contact_buttons.addWidget(remove)

        self.errors = QLabel(objectName="errors")
        self.errors.setWordWrap(True)
        self.errors.setTextFormat(Qt.TextFormat.PlainText)
        self.errors.setStyleSheet("color: #b71c1c;")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("save")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(contact_buttons)
        layout.addWidget(self.contacts, 1)
        layout.addWidget(self.errors)
        layout.addWidget(self.buttons)

        if detail is not None:
            self.load(detail.as_input())
        for edit in (self.name, self.email, self.phone, self.website):
            edit.textChanged.connect(self.check)
        self.contacts.itemChanged.connect(self.check)
        self.check()

    # the form ------------------------------------------------------------------------------
    def load(self, data: ClientInput) -> None:
        self.name.setText(data.name)
        self.email.setText(data.email)
        self.phone.setText(data.phone)
        self.website.setText(data.website)
        self.notes.setPlainText(data.notes)
        self.contacts.setRowCount(0)
        for contact in data.contacts:
            self.add_contact(contact)

    def add_contact(self, contact: ContactInput) -> None:
        self.contacts.blockSignals(True)
        row = self.contacts.rowCount()
        self.contacts.insertRow(row)
        for column, text in enumerate([contact.name, contact.role, contact.email,
                                       contact.phone]):
            item = QTableWidgetItem(text)
            if column == 0:
                item.setData(Qt.ItemDataRole.UserRole, contact.id)
            self.contacts.setItem(row, column, item)
        tick = QTableWidgetItem()
        tick.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled
                      | Qt.ItemFlag.ItemIsSelectable)
        tick.setCheckState(Qt.CheckState.Checked if contact.receives_reports
                           else Qt.CheckState.Unchecked)
        self.contacts.setItem(row, 4, tick)
        self.contacts.blockSignals(False)
        if not contact.name:
            self.contacts.setCurrentCell(row, 0)
            self.contacts.editItem(self.contacts.item(row, 0))
        self.check()

    def remove_contact(self) -> None:
        row = self.contacts.currentRow()
        if row >= 0:
            self.contacts.removeRow(row)
            self.check()

    def value(self) -> ClientInput:
        contacts = []
        for row in range(self.contacts.rowCount()):
            def text(column: int) -> str:
                item = self.contacts.item(row, column)
                return item.text() if item is not None else ""
            first = self.contacts.item(row, 0)
            contacts.append(ContactInput(
                name=text(0), role=text(1), email=text(2), phone=text(3),
                receives_reports=self.contacts.item(row, 4).checkState() == Qt.CheckState.Checked,
                id=first.data(Qt.ItemDataRole.UserRole) if first is not None else None))
        return ClientInput(name=self.name.text(), email=self.email.text(),
                           phone=self.phone.text(), website=self.website.text(),
                           notes=self.notes.toPlainText(), contacts=contacts)

    def check(self) -> bool:
        """Show what is wrong as the user types; Save is enabled only when nothing is."""
        errors = client_field_errors(self.value())
        self.errors.setText("\n".join(e.message for e in errors))
        self.save_button.setEnabled(not errors and not self.context.read_only)
        return not errors

    # saving --------------------------------------------------------------------------------
    def save(self) -> None:
        if not self.check():
            return
        self._submit(self.value(), self.version)

    def _submit(self, data: ClientInput, version: int | None) -> None:
        db, user_id, client_id = self.context.db, self.context.user_id, self.client_id
        self.save_button.setEnabled(False)

        def work() -> int:
            with db.transaction() as session:
                if client_id is None:
                    return create_client(session, data, user_id)
                update_client(session, client_id, version, data, user_id)
                return client_id

        self.context.runner.run(work, self._saved, self._failed)

    def _saved(self, client_id: int) -> None:
        self.client_id = client_id
        self.context.events.changed.emit("client", client_id)
        self.saved.emit(client_id)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.check()
        if isinstance(exc, StaleDataError):
            merged = resolve_conflict(self, exc)
            if merged is not None:
                data = input_from_fields(merged)
                self.load(data)
                if exc.theirs_version is not None:
                    self.version = exc.theirs_version
                self._submit(data, self.version)
            return
        self.errors.setText(str(exc) if isinstance(exc, UserError) else describe_error(exc))
