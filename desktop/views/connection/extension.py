"""The connection feature in the main window (issue 7): File → Connect…, live updates from other
people's changes, the "connection lost — reconnecting" banner, the offline snapshot banner with
its age, read-only mode, and the refresh of the offline snapshot after each connection.

Installed by ``MainWindow`` through its ``EXTENSIONS`` list: ``install(window)``.
"""
from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication

from desktop.errors import UserError
from desktop.storage.changes import KINDS
from desktop.storage.listener import EVERYTHING, listener_for
from desktop.storage.reconnect import ReconnectPolicy

from ..messages import dialogs
from .banner import ConnectionBanner
from .readonly import apply_read_only
from .target import ConnectionTarget, remember_target

log = logging.getLogger(__name__)

COALESCE_MS = 150  # changes arriving together refresh the views once


class _Relay(QObject):
    """What the worker, listener and snapshot threads emit, delivered on the GUI thread
    (queued). It has no parent, so it outlives the window: a thread finishing after the window
    was deleted emits into nothing instead of into a deleted object."""

    change_arrived = Signal(str, object)
    state_changed = Signal(str, str)
    snapshot_refreshed = Signal(object)
    switch_finished = Signal(object, object, object)  # target, Database or None, error or None


class ConnectionFeature(QObject):

    def __init__(self, window) -> None:  # noqa: ANN001
        super().__init__(window)
        self.window = window
        self.context = window.context
        self.db = self.context.db
        self.dialog = None
        self.snapshot_info = getattr(self.db, "snapshot", None)
        self._pending: set[tuple[str, object]] = set()
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(COALESCE_MS)
        self._flush_timer.timeout.connect(self._flush)
        queued = Qt.ConnectionType.QueuedConnection
        self.relay = relay = _Relay()
        relay.change_arrived.connect(self._on_change, queued)
        relay.state_changed.connect(self._on_state, queued)
        relay.snapshot_refreshed.connect(self._on_snapshot_refreshed, queued)
        relay.switch_finished.connect(self._on_switch_finished, queued)

        self._add_menu()
        self.banner = ConnectionBanner()
        self.window.add_banner(self.banner)

        self.policy = ReconnectPolicy(self.db, relay.state_changed.emit)
        runner = self.context.runner
        if getattr(runner, "guard", None) is None:
            runner.guard = self.policy.run
        self.listener = listener_for(self.db, relay.change_arrived.emit,
                                     relay.state_changed.emit)
        if self.listener is not None:
            self.listener.start()
        window.installEventFilter(self)
        app = QApplication.instance()
        if app is not None:  # quitting must not wait for a server that is gone
            app.aboutToQuit.connect(self.shutdown)

        if self.db.read_only:
            self._set_status()
            self._show_offline()
            apply_read_only(window)
            window.stack.currentChanged.connect(lambda _i: apply_read_only(window))
        elif self.db.mode == "shared":
            self.refresh_snapshot()

    # window furniture -----------------------------------------------------------------------
    def _add_menu(self) -> None:
        self.connect_action = QAction("&Connect…", self.window)
        self.connect_action.setObjectName("action_connect")
        self.connect_action.setShortcut(QKeySequence("Ctrl+Shift+O"))
        self.connect_action.setStatusTip("Open the local file or a shared PostgreSQL server")
        self.connect_action.triggered.connect(self.open_connect_dialog)
        menu = self.window.file_menu
        first = menu.actions()[0] if menu.actions() else None
        menu.insertAction(first, self.connect_action)
        if first is not None:
            menu.insertSeparator(first)

    def _set_status(self, suffix: str = "") -> None:
        label = getattr(self.window, "database_label", None)
        if label is not None:
            name = self.snapshot_info.source if self.db.read_only and self.snapshot_info \
                else self.db.display_name
            label.setText(f"{name} — {self.db.mode_label}{suffix}")
            if self.db.read_only and self.snapshot_info:
                label.setToolTip(str(self.snapshot_info.path))

    def _show_offline(self) -> None:
        info = self.snapshot_info
        if info is not None:
            local = info.taken_at.astimezone().strftime("%d %b %Y %H:%M")
            text = (f"Offline snapshot of {info.source}, taken {info.age()} ({local}). "
                    "Read-only: editing is switched off until you connect to the server.")
        else:
            text = "This database is open read-only: editing is switched off."
        self.banner.show_state("offline", text, "Connect…", self.open_connect_dialog)

    # live updates ---------------------------------------------------------------------------
    @Slot(str, object)
    def _on_change(self, kind: str, row_id: object) -> None:
        self._pending.add((kind, row_id))
        if not self._flush_timer.isActive():
            self._flush_timer.start()

    def _flush(self) -> None:
        pending, self._pending = self._pending, set()
        if any(kind == EVERYTHING for kind, _ in pending):
            pending = {(kind, None) for kind in KINDS}
        for kind, row_id in sorted(pending, key=lambda p: (p[0], str(p[1]))):
            self.context.events.changed.emit(kind, row_id)

    # lost / restored ------------------------------------------------------------------------
    @Slot(str, str)
    def _on_state(self, state: str, sentence: str) -> None:
        if state == "lost":
            self.banner.show_state("lost", f"Connection to the server lost — reconnecting. "
                                           f"{sentence} Your unsaved work stays where it is.",
                                   "Stop waiting", self.policy.cancel)
            self._set_status(" — connection lost, reconnecting")
        elif state == "gave_up":
            self.banner.show_state("lost", f"Not waiting for the server any more. {sentence} "
                                           "Nothing is saved until it is back.",
                                   "Try again", self._try_again)
            self._set_status(" — server out of reach")
        elif state == "restored":
            if self.banner.state in ("lost", "gave_up"):
                self.banner.show_state("restored", "Reconnected to the server; everything "
                                                   "is up to date.", hide_after_ms=4000)
            self._set_status()
            self._on_change(EVERYTHING, None)
            if self.db.mode == "shared":
                self.refresh_snapshot()

    def _try_again(self) -> None:
        self.policy.resume()
        self.banner.show_state("connecting", "Trying the server again…")
        self._on_change(EVERYTHING, None)  # the views reload, which reconnects

    # offline snapshot -----------------------------------------------------------------------
    def refresh_snapshot(self) -> None:
        """Refresh the local snapshot of the shared database, in the background (once at a
        time: a refresh asked for while one runs is the same refresh)."""
        running = getattr(self, "_snapshot_thread", None)
        if running is not None and running.is_alive():
            return
        db, relay = self.db, self.relay

        def work() -> None:
            from desktop.storage.snapshot import refresh_snapshot

            try:
                info = refresh_snapshot(db)
            except Exception:  # noqa: BLE001 - a failed snapshot must not disturb the user
                log.warning("offline snapshot refresh failed", exc_info=True)
                return
            relay.snapshot_refreshed.emit(info)

        self._snapshot_thread = threading.Thread(target=work, name="aftercare-snapshot",
                                                 daemon=True)
        self._snapshot_thread.start()

    @Slot(object)
    def _on_snapshot_refreshed(self, info) -> None:  # noqa: ANN001
        self.snapshot_info = info
        self.window.statusBar().showMessage("Offline copy for reading on the road is up to "
                                            "date.", 5000)

    # switching database ---------------------------------------------------------------------
    def current_target(self) -> ConnectionTarget:
        if self.db.mode == "offline" and self.snapshot_info is not None:
            from desktop.storage.snapshot import snapshot_path  # noqa: F401

            source = self.snapshot_info.source
            user, _, rest = source.partition("@")
            hostport, _, database = rest.partition("/")
            host, _, port = hostport.rpartition(":")
            return ConnectionTarget(kind="shared", host=host, port=int(port or 5432),
                                    database=database, user=user)
        url = self.db.url.render_as_string(hide_password=True)
        return ConnectionTarget.from_url(url.replace("postgresql+psycopg", "postgresql"))

    def open_connect_dialog(self) -> None:
        from .dialog import ConnectionDialog

        if self.dialog is not None:
            self.dialog.raise_()
            return
        self.dialog = ConnectionDialog(self.context.ui, self.current_target(), self.window)
        self.dialog.accepted.connect(
            lambda: self.switch_to(self.dialog.target(), self.dialog.typed_password()))
        self.dialog.finished.connect(self._dialog_closed)
        self.dialog.open()

    def _dialog_closed(self) -> None:
        if self.dialog is not None:
            self.dialog.password.clear()
            self.dialog.deleteLater()
            self.dialog = None

    def switch_to(self, target: ConnectionTarget, password: str = "") -> None:
        """Open ``target`` in the background, then replace the window's database with it."""
        from desktop.storage.urls import parse_url, store_password, stored_password

        try:
            url = parse_url(target.url())
        except UserError as exc:
            dialogs().warning(self.window, "Cannot connect", str(exc))
            return
        # the engine reads the password from the keyring; a password that does not work is
        # taken out again (the one stored before, if any, is put back)
        self._password_before = None
        if password and url.get_backend_name() == "postgresql":
            self._password_before = (url, stored_password(url))
            store_password(url, password)
        self.banner.show_state("connecting", f"Connecting to {target.label()}…")
        relay = self.relay

        def work() -> None:
            from desktop.storage.database import open_database
            from desktop.storage.probe import server_unreachable

            try:
                if url.get_backend_name() == "postgresql":
                    reason = server_unreachable(url)
                    if reason is not None:
                        raise UserError(reason)
                db = open_database(target.url())
            except UserError as exc:
                relay.switch_finished.emit(target, None, exc)
            except Exception as exc:  # noqa: BLE001 - told plainly, logged as a bug
                log.exception("opening %s failed", target.label())
                relay.switch_finished.emit(target, None, exc)
            else:
                relay.switch_finished.emit(target, db, None)

        threading.Thread(target=work, name="aftercare-connect", daemon=True).start()

    @Slot(object, object, object)
    def _on_switch_finished(self, target: ConnectionTarget, db, error) -> None:  # noqa: ANN001
        if error is not None:
            from ..worker import describe_error

            self._restore_password()

            if self.db.read_only:
                self._show_offline()
            else:
                self.banner.clear()
            dialogs().warning(self.window, "Cannot connect", describe_error(error))
            return
        remember_target(self.context.ui, target)
        replace_window(self.window, db)

    def _restore_password(self) -> None:
        import keyring
        from keyring.errors import KeyringError

        from desktop.storage.urls import KEYRING_SERVICE, keyring_user, store_password

        before, self._password_before = getattr(self, "_password_before", None), None
        if before is None:
            return
        url, previous = before
        try:
            if previous is None:
                keyring.delete_password(KEYRING_SERVICE, keyring_user(url))
            else:
                store_password(url, previous)
        except KeyringError:
            log.warning("could not take a failed password out of the keyring")

    # shutting down --------------------------------------------------------------------------
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if obj is self.window and event.type() == QEvent.Type.Close:
            self.shutdown()
        return False

    def shutdown(self) -> None:
        """Stop listening and waiting for the server; let a snapshot being written finish
        (its database is about to be closed)."""
        self.policy.cancel()
        self._flush_timer.stop()
        self._pending.clear()
        if self.listener is not None:
            self.listener.stop()
            self.listener = None
        thread = getattr(self, "_snapshot_thread", None)
        if thread is not None:
            thread.join(60)


def replace_window(old, db):  # noqa: ANN001, ANN201
    """A new main window on ``db`` in place of ``old`` (switching without restarting); the old
    window's worker finishes its work and its database is closed."""
    from desktop.app import build_context

    from ..main_window import MainWindow
    from ..worker import OpRunner
    from .identity import choose_identity

    ui = old.context.ui
    old.save_state()
    username = choose_identity(db, ui, old)
    context = build_context(db, OpRunner(), ui, username)
    window = MainWindow(context)
    window.show()
    app = QApplication.instance()
    if app is not None:
        app.main_window = window
    old_runner, old_db = old.context.runner, old.context.db
    old.close()

    def release() -> None:  # once the old window and its views (and their timers) are gone
        from shiboken6 import delete, isValid

        old_runner.shutdown()
        if isValid(old_runner):  # results still queued for the deleted views are dropped
            delete(old_runner)
        if old_db is not db:
            old_db.dispose()

    old.destroyed.connect(release)
    old.deleteLater()
    return window


def install(window) -> None:  # noqa: ANN001
    window.connection_feature = ConnectionFeature(window)
