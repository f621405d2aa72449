"""The main window: first view, menus, status bar, shortcuts, Ctrl+K search, notifications."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from PySide6.QtCore import Qt

from desktop.models import Ticket
from desktop.services import tickets as ops
from tests.queue_data import make_world

UTC = timezone.utc


@pytest.fixture
def world(app_context):
    with app_context.db.transaction() as s:
        world = make_world(s)
        for title, client in (("Payment gateway broken", "Sharma Textiles"),
                              ("Typo on the about page", "Kaveri Ayurveda")):
            ops.create_ticket(s, ops.NewTicket(world.clients[client], title, "", "high",
                                               "bug_fix", "email"),
                              author_id=app_context.user_id)
    return world


@pytest.fixture
def window(qtbot, app_context, world):
    from desktop.views.main_window import MainWindow

    main = MainWindow(app_context)
    qtbot.addWidget(main)
    main.show()
    queue = main.view("queue")
    qtbot.waitUntil(lambda: not queue.model.loading and queue.model.total > 0, timeout=10_000)
    return main


def test_first_start_opens_on_the_queue(window):
    assert window.current_view_name == "queue"
    assert window.stack.currentWidget() is window.view("queue")


def test_menus_follow_desktop_conventions(window):
    titles = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert titles[:5] == ["File", "Edit", "View", "Ticket", "Help"]
    help_items = [a.text().replace("&", "") for a in window.help_menu.actions()]
    assert "About Aftercare" in help_items and "Keyboard shortcuts" in help_items


def test_status_bar_names_database_mode_and_user(window, app_context):
    assert app_context.db.display_name in window.database_label.text()
    assert "local" in window.database_label.text()
    assert app_context.username in window.user_label.text()


def test_shortcut_list(qtbot, window):
    shortcuts = {action: keys for _menu, action, keys in window.shortcut_list()}
    assert shortcuts["Search everything"] == "Ctrl+K"
    assert shortcuts["New ticket"] == "Ctrl+N"
    assert shortcuts["Reply to client"] == "Ctrl+R"
    assert shortcuts["Refresh"] == "F5"
    assert shortcuts["Queue"] == "Ctrl+2"
    window.show_shortcuts()
    dialog = window.shortcuts_dialog
    qtbot.addWidget(dialog)
    assert ("Search everything", "Ctrl+K") in dialog.shortcuts()


def test_about(window, dialogs_script):
    window._about()
    kind, title, text = dialogs_script.shown[-1]
    assert (kind, title) == ("information", "About Aftercare") and "F1" in text


def test_ctrl_k_finds_and_opens_a_ticket(qtbot, window, app_context):
    window.show_view("dashboard")
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    palette = window.search_palette
    assert palette.isVisible()
    with qtbot.waitSignal(palette.results_shown, timeout=10_000):
        qtbot.keyClicks(palette.field, "payment")
    assert palette.hits[0].title == "#1  Payment gateway broken"
    queue = window.view("queue")
    with qtbot.waitSignal(queue.workspace.loaded, timeout=10_000):
        qtbot.keyClick(palette.field, Qt.Key.Key_Return)
    assert window.current_view_name == "queue"
    assert queue.workspace.detail.number == 1
    with qtbot.waitSignal(palette.results_shown, timeout=10_000):
        palette.field.setText("kaveri")
    assert [h.kind for h in palette.hits][:1] == ["client"]


def test_ticket_menu_shortcut_sets_status(qtbot, window, app_context):
    queue = window.view("queue")
    queue.table.setFocus()
    queue.table.selectRow(0)
    ticket_id = queue.selected_ticket_id()
    with qtbot.waitSignal(queue.workspace.loaded, timeout=10_000):
        qtbot.keyClick(window, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    with qtbot.waitSignal(queue.workspace.loaded, timeout=10_000):
        qtbot.keyClick(window, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier
                       | Qt.KeyboardModifier.ShiftModifier)
    with app_context.db.session() as s:
        assert s.get(Ticket, ticket_id).status == "acknowledged"
    # an illegal move from the menu is explained, not attempted
    window._set_status("closed")
    assert "cannot become closed" in window.statusBar().currentMessage()


def test_last_view_persists(qtbot, app_context, window):
    from desktop.views.main_window import MainWindow

    window.show_view("settings")
    window.save_state()
    again = MainWindow(app_context)
    qtbot.addWidget(again)
    assert again.current_view_name == "settings"


def test_notification_fires_once_per_clock(qtbot, window, app_context, world):
    notifier = window.notifier
    qtbot.waitUntil(lambda: not notifier._busy, timeout=10_000)
    with app_context.db.transaction() as s:  # a ticket whose response clock ran out
        t = s.query(Ticket).filter(Ticket.number == 1).one()
        t.sla_due_at = datetime.now(UTC) - timedelta(minutes=5)
    seen = []
    notifier.notified.connect(lambda title, text: seen.append((title, text)))
    notifier.check()
    qtbot.waitUntil(lambda: bool(seen), timeout=10_000)
    assert "1 clock breached" in seen[0][0] and "#1 Payment gateway broken" in seen[0][1]
    assert notifier.banner.isVisible()
    qtbot.waitUntil(lambda: not notifier._busy, timeout=10_000)
    notifier.check()  # the same clock again: nothing new to tell
    qtbot.waitUntil(lambda: not notifier._busy, timeout=10_000)
    app_context.runner.wait_idle()
    qtbot.wait(50)
    assert len(seen) == 1
    assert any(k.endswith(":breached") for k in app_context.ui.document("notifications.sent"))
    with qtbot.waitSignal(window.view("queue").model.loaded, timeout=10_000):
        notifier.banner.show_button.click()
    assert window.view("queue").views.currentText() == "Breached"
