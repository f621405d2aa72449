"""File → Connect… (issue 7): choose the local file or a shared PostgreSQL server.

Host, port, database, user, password and SSL mode; "Test connection" gives a plain verdict
without leaving the dialog; the recent list remembers connections without their passwords. The
password typed here goes only to the driver and, when the user connects, to the OS keyring
(service "aftercare", user "user@host:port/db", DESIGN §3).
"""
from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import (QButtonGroup, QComboBox, QDialog, QDialogButtonBox, QFileDialog,
                               QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QRadioButton, QSpinBox, QVBoxLayout, QWidget)

from desktop.errors import UserError
from desktop.storage.probe import SSL_MODES, ProbeResult

from .target import ConnectionTarget, recent_targets

SSL_HELP = {
    "prefer": "prefer — encrypt if the server offers it",
    "disable": "disable — never encrypt",
    "allow": "allow — encrypt only if the server insists",
    "require": "require — always encrypt",
    "verify-ca": "verify-ca — encrypt and check the certificate",
    "verify-full": "verify-full — encrypt, check certificate and host name",
}


def probe_target(target: ConnectionTarget, password: str | None) -> ProbeResult:
    """The verdict of "Test connection" for a local file or a shared server."""
    from desktop.storage.database import _inspect_sqlite_file
    from desktop.storage.probe import probe
    from desktop.storage.urls import parse_url

    if target.kind == "local":
        if not target.path.strip():
            return ProbeResult(False, "Choose a database file.")
        path = Path(target.path).expanduser()
        try:
            _inspect_sqlite_file(path)
        except UserError as exc:
            return ProbeResult(False, f"{str(exc)[:1].upper()}{str(exc)[1:]}.")
        if not path.exists():
            return ProbeResult(True, "The file does not exist yet; Aftercare will create it.")
        return ProbeResult(True, "This is an Aftercare database file.")
    try:
        url = parse_url(target.url())
    except UserError as exc:
        return ProbeResult(False, str(exc))
    return probe(url, password or None)


class _ProbeRelay(QObject):
    finished = Signal(object, int)  # ProbeResult, request number


