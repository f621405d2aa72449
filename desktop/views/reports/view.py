"""The Reports view (DESIGN §4-5): choose type, period and clients; export with progress and
cancel while the window stays responsive; preview the first page; open the PDF or its folder;
"Send…" an e-mail draft; and write the manager's monthly summary or quarterly recommendations.

Exports run on a thread of their own (several clients: on worker processes, both cores), so the
shared DB worker stays free for the other views; progress comes back through a queued signal.
"""
from __future__ import annotations

import logging
import shutil
import tempfile
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PySide6.QtCore import QObject, QSize, Qt, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices, QImage, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (QComboBox, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout,
                               QLabel, QLineEdit, QListWidget, QListWidgetItem, QPlainTextEdit,
                               QProgressBar, QPushButton, QScrollArea, QSplitter, QTabWidget,
                               QVBoxLayout, QWidget)

from desktop.errors import StaleDataError
from desktop.services import report_data as rd
from desktop.services import report_export

from ..messages import dialogs
from ..worker import describe_error

log = logging.getLogger(__name__)

KIND_NAMES = {rd.MONTHLY: "Monthly maintenance report", rd.QUARTERLY: "Quarterly review"}
NOTE_TITLES = {rd.MONTHLY: "Summary of the month", rd.QUARTERLY: "Recommendations"}
PROCESS_THRESHOLD = 3  # from this many clients, spread the work over worker processes


@dataclass(frozen=True)
class ExportedReport:
    client_id: int
    client_name: str
    kind: str
    period: str
    path: str


class _Progress(QObject):
    step = Signal(int, int, str)          # done, total, client name
    finished = Signal(object, object)     # list[ExportResult], error or None


def open_url(url: QUrl) -> bool:
    """Hand a file to the desktop (PDF viewer, mail program, file manager). Replaced in tests."""
    return QDesktopServices.openUrl(url)


