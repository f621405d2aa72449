"""The connection feature (issue 7): the connection dialog's verdicts, recent connections
without passwords, switching database without restarting, live updates reaching the views,
the reconnect banner, and start-up on the offline snapshot when the server is out of reach."""
from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel
from sqlalchemy.engine import make_url

from desktop.storage.changes import record_change
from desktop.storage.database import open_database
from desktop.views.connection.dialog import ConnectionDialog
from desktop.views.connection.target import ConnectionTarget, recent_targets, remember_target
from desktop.views.ui_settings import UiSettings

SECRET = "Sup3r-Secret!pw"


def shiboken_valid(obj) -> bool:  # noqa: ANN001
    from shiboken6 import isValid

    return isValid(obj)


@pytest.fixture
def ui(tmp_path):
    return UiSettings(str(tmp_path / "ui.ini"))


def pg_target(pg_url: str, **changes) -> ConnectionTarget:
    url = make_url(pg_url)
    fields = dict(kind="shared", host=url.host, port=url.port or 5432, database=url.database,
                  user=url.username)
    fields.update(changes)
    return ConnectionTarget(**fields)


def verdict_after_test(qtbot, dialog: ConnectionDialog) -> str:
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.last_result is not None, timeout=15000)
    return dialog.verdict.text()


@pytest.mark.pg
def test_test_connection_says_plainly_that_the_server_is_ready(qtbot, ui, pg_empty_url, tmp_path):
    dialog = ConnectionDialog(ui, pg_target(pg_empty_url))
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.shared_choice.isChecked() and not dialog.local_box.isVisible()
    text = verdict_after_test(qtbot, dialog)
    assert text.startswith("✓ Connected to PostgreSQL")
    assert "empty; Aftercare will set it up" in text
    open_database(pg_empty_url).dispose()
    assert "the Aftercare database is ready" in verdict_after_test(qtbot, dialog)
    dialog.grab().save(str(tmp_path / "connection.png"))


@pytest.mark.parametrize("changes, expected", [
    ({"host": "127.0.0.1", "port": 1},
     "✗ Nothing is accepting connections at 127.0.0.1, port 1; the server may be stopped or "
     "the port wrong."),
    ({"host": "no-such-host.invalid"},
     "✗ The server name 'no-such-host.invalid' is unknown; check the host name."),
])
def test_a_failed_test_is_one_sentence_without_the_password(qtbot, ui, caplog, changes,
                                                            expected):
    caplog.set_level(logging.DEBUG)
    target = ConnectionTarget(kind="shared", host="127.0.0.1", port=5432, database="aftercare",
                              user="anita").__class__(**{**ConnectionTarget(
                                  kind="shared", database="aftercare", user="anita").to_dict(),
                                  **changes})
    dialog = ConnectionDialog(ui, target)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.password, SECRET)
    assert verdict_after_test(qtbot, dialog) == expected
    assert SECRET not in caplog.text


def test_a_wrong_password_reads_as_such_and_never_echoes_it():
    import psycopg

    from desktop.storage.probe import describe_connect_error

    url = make_url("postgresql+psycopg://anita@db.example.com:5432/aftercare")
    error = psycopg.OperationalError(
        'connection failed: connection to server at "10.0.0.5", port 5432 failed: FATAL:  '
        f'password authentication failed for user "anita" (tried {SECRET})')
    sentence = describe_connect_error(error, url, SECRET)
    assert sentence == ("The server at db.example.com refused the password for user 'anita'; "
                        "check the user name and password.")
    odd = psycopg.OperationalError(f"something odd happened near {SECRET}")
    assert SECRET not in describe_connect_error(odd, url, SECRET)


def test_missing_fields_are_named_before_anything_is_tried(qtbot, ui):
    dialog = ConnectionDialog(ui, ConnectionTarget(kind="shared", host="", database="x"))
    qtbot.addWidget(dialog)
    qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
    assert dialog.verdict.text() == "✗ Enter the host."
    assert dialog.result() == 0


def test_recent_connections_are_remembered_without_passwords(qtbot, ui, tmp_path,
                                                              memory_keyring):
    local = ConnectionTarget(kind="local", path=str(tmp_path / "office.db"))
    shared = ConnectionTarget(kind="shared", host="db.agency.in", port=6543,
                              database="support", user="anita", sslmode="require")
    remember_target(ui, local)
    remember_target(ui, shared)
    remember_target(ui, local)  # used again: first, not twice
    assert recent_targets(ui) == [local, shared]
    dialog = ConnectionDialog(ui, local)
    qtbot.addWidget(dialog)
    assert dialog.recent.count() == 3
    assert dialog.recent.itemText(2) == "anita@db.agency.in:6543/support (SSL require)"
    dialog.recent.activated.emit(2)
    assert dialog.target() == shared
    assert dialog.password.text() == ""
    assert dialog.password.echoMode() == dialog.password.EchoMode.Password
    ui.sync()
    saved = (tmp_path / "ui.ini").read_text()
    assert "db.agency.in" in saved and "password" not in saved.lower()
    assert shared.url() == "postgresql://anita@db.agency.in:6543/support?sslmode=require"