class ConnectionDialog(QDialog):
    def __init__(self, ui, current: ConnectionTarget | None = None,  # noqa: ANN001
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = ui
        self.setWindowTitle("Connect to a database")
        self.setObjectName("connection_dialog")
        self.setMinimumWidth(520)
        self._request = 0
        self._relay = _ProbeRelay(self)
        self._relay.finished.connect(self._show_verdict, Qt.ConnectionType.QueuedConnection)
        self.last_result: ProbeResult | None = None

        layout = QVBoxLayout(self)
        self.recent = QComboBox()
        self.recent.setObjectName("recent_connections")
        self._recent_targets = recent_targets(ui)
        self.recent.addItem("Recent connections…" if self._recent_targets
                            else "No recent connections")
        for target in self._recent_targets:
            self.recent.addItem(target.label())
        self.recent.setEnabled(bool(self._recent_targets))
        self.recent.activated.connect(self._use_recent)
        layout.addWidget(self.recent)

        kinds = QHBoxLayout()
        self.local_choice = QRadioButton("This computer (a database file)")
        self.shared_choice = QRadioButton("Shared server (PostgreSQL)")
        self.local_choice.setObjectName("kind_local")
        self.shared_choice.setObjectName("kind_shared")
        group = QButtonGroup(self)
        group.addButton(self.local_choice)
        group.addButton(self.shared_choice)
        kinds.addWidget(self.local_choice)
        kinds.addWidget(self.shared_choice)
        kinds.addStretch(1)
        layout.addLayout(kinds)

        self.local_box = QGroupBox("Database file")
        local_row = QHBoxLayout(self.local_box)
        self.path = QLineEdit()
        self.path.setObjectName("path")
        browse = QPushButton("&Browse…")
        browse.clicked.connect(self._browse)
        local_row.addWidget(self.path, 1)
        local_row.addWidget(browse)
        layout.addWidget(self.local_box)

        self.shared_box = QGroupBox("Server")
        form = QFormLayout(self.shared_box)
        self.host = QLineEdit()
        self.host.setObjectName("host")
        self.host.setPlaceholderText("db.example.com")
        self.port = QSpinBox()
        self.port.setObjectName("port")
        self.port.setRange(1, 65535)
        self.port.setValue(5432)
        self.database = QLineEdit()
        self.database.setObjectName("database")
        self.user = QLineEdit()
        self.user.setObjectName("user")
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("kept in the system keyring, never in a file")
        self.sslmode = QComboBox()
        self.sslmode.setObjectName("sslmode")
        for mode in SSL_MODES:
            self.sslmode.addItem(SSL_HELP[mode], mode)
        form.addRow("&Host:", self.host)
        form.addRow("&Port:", self.port)
        form.addRow("&Database:", self.database)
        form.addRow("&User:", self.user)
        form.addRow("Pass&word:", self.password)
        form.addRow("&SSL mode:", self.sslmode)
        layout.addWidget(self.shared_box)

        test_row = QHBoxLayout()
        self.test_button = QPushButton("&Test connection")
        self.test_button.setObjectName("test_connection")
        self.test_button.clicked.connect(self.test_connection)
        self.verdict = QLabel("")
        self.verdict.setObjectName("verdict")
        self.verdict.setTextFormat(Qt.TextFormat.PlainText)
        self.verdict.setWordWrap(True)
        test_row.addWidget(self.test_button, 0, Qt.AlignmentFlag.AlignTop)
        test_row.addWidget(self.verdict, 1)
        layout.addLayout(test_row)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.connect_button = self.buttons.addButton("&Connect",
                                                     QDialogButtonBox.ButtonRole.AcceptRole)
        self.connect_button.setObjectName("connect")
        self.connect_button.setDefault(True)
        self.buttons.accepted.connect(self._accept_if_complete)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        self.local_choice.toggled.connect(self._kind_changed)
        for widget in (self.host, self.database, self.user, self.password, self.path):
            widget.textEdited.connect(self._clear_verdict)
        self.port.valueChanged.connect(self._clear_verdict)
        self.sslmode.currentIndexChanged.connect(self._clear_verdict)
        self.set_target(current or ConnectionTarget())

    # the form <-> a target ------------------------------------------------------------------
    def set_target(self, target: ConnectionTarget) -> None:
        (self.local_choice if target.kind == "local" else self.shared_choice).setChecked(True)
        self.path.setText(target.path)
        self.host.setText(target.host)
        self.port.setValue(int(target.port or 5432))
        self.database.setText(target.database)
        if not target.user:
            from desktop.services.staff import os_login

            target = ConnectionTarget(**{**target.to_dict(), "user": os_login()})
        self.user.setText(target.user)
        index = self.sslmode.findData(target.sslmode or "prefer")
        self.sslmode.setCurrentIndex(max(index, 0))
        self.password.clear()
        self._kind_changed()
        self._clear_verdict()

    def target(self) -> ConnectionTarget:
        if self.local_choice.isChecked():
            return ConnectionTarget(kind="local", path=self.path.text().strip())
        return ConnectionTarget(kind="shared", host=self.host.text().strip(),
                                port=self.port.value(), database=self.database.text().strip(),
                                user=self.user.text().strip(),
                                sslmode=self.sslmode.currentData() or "prefer")

    def typed_password(self) -> str:
        return self.password.text()

    def missing(self) -> str | None:
        target = self.target()
        if target.kind == "local":
            return None if target.path else "Choose a database file."
        for label, value in (("host", target.host), ("database", target.database),
                             ("user", target.user)):
            if not value:
                return f"Enter the {label}."
        return None

    # actions --------------------------------------------------------------------------------
    @Slot()
    def test_connection(self) -> None:
        problem = self.missing()
        if problem:
            self._set_verdict(False, problem)
            return
        self._request += 1
        self.last_result = None
        request, target, password = self._request, self.target(), self.typed_password()
        self.verdict.setText("Testing…")
        self.verdict.setStyleSheet("color: palette(mid);")
        self.test_button.setEnabled(False)

        def work() -> None:
            try:
                result = probe_target(target, password)
            except Exception as exc:  # noqa: BLE001 - said plainly, never a traceback
                from desktop.storage.probe import scrub

                result = ProbeResult(False, scrub(f"The test failed ({type(exc).__name__}).",
                                                  password))
            self._relay.finished.emit(result, request)

        threading.Thread(target=work, name="aftercare-test-connection", daemon=True).start()

    @Slot(object, int)
    def _show_verdict(self, result: ProbeResult, request: int) -> None:
        if request != self._request:
            return  # the form changed since; that answer is about something else
        self.test_button.setEnabled(True)
        self.last_result = result
        self._set_verdict(result.ok, result.message)

    def _set_verdict(self, ok: bool, message: str) -> None:
        self.verdict.setText(("✓ " if ok else "✗ ") + message)
        self.verdict.setStyleSheet("color: #1b7a3a;" if ok else "color: #b3261e;")

    def _clear_verdict(self, *_args) -> None:  # noqa: ANN002
        self._request += 1
        self.test_button.setEnabled(True)
        self.verdict.clear()
        self.last_result = None

    def _kind_changed(self) -> None:
        local = self.local_choice.isChecked()
        self.local_box.setVisible(local)
        self.shared_box.setVisible(not local)
        self._clear_verdict()

    def _use_recent(self, index: int) -> None:
        if index > 0:
            self.set_target(self._recent_targets[index - 1])

    def _browse(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, "Database file", self.path.text() or str(Path.home()),
            "Aftercare database (*.db);;All files (*)",
            options=QFileDialog.Option.DontConfirmOverwrite)
        if name:
            self.path.setText(name)
            self._clear_verdict()

    def _accept_if_complete(self) -> None:
        problem = self.missing()
        if problem:
            self._set_verdict(False, problem)
            return
        self.accept()
