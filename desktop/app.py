"""QApplication start-up (DESIGN §1): open the database, offer demo data on a first run, show
the main window. ``main(argv)`` reuses a running QApplication and returns the exit code."""
from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from desktop.errors import UserError


def _parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="aftercare", add_help=False)
    parser.add_argument("--database", default=None)
    args, _unknown = parser.parse_known_args(list(argv))
    return args


def build_context(db, runner, ui, username=None):  # noqa: ANN001
    from desktop.services.settings import load_settings
    from desktop.services.staff import current_user, os_login

    from desktop.views.context import AppContext

    username = username or os_login()
    if db.read_only:
        with db.session() as session:
            agency = load_settings(session)
        user_id = 0
    else:
        with db.transaction() as session:
            user = current_user(session, username)
            user_id = user.id
            agency = load_settings(session)
    return AppContext(db=db, username=username, user_id=user_id, agency=agency,
                      runner=runner, ui=ui)


def is_empty(db) -> bool:  # noqa: ANN001
    from sqlalchemy import func, select

    from desktop.models import Client

    with db.session() as session:
        return not session.scalar(select(func.count()).select_from(Client))


def offer_demo_data(db, parent=None) -> None:  # noqa: ANN001
    """First run: offer to fill the empty database with realistic demo data."""
    from desktop.views.messages import dialogs

    if os.environ.get("AFTERCARE_NO_DEMO_OFFER"):
        return
    try:
        from desktop.services.demo import generate_demo
    except ImportError:
        return
    if dialogs().question(parent, "Welcome to Aftercare",
                          "This database is empty. Fill it with demo data (20 clients, "
                          "2,000 tickets) to look around?"):
        generate_demo(db, clients=20, tickets=2000, seed=1)


def start_daily_backup(context) -> None:  # noqa: ANN001
    """Once a day, back the local database up (issue 8). On a thread of its own, not the
    database worker: copying a large file must not hold up the queue's first page."""
    if os.environ.get("AFTERCARE_NO_BACKUP") or not context.db.is_sqlite or context.read_only:
        return
    import threading

    from desktop.storage.auto_backup import daily_backup

    def work() -> None:
        try:
            daily_backup(context.db)
        except Exception as exc:  # noqa: BLE001 - a failed backup is logged, never fatal
            logging.getLogger(__name__).warning("daily backup failed: %s", exc)

    threading.Thread(target=work, name="aftercare-backup").start()


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    from PySide6.QtWidgets import QApplication

    from desktop.views.connection.identity import choose_identity
    from desktop.views.connection.startup import open_at_start
    from desktop.views.main_window import MainWindow
    from desktop.views.messages import dialogs
    from desktop.views.ui_settings import UiSettings
    from desktop.views.worker import OpRunner

    from desktop.logs import setup_logging

    setup_logging()
    app = QApplication.instance()
    owns_app = app is None
    if owns_app:
        app = QApplication(sys.argv[:1])
        app.setApplicationName("Aftercare")
        app.setOrganizationName("Aftercare")
        from desktop.views.style import apply_style

        apply_style(app)
    args = _parse(argv)
    ui = UiSettings()
    try:
        # --database, AFTERCARE_DATABASE_URL, the last one connected to, or the local file;
        # a shared server out of reach offers its offline snapshot (issue 7)
        db = open_at_start(args.database, ui)
        if not db.read_only and is_empty(db):
            offer_demo_data(db)
    except UserError as exc:
        dialogs().error(None, "Aftercare cannot open the database", str(exc))
        return 1
    runner = OpRunner()
    context = build_context(db, runner, ui, choose_identity(db, ui))
    window = MainWindow(context)
    window.show()
    app.main_window = window  # keep a reference for the app's lifetime (and for tests)
    start_daily_backup(context)
    if not owns_app:
        return 0
    if os.environ.get("AFTERCARE_EXIT_AFTER_START"):  # smoke test of a built package
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, app.quit)
    code = app.exec()
    runner.shutdown()
    db.dispose()
    return code