def test_a_local_file_is_checked_before_connecting(qtbot, ui, tmp_path):
    dialog = ConnectionDialog(ui, ConnectionTarget(kind="local", path=str(tmp_path / "new.db")))
    qtbot.addWidget(dialog)
    assert verdict_after_test(qtbot, dialog) == \
        "✓ The file does not exist yet; Aftercare will create it."
    (tmp_path / "notes.txt").write_text("hello")
    dialog.path.setText(str(tmp_path / "notes.txt"))
    assert "is not an SQLite database file" in verdict_after_test(qtbot, dialog)


# --- the window ---------------------------------------------------------------------------
def close_window(window) -> None:  # noqa: ANN001
    """Close a main window like the app does, delete it (its views' timers with it), then stop
    its worker and close its database."""
    from PySide6.QtCore import QCoreApplication, QEvent

    if not shiboken_valid(window):
        return
    context = window.context
    window.connection_feature.shutdown()
    window.close()
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    from shiboken6 import delete

    context.runner.shutdown()
    if shiboken_valid(context.runner):
        delete(context.runner)  # results queued for the deleted views are dropped
    context.db.dispose()


@pytest.fixture
def window_on(qtbot, tmp_path, dialogs_script):
    """A main window on a database URL, like the running app's; closed and deleted afterwards
    (explicitly, rather than by qtbot, because a database switch deletes windows itself)."""
    from desktop.app import build_context
    from desktop.views.main_window import MainWindow
    from desktop.views.worker import OpRunner

    made = []

    def make(url: str | None = None, db=None):  # noqa: ANN001
        db = db or open_database(url)
        context = build_context(db, OpRunner(), UiSettings(str(tmp_path / "ui.ini")))
        window = MainWindow(context)
        made.append(window)
        return window

    yield make
    app = QApplication.instance()
    for window in made + [getattr(app, "main_window", None)]:
        if window is not None:
            close_window(window)
    if hasattr(app, "main_window"):
        del app.main_window


@pytest.mark.pg
def test_another_persons_change_reaches_the_open_views(qtbot, window_on, pg_url):
    window = window_on(pg_url)
    feature = window.connection_feature
    assert feature.listener.connected.wait(5)
    other = open_database(pg_url)
    try:
        with qtbot.waitSignal(window.context.events.changed, timeout=2000,
                              check_params_cb=lambda kind, row: (kind, row) == ("ticket", 12)):
            with other.transaction() as session:
                record_change(session, "ticket", 12)
    finally:
        other.dispose()


def test_another_process_writing_the_sqlite_file_refreshes_the_views(qtbot, window_on,
                                                                     sqlite_url):
    import sqlite3

    window = window_on(sqlite_url)
    assert window.connection_feature.listener.connected.wait(5)
    seen = []
    window.context.events.changed.connect(lambda kind, row: seen.append((kind, row)))
    writer = sqlite3.connect(make_url(sqlite_url).database)
    writer.execute("UPDATE settings SET version = version + 1")
    writer.commit()
    writer.close()
    qtbot.waitUntil(lambda: ("ticket", None) in seen, timeout=3000)
    assert ("contract", None) in seen and ("occurrence", None) in seen
    assert len(seen) == len(set(seen))  # one refresh per kind, not a storm


@pytest.mark.pg
def test_the_reconnect_banner_and_the_pending_save_completing(qtbot, window_on, pg_url,
                                                              tmp_path):
    from desktop.models import Ticket
    from desktop.storage.edits import read_for_edit, save_fields
    from desktop.storage.reconnect import Backoff
    from tests.shared_helpers import TcpProxy, make_ticket

    setup = open_database(pg_url)
    ticket_id = make_ticket(setup)
    setup.dispose()
    proxy = TcpProxy()
    try:
        window = window_on(make_url(pg_url).set(port=proxy.port).render_as_string(False))
        window.show()
        feature = window.connection_feature
        feature.policy.backoff = Backoff(initial=0.1, maximum=0.5)
        db = window.context.db
        with db.session() as session:
            form = read_for_edit(session, Ticket, ticket_id)
        proxy.cut()
        saved = []
        window.context.runner.run(
            lambda: save_fields(db, Ticket, "ticket", ticket_id, form.version,
                                {"title": "Typed during the outage"}), saved.append)
        banner_text = window.findChild(QLabel, "connection_banner_text")
        qtbot.waitUntil(lambda: feature.banner.state == "lost", timeout=10000)
        assert banner_text.text().startswith("Connection to the server lost — reconnecting.")
        assert "Your unsaved work stays where it is." in banner_text.text()
        assert "connection lost" in window.database_label.text()
        window.grab().save(str(tmp_path / "banner_lost.png"))
        assert saved == []
        proxy.restore()
        qtbot.waitUntil(lambda: saved == [form.version + 1], timeout=15000)
        qtbot.waitUntil(lambda: feature.banner.state == "restored", timeout=5000)
        assert "Reconnected" in banner_text.text()
        assert "connection lost" not in window.database_label.text()
    finally:
        proxy.close()


