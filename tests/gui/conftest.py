"""GUI test helpers: an AppContext on a fresh SQLite database, and scripted dialogs."""
from __future__ import annotations

import pytest


@pytest.fixture
def dialogs_script():
    """Message boxes recorded instead of shown; questions answered from ``.answers``."""
    from desktop.views.messages import ScriptedDialogs, set_dialogs

    scripted = ScriptedDialogs()
    previous = set_dialogs(scripted)
    yield scripted
    set_dialogs(previous)


@pytest.fixture
def app_context(qtbot, sqlite_url, tmp_path, dialogs_script):
    """An AppContext like the running app's, on an empty migrated SQLite database."""
    from desktop.app import build_context
    from desktop.storage.database import open_database
    from desktop.views.ui_settings import UiSettings
    from desktop.views.worker import OpRunner

    db = open_database(sqlite_url)
    runner = OpRunner()
    context = build_context(db, runner, UiSettings(str(tmp_path / "ui.ini")))
    yield context
    runner.shutdown()
    db.dispose()
