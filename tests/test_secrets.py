"""The PostgreSQL password never leaves the keyring (issue 8, DESIGN §3/§9): not into a log,
ui.ini (QSettings), the offline snapshot, a backup, a dump, a CSV, a report, a message, an
exception or the crash dialog.

One long session does what a user does: the password is stored in the (in-memory) keyring,
the app connects with it (trust authentication accepts it, so it really is sent), imports,
exports, writes reports, starts the window, takes the offline snapshot, hits a bug (crash
dialog), then tries a server that is not there (127.0.0.1:1) through the command line and the
window's start path. Afterwards EVERY file under the data folder and the output folder is
searched for the password, in the encodings a file could hold it.
"""
from __future__ import annotations

import base64
import logging
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest

from desktop.cli import main as cli

SAMPLE = Path(__file__).parent / "data" / "sample_dump.json"
DOWN_URL = "postgresql://anita@127.0.0.1:1/aftercare"


def _forms(secret: str) -> list[bytes]:
    """How a password could sit in a file: as UTF-8, UTF-16 (QSettings, Windows), URL-quoted,
    base64 (a config blob), and Python's repr escaping."""
    forms = {secret.encode(), secret.encode("utf-16-le"), quote(secret).encode(),
             base64.b64encode(secret.encode())[:-4], secret.encode("unicode_escape")}
    return sorted(forms)


def _files_holding(folder: Path, secret: str) -> list[str]:
    hits = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if any(form in data for form in _forms(secret)):
            hits.append(str(path))
    return hits


def _run(argv, capsys) -> tuple[int, str]:  # noqa: ANN001
    code = cli(argv)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def _close(window) -> None:  # noqa: ANN001
    from PySide6.QtCore import QCoreApplication, QEvent

    context = window.context
    feature = getattr(window, "connection_feature", None)
    if feature is not None:
        feature.shutdown()
    window.close()
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    context.runner.shutdown()
    context.db.dispose()


@pytest.mark.pg
def test_the_password_is_in_no_file_the_app_wrote(pg_url, memory_keyring, isolated_data_dir,
                                                   tmp_path, capsys, caplog, qtbot,
                                                   monkeypatch):
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    from desktop.logs import log_file, setup_logging
    from desktop.storage.urls import keyring_user, parse_url
    from desktop.views.messages import ScriptedDialogs, set_dialogs

    secret = f"Pw-{uuid.uuid4().hex}"
    memory_keyring.set_password("aftercare", keyring_user(parse_url(pg_url)), secret)
    memory_keyring.set_password("aftercare", keyring_user(parse_url(DOWN_URL)), secret)
    monkeypatch.setenv("AFTERCARE_NO_DEMO_OFFER", "1")
    monkeypatch.delenv("AFTERCARE_NO_BACKUP", raising=False)  # backups are files too
    caplog.set_level(logging.DEBUG)
    setup_logging()
    out = tmp_path / "out"
    out.mkdir()
    said: list[str] = []  # everything printed or shown to the user

    # --- the command line, connected with the password -------------------------------------
    for argv in (["import", str(SAMPLE)], ["export", str(out / "dump.json")],
                 ["export-tickets", str(out / "tickets.csv")],
                 # one client, in this process (--all spawns workers, which would read the
                 # real OS keyring rather than the test's in-memory one)
                 ["report", "monthly", "--client", "Sharma Textiles", "--month", "2026-03",
                  "-o", str(out / "monthly.pdf")],
                 ["report", "quarterly", "--client", "Sharma Textiles", "--quarter", "2026-Q1",
                  "-o", str(out / "quarterly.pdf")],
                 ["calendar", str(out / "calendar.ics")], ["check"]):
        code, text = _run(["--database", pg_url, *argv], capsys)
        assert code == 0, (argv, text)
        said.append(text)
    code, text = _run(["--database", pg_url, "backup", str(out / "backup.db")], capsys)
    said.append(text)  # (a shared database may refuse a file backup: in words, either way)

    # --- the window on the shared database: settings, snapshot, a crash ---------------------
    scripted = ScriptedDialogs()
    previous = set_dialogs(scripted)
    try:
        from desktop.app import main as gui_main
        from desktop.storage.snapshot import refresh_snapshot

        assert gui_main(["--database", pg_url]) == 0
        window = QApplication.instance().main_window
        try:
            refresh_snapshot(window.context.db)
            window.context.ui.last_view = "queue"
            try:  # a bug in a database call: the crash dialog and the log get the details
                with window.context.db.engine.connect() as connection:
                    connection.exec_driver_sql("SELECT no_such_column FROM tickets")
            except Exception:  # noqa: BLE001
                sys.excepthook(*sys.exc_info())
            dialog = window._crash_dialog
            assert dialog.isVisible()
            dialog.copy_button.click()
            said += [dialog.details, QGuiApplication.clipboard().text()]
            dialog.close()
        finally:
            sys.excepthook = window._previous_excepthook
            _close(window)
            del QApplication.instance().main_window

        # --- a server that is not there, with the password stored for it -------------------
        code, text = _run(["--database", DOWN_URL, "check"], capsys)
        said.append(text)
        code, text = _run(["--database", DOWN_URL, "export", str(out / "never.json")], capsys)
        assert code == 1 and "\n" not in text.strip()
        said.append(text)
        assert gui_main(["--database", DOWN_URL]) == 1
    finally:
        set_dialogs(previous)
    said += [f"{title} {text}" for _kind, title, text in scripted.shown]
    assert scripted.shown and scripted.shown[-1][0] == "error"

    for handler in logging.getLogger().handlers:
        handler.flush()
    assert log_file().exists() and log_file().stat().st_size > 0
    files = sorted(p.name for p in isolated_data_dir.rglob("*") if p.is_file())
    assert any(name.endswith(".ini") for name in files), files  # ui.ini was written
    assert any("snapshot" in name or name.endswith(".db") for name in files), files
    assert (out / "dump.json").stat().st_size > 1000
    assert list(out.glob("*.pdf"))

    assert _files_holding(isolated_data_dir, secret) == []
    assert _files_holding(out, secret) == []
    assert _files_holding(tmp_path, secret) == []
    for text in said + [caplog.text]:
        assert not any(form.decode("latin-1") in text for form in _forms(secret))


def test_an_exception_from_a_failed_connection_carries_no_password(memory_keyring):
    """Worked example: the UserError, its chained causes and their tracebacks."""
    import traceback

    from desktop.errors import UserError
    from desktop.storage.database import open_database
    from desktop.storage.urls import keyring_user, parse_url

    secret = f"Pw-{uuid.uuid4().hex}"
    memory_keyring.set_password("aftercare", keyring_user(parse_url(DOWN_URL)), secret)
    with pytest.raises(UserError) as caught:
        open_database(DOWN_URL)
    text = "".join(traceback.format_exception(caught.value))
    assert "127.0.0.1" in str(caught.value)
    assert secret not in text and secret not in repr(caught.value.__dict__)
    assert "\n" not in str(caught.value)


def test_a_url_with_a_password_is_refused_everywhere_without_repeating_it(capsys):
    secret = f"Pw-{uuid.uuid4().hex}"
    url = f"postgresql://anita:{secret}@127.0.0.1:1/aftercare"
    for argv in (["--database", url, "check"], ["--database", url, "export", "x.json"],
                 ["password", "delete", url]):
        code, text = _run(argv, capsys)
        assert code == 1
        assert secret not in text
        assert "keyring" in text or "no password" in text