@pytest.mark.pg
def test_stop_waiting_gives_the_save_back_to_the_form(qtbot, window_on, pg_url):
    from desktop.errors import UserError
    from desktop.storage.reconnect import Backoff
    from tests.shared_helpers import TcpProxy

    proxy = TcpProxy()
    try:
        window = window_on(make_url(pg_url).set(port=proxy.port).render_as_string(False))
        feature = window.connection_feature
        feature.policy.backoff = Backoff(initial=0.2, maximum=0.5)
        proxy.cut()
        failed = []
        db = window.context.db
        window.context.runner.run(lambda: db.session().connection().exec_driver_sql("SELECT 1"),
                                  lambda _v: None, failed.append)
        qtbot.waitUntil(lambda: feature.banner.state == "lost", timeout=10000)
        assert feature.banner.action.text() == "Stop waiting"
        qtbot.mouseClick(feature.banner.action, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: bool(failed), timeout=10000)  # at once, not after a retry
        assert isinstance(failed[0], UserError)
        assert "not saved" in str(failed[0]) and "still in the form" in str(failed[0])
        assert feature.banner.action.text() == "Try again"
        assert "Not waiting for the server any more" in feature.banner.text.text()
        proxy.restore()
        qtbot.mouseClick(feature.banner.action, Qt.MouseButton.LeftButton)
        done = []
        window.context.runner.run(lambda: db.session().connection().exec_driver_sql(
            "SELECT 1").scalar(), done.append)
        qtbot.waitUntil(lambda: done == [1], timeout=10000)
    finally:
        proxy.close()


@pytest.mark.pg
def test_switching_to_a_shared_server_without_restarting(qtbot, window_on, sqlite_url,
                                                         pg_url, memory_keyring):
    from desktop.storage.snapshot import find_snapshot

    old = window_on(sqlite_url)
    old.show()
    old.connection_feature.switch_to(pg_target(pg_url), SECRET)
    app = QApplication.instance()
    qtbot.waitUntil(lambda: getattr(app, "main_window", old) is not old, timeout=15000)
    new = app.main_window
    assert new.context.db.mode == "shared"
    assert new.database_label.text().endswith("— shared")
    assert new.isVisible()
    assert list(memory_keyring.passwords.values()) == [SECRET]  # the keyring, nowhere else
    assert recent_targets(new.context.ui)[0] == pg_target(pg_url)
    new.context.ui.sync()
    assert SECRET not in Path(new.context.ui.file_name).read_text()
    qtbot.waitUntil(lambda: not shiboken_valid(old), timeout=5000)  # the old window is gone
    qtbot.waitUntil(lambda: find_snapshot(pg_url) is not None, timeout=15000)


def test_switching_to_an_unreachable_server_keeps_the_current_database(qtbot, window_on,
                                                                      sqlite_url,
                                                                      dialogs_script, caplog,
                                                                      memory_keyring):
    caplog.set_level(logging.DEBUG)
    window = window_on(sqlite_url)
    window.connection_feature.switch_to(
        ConnectionTarget(kind="shared", host="127.0.0.1", port=1, database="aftercare",
                         user="anita"), SECRET)
    qtbot.waitUntil(lambda: bool(dialogs_script.shown), timeout=15000)
    kind, title, text = dialogs_script.shown[-1]
    assert (kind, title) == ("warning", "Cannot connect")
    assert text.startswith("Nothing is accepting connections at 127.0.0.1, port 1")
    assert SECRET not in text
    assert window.context.db.mode == "local"
    assert not window.connection_feature.banner.isVisible()
    assert SECRET not in caplog.text
    assert memory_keyring.passwords == {}  # a password that did not work is not kept