class ReportsView(QWidget):
    def __init__(self, context, parent: QWidget | None = None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.context = context
        self._clients: list[tuple[int, str]] = []
        self._note_version: int | None = None
        self._note_loaded = ""
        self._note_key: tuple[int, str, str] | None = None
        self._cancel: threading.Event | None = None
        self._thread: threading.Thread | None = None
        self._progress = _Progress(self)
        self._progress.step.connect(self._on_step)
        self._progress.finished.connect(self._on_finished)
        self._preview_dir = tempfile.mkdtemp(prefix="aftercare-preview-")
        preview_dir = self._preview_dir
        self.destroyed.connect(lambda *_: shutil.rmtree(preview_dir, ignore_errors=True))
        self._build()
        self._fill_periods()
        self._restore()
        self.context.events.changed.connect(self._on_changed)
        self.refresh()

    # ---------------------------------------------------------------------------- layout
    def _build(self) -> None:
        self.kind = QComboBox()
        for kind, name in KIND_NAMES.items():
            self.kind.addItem(name, kind)
        self.kind.setAccessibleName("Report type")
        self.period = QComboBox()
        self.period.setAccessibleName("Period")
        self.filter = QLineEdit(placeholderText="Filter clients…", clearButtonEnabled=True)
        self.client_list = QListWidget()
        self.client_list.setAccessibleName("Clients")
        self.select_all = QPushButton("All")
        self.select_none = QPushButton("None")
        self.folder = QLineEdit()
        self.folder.setAccessibleName("Output folder")
        self.browse = QPushButton("Browse…")
        self.export_button = QPushButton("Export PDFs")
        self.export_button.setDefault(True)
        self.export_button.setToolTip("Export the checked clients' reports (Ctrl+E)")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.status = QLabel("")
        self.status.setWordWrap(True)

        form = QFormLayout()
        form.addRow("Report", self.kind)
        form.addRow("Period", self.period)
        picks = QHBoxLayout()
        picks.addWidget(self.filter, 1)
        picks.addWidget(self.select_all)
        picks.addWidget(self.select_none)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(self.browse)
        buttons = QHBoxLayout()
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        choose = QGroupBox("Make reports")
        left = QVBoxLayout(choose)
        left.addLayout(form)
        left.addWidget(QLabel("Clients (tick one, several or all)"))
        left.addLayout(picks)
        left.addWidget(self.client_list, 1)
        left.addWidget(QLabel("Save PDFs in"))
        left.addLayout(folder_row)
        left.addLayout(buttons)
        left.addWidget(self.progress)
        left.addWidget(self.status)

        # right: manager's text, preview, results
        self.note_label = QLabel()
        self.note_label.setWordWrap(True)
        self.note = QPlainTextEdit()
        self.note.setAccessibleName("Manager's text")
        self.note.setPlaceholderText("Plain words for the client: what happened, what we did, "
                                     "what we suggest. Printed as typed.")
        self.save_note = QPushButton("Save text")
        self.save_note.setToolTip("Save (Ctrl+S)")
        note_page = QWidget()
        note_layout = QVBoxLayout(note_page)
        note_layout.addWidget(self.note_label)
        note_layout.addWidget(self.note, 1)
        note_buttons = QHBoxLayout()
        note_buttons.addStretch(1)
        note_buttons.addWidget(self.save_note)
        note_layout.addLayout(note_buttons)

        self.preview_button = QPushButton("Preview first page")
        self.preview_image = QLabel("Pick a client and press Preview to see the first page.")
        self.preview_image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.preview_image)
        preview_page = QWidget()
        preview_layout = QVBoxLayout(preview_page)
        preview_row = QHBoxLayout()
        preview_row.addWidget(self.preview_button)
        preview_row.addStretch(1)
        preview_layout.addLayout(preview_row)
        preview_layout.addWidget(scroll, 1)

        self.results = QListWidget()
        self.results.setAccessibleName("Exported reports")
        self.open_pdf = QPushButton("Open PDF")
        self.open_folder = QPushButton("Open folder")
        self.send_button = QPushButton("Send…")
        self.send_button.setToolTip("Write an e-mail draft with the PDF attached to the "
                                    "client's report contacts, and record the sending")
        results_page = QWidget()
        results_layout = QVBoxLayout(results_page)
        results_layout.addWidget(self.results, 1)
        result_buttons = QHBoxLayout()
        for button in (self.open_pdf, self.open_folder, self.send_button):
            result_buttons.addWidget(button)
        result_buttons.addStretch(1)
        results_layout.addLayout(result_buttons)

        self.tabs = QTabWidget()
        self.tabs.addTab(note_page, "Manager's text")
        self.tabs.addTab(preview_page, "Preview")
        self.tabs.addTab(results_page, "Exported")

        self.splitter = QSplitter()
        self.splitter.addWidget(choose)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        outer = QVBoxLayout(self)
        outer.addWidget(self.splitter)

        self.kind.currentIndexChanged.connect(self._on_kind_changed)
        self.period.currentIndexChanged.connect(self._load_note)
        self.client_list.currentItemChanged.connect(lambda *_: self._load_note())
        self.client_list.itemChanged.connect(lambda *_: self._update_buttons())
        self.filter.textChanged.connect(self._apply_filter_text)
        self.select_all.clicked.connect(lambda: self._check_all(True))
        self.select_none.clicked.connect(lambda: self._check_all(False))
        self.browse.clicked.connect(self._browse)
        self.export_button.clicked.connect(self.export)
        self.cancel_button.clicked.connect(self.cancel)
        self.save_note.clicked.connect(self.save_text)
        self.preview_button.clicked.connect(lambda: self.preview())
        self.open_pdf.clicked.connect(self._open_pdf)
        self.open_folder.clicked.connect(self._open_folder)
        self.send_button.clicked.connect(self.send)
        self.results.currentRowChanged.connect(lambda *_: self._update_buttons())
        self.results.itemActivated.connect(lambda *_: self._open_pdf())
        QShortcut(QKeySequence("Ctrl+E"), self, self.export)
        QShortcut(QKeySequence.StandardKey.Save, self, self.save_text)

    # ------------------------------------------------------------------------ state
    def current_kind(self) -> str:
        return self.kind.currentData()

    def current_period(self) -> str:
        return self.period.currentData()

    def _fill_periods(self) -> None:
        previous = self.period.currentData()
        self.period.blockSignals(True)
        self.period.clear()
        today = date.today()
        periods = rd.recent_periods(self.current_kind(), today, 24)
        for period in periods:
            self.period.addItem(period.long_label, period.key)
        # the report one usually writes is the last complete period
        index = self.period.findData(previous) if previous else -1
        self.period.setCurrentIndex(index if index >= 0 else (1 if len(periods) > 1 else 0))
        self.period.blockSignals(False)

    def _restore(self) -> None:
        saved = self.context.ui.document("reports_view", {}) or {}
        folder = saved.get("folder") or str(Path.home() / "Aftercare reports")
        self.folder.setText(folder)
        index = self.kind.findData(saved.get("kind"))
        if index >= 0:
            self.kind.setCurrentIndex(index)
        state = self.context.ui.widget_state("reports_splitter")
        if state is not None:
            self.splitter.restoreState(state)

    def save_state(self) -> None:
        self.context.ui.set_document("reports_view", {"folder": self.folder.text(),
                                                      "kind": self.current_kind()})
        self.context.ui.set_widget_state("reports_splitter", self.splitter.saveState())

    def checked_clients(self) -> list[tuple[int, str]]:
        result = []
        for row in range(self.client_list.count()):
            item = self.client_list.item(row)
            if item.checkState() == Qt.CheckState.Checked:
                result.append((item.data(Qt.ItemDataRole.UserRole), item.text()))
        return result

    def current_client(self) -> tuple[int, str] | None:
        item = self.client_list.currentItem()
        if item is None:
            checked = self.checked_clients()
            return checked[0] if len(checked) == 1 else None
        return item.data(Qt.ItemDataRole.UserRole), item.text()

    def set_checked(self, client_ids: set[int]) -> None:
        for row in range(self.client_list.count()):
            item = self.client_list.item(row)
            item.setCheckState(Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole)
                               in client_ids else Qt.CheckState.Unchecked)

    def _check_all(self, checked: bool) -> None:
        for row in range(self.client_list.count()):
            item = self.client_list.item(row)
            if not item.isHidden():
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def _apply_filter_text(self, text: str) -> None:
        needle = text.strip().lower()
        for row in range(self.client_list.count()):
            item = self.client_list.item(row)
            item.setHidden(bool(needle) and needle not in item.text().lower())

    def apply_filter(self, client_id: int | None = None, kind: str | None = None,
                     period: str | None = None, **_ignored) -> None:  # noqa: ANN003
        """Open on a client / type / period (e.g. from the client's page)."""
        if kind:
            index = self.kind.findData(kind)
            if index >= 0:
                self.kind.setCurrentIndex(index)
        if period:
            index = self.period.findData(period)
            if index >= 0:
                self.period.setCurrentIndex(index)
        if client_id is not None:
            self._pending_client = client_id
            self.set_checked({client_id})
            for row in range(self.client_list.count()):
                if self.client_list.item(row).data(Qt.ItemDataRole.UserRole) == client_id:
                    self.client_list.setCurrentRow(row)

    def refresh(self) -> None:
        def load() -> list[tuple[int, str]]:
            with self.context.db.session() as session:
                return rd.report_clients(session)
        self._run(load, self._show_clients, self._fail)

    def _show_clients(self, clients: list[tuple[int, str]]) -> None:
        checked = {cid for cid, _ in self.checked_clients()}
        current = self.current_client()
        self._clients = clients
        self.client_list.blockSignals(True)
        self.client_list.clear()
        for client_id, name in clients:
            item = QListWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, client_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if client_id in checked
                               else Qt.CheckState.Unchecked)
            self.client_list.addItem(item)
            if current and current[0] == client_id:
                self.client_list.setCurrentItem(item)
        self.client_list.blockSignals(False)
        self._apply_filter_text(self.filter.text())
        pending = getattr(self, "_pending_client", None)
        if pending is not None:
            self._pending_client = None
            self.apply_filter(client_id=pending)
        if not clients:
            self.status.setText("There are no clients yet. Add one on the Clients page.")
        self._load_note()
        self._update_buttons()

    def _update_buttons(self) -> None:
        busy = self._thread is not None
        has_clients = bool(self.checked_clients())
        self.export_button.setEnabled(not busy and has_clients)
        self.cancel_button.setEnabled(busy)
        one = self.current_client() is not None
        self.preview_button.setEnabled(one)
        writable = not self.context.read_only
        loaded = self._note_key is not None
        self.note.setReadOnly(not (loaded and writable))
        self.save_note.setEnabled(loaded and writable)
        has_result = self.results.currentItem() is not None
        self.open_pdf.setEnabled(has_result)
        self.open_folder.setEnabled(has_result)
        self.send_button.setEnabled(has_result and writable)
        if self.context.read_only:
            self.send_button.setToolTip("The offline snapshot is read-only; sending is recorded "
                                        "in the database, so it needs the shared server.")

    def _on_kind_changed(self) -> None:
        self._fill_periods()
        self._load_note()

    def _on_changed(self, kind: str, row_id: object) -> None:
        if kind == "client":
            self.refresh()
        elif kind == "report" and not self._note_edited():
            self._load_note()

    def _run(self, fn, on_success, on_failure) -> None:  # noqa: ANN001
        """Database work on the shared worker; nothing when the app is shutting it down."""
        try:
            self.context.runner.run(fn, on_success, on_failure)
        except RuntimeError:  # the worker was shut down: the window is closing
            log.debug("reports: worker already shut down", exc_info=True)

    def _fail(self, exc: BaseException) -> None:
        dialogs().error(self, "Reports", describe_error(exc))

    # ----------------------------------------------------------------- manager's text
    def _load_note(self) -> None:
        # moving to another client or period keeps what was typed: it is saved first
        if self._note_key is not None and self._note_edited():
            self.save_text()
        client = self.current_client()
        kind, period = self.current_kind(), self.current_period()
        title = NOTE_TITLES[kind]
        if client is None or period is None:
            self._note_key = None
            self.note_label.setText(f"{title}: pick a client in the list to write it.")
            self.note.setPlainText("")
            self._update_buttons()
            return
        note_kind = rd.NOTE_KINDS[kind]
        key = (client[0], note_kind, period)
        self._note_key = None  # nothing to save until this client's text is loaded
        self._update_buttons()
        self.note_label.setText(f"{title} for {client[1]}, "
                                f"{rd.parse_period(kind, period).long_label}; printed in the "
                                f"report as typed.")

        def load() -> rd.NoteText:
            with self.context.db.session() as session:
                return rd.get_report_note(session, *key)

        def show(note: rd.NoteText) -> None:
            if self.current_client() is None or (self.current_client()[0], note_kind,
                                                 self.current_period()) != key:
                return  # the selection moved on meanwhile
            self._note_key = key
            self._note_version = note.version
            self.note.setPlainText(note.body)
            self._note_loaded = note.body
            self._update_buttons()

        self._run(load, show, self._fail)

    def _note_edited(self) -> bool:
        return self.note.toPlainText() != self._note_loaded

    def save_text(self) -> None:
        if self._note_key is None or self.context.read_only:
            return
        self._note_loaded = self.note.toPlainText()  # saved (or conflict shown) from here on
        key, body, version = self._note_key, self.note.toPlainText(), self._note_version

        def save() -> rd.NoteText:
            with self.context.db.transaction() as session:
                return rd.save_report_note(session, *key, body, version)

        def saved(note: rd.NoteText) -> None:
            if self._note_key == key:
                self._note_version = note.version
            self.status.setText("Text saved.")
            self.context.events.changed.emit("report", None)

        def failed(exc: BaseException) -> None:
            if isinstance(exc, StaleDataError):
                theirs = exc.theirs.get("body", "")
                keep_mine = dialogs().question(
                    self, "Someone else saved this text",
                    f"{exc}\n\nTheir version:\n{theirs}\n\nYour version:\n{body}\n\n"
                    "Keep your version (Yes) or take theirs (No)?")
                self._reload_after_conflict(key, body if keep_mine else None)
                return
            self._fail(exc)

        self._run(save, saved, failed)

    def _reload_after_conflict(self, key, mine: str | None) -> None:  # noqa: ANN001
        def load() -> rd.NoteText:
            with self.context.db.session() as session:
                return rd.get_report_note(session, *key)

        def show(note: rd.NoteText) -> None:
            if self._note_key == key:
                self._note_version = note.version
                self.note.setPlainText(mine if mine is not None else note.body)
                self._note_loaded = note.body
                if mine is not None:
                    self.save_text()
            elif mine is not None:  # the editor moved on meanwhile: save mine over theirs
                def save_mine() -> rd.NoteText:
                    with self.context.db.transaction() as session:
                        return rd.save_report_note(session, *key, mine, note.version)
                self._run(save_mine, lambda _: self.status.setText("Text saved."),
                                        self._fail)

        self._run(load, show, self._fail)

    # ------------------------------------------------------------------------ export
    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Save reports in", self.folder.text())
        if folder:
            self.folder.setText(folder)

    def export(self) -> None:
        if self._thread is not None:
            return
        clients = self.checked_clients()
        if not clients:
            dialogs().information(self, "Reports", "Tick at least one client.")
            return
        kind, period_key = self.current_kind(), self.current_period()
        try:
            folder = report_export.prepare_folder(self.folder.text().strip()
                                                  or str(Path.home()))
        except Exception as exc:  # noqa: BLE001 - shown as one sentence
            self._fail(exc)
            return
        period = rd.parse_period(kind, period_key)
        jobs = report_export.plan_files(clients, kind, period.key, folder)
        self._cancel = threading.Event()
        self.progress.setRange(0, len(jobs))
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self.status.setText(f"Exporting {len(jobs)} report(s)…")
        db = self.context.db
        cancel, signals = self._cancel, self._progress

        def work() -> None:
            results, error = [], None
            try:
                if len(jobs) >= PROCESS_THRESHOLD:
                    results = report_export.export_many(
                        report_export.database_url_for_workers(db), kind, period.key, jobs,
                        progress=lambda d, t, r: signals.step.emit(d, t, r.client_name),
                        cancel=cancel, read_only=db.read_only)
                else:
                    for client_id, name, target in jobs:
                        if cancel.is_set():
                            break
                        try:
                            with db.session() as session:
                                report_export.export_one(session, client_id, kind, period,
                                                         target)
                            results.append(report_export.ExportResult(client_id, name, target))
                        except Exception as exc:  # noqa: BLE001 - per client
                            results.append(report_export.ExportResult(
                                client_id, name, None, describe_error(exc)))
                        signals.step.emit(len(results), len(jobs), name)
            except BaseException as exc:  # noqa: BLE001 - delivered to the GUI thread
                error = exc
            signals.finished.emit(results, error)

        self._thread = threading.Thread(target=work, name="aftercare-reports", daemon=True)
        self._thread.start()
        self._update_buttons()

    def cancel(self) -> None:
        if self._cancel is not None:
            self._cancel.set()
            self.status.setText("Cancelling after the reports in progress…")

    def is_busy(self) -> bool:
        return self._thread is not None

    @Slot(int, int, str)
    def _on_step(self, done: int, total: int, name: str) -> None:
        self.progress.setMaximum(total)
        self.progress.setValue(done)
        self.status.setText(f"{done} of {total}: {name}")

    @Slot(object, object)
    def _on_finished(self, results: list, error: object) -> None:
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=5)
        cancelled = self._cancel is not None and self._cancel.is_set()
        self._cancel = None
        self.progress.setVisible(False)
        kind, period = self.current_kind(), self.current_period()
        written = [r for r in results if r.path]
        failed = [r for r in results if not r.path]
        for r in written:
            exported = ExportedReport(r.client_id, r.client_name, kind, period, r.path)
            item = QListWidgetItem(f"{r.client_name} — {Path(r.path).name}")
            item.setData(Qt.ItemDataRole.UserRole, exported)
            item.setToolTip(r.path)
            self.results.insertItem(0, item)
        if written:
            self.results.setCurrentRow(0)
            self.tabs.setCurrentIndex(2)
        text = f"{len(written)} report(s) written to {Path(written[0].path).parent}." \
            if written else "No report was written."
        if cancelled:
            text = "Cancelled. " + text
        self.status.setText(text)
        self._update_buttons()
        if error is not None:
            self._fail(error)
        elif failed:
            dialogs().warning(self, "Some reports failed", "\n".join(
                f"{r.client_name}: {r.error}" for r in failed[:20]))

    def selected_export(self) -> ExportedReport | None:
        item = self.results.currentItem()
        return None if item is None else item.data(Qt.ItemDataRole.UserRole)

    def _open_pdf(self) -> None:
        exported = self.selected_export()
        if exported:
            open_url(QUrl.fromLocalFile(exported.path))

    def _open_folder(self) -> None:
        exported = self.selected_export()
        if exported:
            open_url(QUrl.fromLocalFile(str(Path(exported.path).parent)))

    # ------------------------------------------------------------------------ preview
    def preview(self) -> None:
        client = self.current_client()
        if client is None:
            return
        kind, period = self.current_kind(), self.current_period()
        target = Path(self._preview_dir) / f"preview-{client[0]}-{kind}-{period}.pdf"
        self.preview_image.setText("Preparing the preview…")
        self.tabs.setCurrentIndex(1)

        def make() -> str:
            with self.context.db.session() as session:
                report_export.export_one(session, client[0], kind, period, target)
            return str(target)

        self._run(make, self._show_preview, self._fail)

    def _show_preview(self, path: str) -> None:
        from PySide6.QtPdf import QPdfDocument

        document = QPdfDocument(self)
        document.load(path)
        if document.pageCount() < 1:
            self.preview_image.setText("The preview could not be shown.")
            return
        size = document.pagePointSize(0)
        width = max(400, min(900, self.tabs.width() - 40))
        height = int(width * size.height() / size.width()) if size.width() else width
        image: QImage = document.render(0, QSize(width, height))
        self.preview_image.setPixmap(QPixmap.fromImage(image))
        self.preview_image.setToolTip(f"First page of {self.kind.currentText()}")
        document.close()

    # --------------------------------------------------------------------------- send
    def send(self) -> None:
        exported = self.selected_export()
        if exported is None or self.context.read_only:
            return
        from desktop.services.sending import write_draft

        draft = str(Path(exported.path).with_suffix(".eml"))
        user_id = self.context.user_id

        def write() -> object:
            with self.context.db.transaction() as session:
                return write_draft(session, exported.client_id, exported.kind, exported.period,
                                   exported.path, draft, sent_by_id=user_id)

        def done(record: object) -> None:
            self.context.events.changed.emit("report", record.id)
            self.context.events.changed.emit("client", exported.client_id)
            self.status.setText(f"E-mail draft to {record.recipients} written to {draft}; "
                                f"the sending is recorded on the client's page.")
            open_url(QUrl.fromLocalFile(draft))

        self._run(write, done, self._fail)

    def closeEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt's name
        self.cancel()
        super().closeEvent(event)
