"""Regenerate the README screenshots from the real application, offscreen.

    python scripts/screenshots.py [--out docs/screenshots] [--only NAME ...]

It fills a fresh database with demo data (``desktop.services.demo``), opens the real main window
offscreen at a fixed size, and saves one PNG per entry of ``SHOTS``. Views add their own
screenshot by adding an entry: (file name, "module:function"); the function is called as
``function(window, pump)`` once the window is shown and returns the widget to grab (``pump(s)``
processes events for ``s`` seconds so worker results arrive).
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# file name, "module:function" (function(window, pump) -> QWidget to grab)
SHOTS = [
    ("queue.png", "scripts.screenshots:queue_shot"),
    ("ticket_workspace.png", "scripts.screenshots:workspace_shot"),
    ("new_ticket.png", "scripts.screenshots:new_ticket_shot"),
    ("reports.png", "desktop.views.reports.screenshot:reports_shot"),
    ("dashboard.png", "scripts.screenshots:dashboard_shot"),
    ("clients.png", "scripts.screenshots:clients_shot"),
    ("contracts.png", "scripts.screenshots:contracts_shot"),
    ("calendar.png", "scripts.screenshots:calendar_shot"),
    ("settings.png", "scripts.screenshots:settings_shot"),
]


def _view_shot(name: str):  # noqa: ANN202
    def shot(window, pump):  # noqa: ANN001, ANN202
        window.show_view(name)
        pump(2.0)
        return window
    return shot


dashboard_shot = _view_shot("dashboard")
clients_shot = _view_shot("clients")
contracts_shot = _view_shot("contracts")
calendar_shot = _view_shot("calendar")
settings_shot = _view_shot("settings")


def queue_shot(window, pump):  # noqa: ANN001, ANN201
    window.show_view("queue")
    queue = window.view("queue")
    queue.close_ticket()
    queue.use_view("All open")
    pump(1.5)
    return window


def workspace_shot(window, pump):  # noqa: ANN001, ANN201
    queue = window.show_view("queue")
    queue.use_view("All open")
    pump(1.0)
    # a ticket with some history makes the better picture: the first one with a reply
    for row in range(min(queue.model.total, 40)):
        ticket = queue.model.row_at(row)
        if ticket is not None and ticket.first_response_at is not None:
            queue.open_ticket(ticket.id)
            break
    else:
        queue.open_ticket(queue.model.ticket_id(0))
    pump(1.5)
    return window


def new_ticket_shot(window, pump):  # noqa: ANN001, ANN201
    from desktop.views.tickets.new_ticket import NewTicketDialog

    dialog = NewTicketDialog(window.context, window)
    dialog.show()
    pump(1.0)
    basic = next((i for i in range(dialog.client.count())
                  if dialog._tiers.get(dialog.client.itemData(i)) == "basic"), 0)
    dialog.client.setCurrentIndex(basic)
    dialog.title.setText("Checkout page shows a blank screen after payment")
    dialog.description.setPlainText("Customers pay, then see a white page instead of the "
                                    "order confirmation. Reported by phone at 10:40.")
    dialog.priority.setCurrentIndex(dialog.priority.findData("critical"))
    dialog.channel.setCurrentIndex(dialog.channel.findData("phone"))
    pump(0.5)
    return dialog


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python scripts/screenshots.py")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--only", nargs="*", help="file names to produce (default: all)")
    parser.add_argument("--database", help="an existing database instead of fresh demo data")
    parser.add_argument("--width", type=int, default=1440)
    parser.add_argument("--height", type=int, default=860)
    args = parser.parse_args(argv)

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("AFTERCARE_NO_BACKUP", "1")
    work = Path(tempfile.mkdtemp(prefix="aftercare-shots-"))
    os.environ["AFTERCARE_DATA_DIR"] = str(work / "data")

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(["aftercare"])
    from desktop.app import build_context
    from desktop.storage.database import open_database
    from desktop.views.main_window import MainWindow
    from desktop.views.style import apply_style
    from desktop.views.ui_settings import UiSettings
    from desktop.views.worker import OpRunner

    apply_style(app)
    url = args.database or f"sqlite:///{work / 'demo.db'}"
    db = open_database(url)
    if not args.database:
        from desktop.services.demo import generate_demo

        generate_demo(db, clients=30, tickets=3000, seed=1)
    runner = OpRunner()
    context = build_context(db, runner, UiSettings(str(work / "ui.ini")), "asha")
    window = MainWindow(context)
    window.resize(args.width, args.height)
    window.show()

    def pump(seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents()
            time.sleep(0.01)
        runner.wait_idle()
        app.processEvents()

    pump(1.0)
    banner = getattr(getattr(window, "notifier", None), "banner", None)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, spec in SHOTS:
        if args.only and name not in args.only:
            continue
        module_name, function_name = spec.split(":")
        function = getattr(importlib.import_module(module_name), function_name)
        if banner is not None:
            banner.hide()  # the notification banner is shown in its own test, not here
        widget = function(window, pump)
        if banner is not None:
            banner.hide()
            app.processEvents()
        path = out / name
        widget.grab().save(str(path))
        print(path)
        if widget is not window:
            widget.close()
    runner.shutdown()
    db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