# --- start-up -----------------------------------------------------------------------------
def test_unreachable_server_at_start_up_opens_the_snapshot_read_only(qtbot, tmp_path,
                                                                    dialogs_script):
    from desktop.app import main
    from desktop.storage.snapshot import find_snapshot, snapshot_path
    from tests.shared_helpers import fill_small_agency

    dead = "postgresql://anita@127.0.0.1:1/aftercare"
    # a snapshot taken on an earlier day (built here from a local database)
    source = open_database(f"sqlite:///{tmp_path / 'earlier.db'}")
    fill_small_agency(source)
    source.dispose()
    shutil.copy(tmp_path / "earlier.db", snapshot_path(dead))
    info = find_snapshot(dead)
    assert info is not None

    dialogs_script.answers.append(True)
    assert main(["--database", dead]) == 0
    window = QApplication.instance().main_window
    try:
        question = dialogs_script.shown[0]
        assert question[0] == "question"
        assert question[2].startswith("Nothing is accepting connections at 127.0.0.1, port 1")
        assert "Open the offline snapshot of anita@127.0.0.1:5432/aftercare" not in question[2]
        assert "offline snapshot" in question[2] and "Nothing can be changed" in question[2]
        db = window.context.db
        assert db.read_only and db.mode == "offline"
        assert window.database_label.text() == \
            "anita@127.0.0.1:1/aftercare — offline snapshot, read-only"
        banner = window.connection_feature.banner
        assert banner.state == "offline"
        assert "taken just now" in banner.text.text() or " ago (" in banner.text.text()
        assert "editing is switched off" in banner.text.text()
        from PySide6.QtGui import QAction

        from desktop.views.connection.readonly import is_editing

        editing = [a for a in window.findChildren(QAction) if is_editing(a)]
        assert len(editing) >= 5  # reply, note, assign, log time, statuses…
        assert not any(a.isEnabled() for a in editing)
        assert window.connection_feature.connect_action.isEnabled()  # reconnecting stays open
        window.grab().save(str(tmp_path / "offline.png"))
    finally:
        close_window(window)
        del QApplication.instance().main_window


def test_unreachable_server_and_no_snapshot_is_one_clear_sentence(dialogs_script, caplog):
    from desktop.app import main
    from desktop.storage.urls import parse_url, store_password

    caplog.set_level(logging.DEBUG)
    store_password(parse_url("postgresql://anita@127.0.0.1:1/aftercare"), SECRET)
    assert main(["--database", "postgresql://anita@127.0.0.1:1/aftercare"]) == 1
    kind, title, text = dialogs_script.shown[-1]
    assert kind == "error"
    assert text == ("Nothing is accepting connections at 127.0.0.1, port 1; the server may be "
                    "stopped or the port wrong. There is no offline copy of "
                    "anita@127.0.0.1:1/aftercare on this computer yet.")
    assert SECRET not in caplog.text
    from desktop.logs import log_file

    assert SECRET not in log_file().read_text(encoding="utf-8", errors="replace")


def test_marked_editing_actions_stay_disabled_on_the_snapshot(qtbot, window_on, sqlite_url):
    from PySide6.QtGui import QAction

    from desktop.views.connection.readonly import apply_read_only, mark_editing

    open_database(sqlite_url).dispose()
    window = window_on(db=open_database(sqlite_url, read_only=True))
    reply = mark_editing(QAction("Reply", window))
    window.addAction(reply)
    assert apply_read_only(window) >= 1
    assert not reply.isEnabled()
    reply.setEnabled(True)  # a view enabling it on selection
    assert not reply.isEnabled()


# --- who am I -----------------------------------------------------------------------------
def test_the_staff_identity_is_asked_once_per_database(ui, sqlite_url):
    from desktop.services.staff import get_or_create_staff
    from desktop.views.connection.identity import choose_identity, set_identity_chooser

    db = open_database(sqlite_url)
    try:
        assert choose_identity(db, ui) == __import__("getpass").getuser()  # nobody yet: OS login
        other = open_database(sqlite_url)
        with other.transaction() as session:
            get_or_create_staff(session, "anita")
            get_or_create_staff(session, "ravi")
        other.dispose()
        asked = []
        previous = set_identity_chooser(lambda names, default, parent: asked.append(names)
                                        or "ravi")
        try:
            ui.set_document("identities", {})
            assert choose_identity(db, ui) == "ravi"
            assert asked == [["anita", "ravi"]]
            assert choose_identity(db, ui) == "ravi"  # remembered: not asked again
            assert len(asked) == 1
        finally:
            set_identity_chooser(previous)
    finally:
        db.dispose()


def test_the_identity_question_never_blocks_a_run_nobody_can_answer(qtbot, ui, sqlite_url):
    """Offscreen (scripted runs, other tests starting the app) the OS login is taken."""
    from desktop.services.staff import get_or_create_staff, os_login
    from desktop.views.connection.identity import choose_identity

    db = open_database(sqlite_url)
    try:
        with db.transaction() as session:
            get_or_create_staff(session, "anita")
        assert choose_identity(db, ui) == os_login()
    finally:
        db.dispose()
