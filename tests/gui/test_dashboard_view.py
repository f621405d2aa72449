"""The Dashboard (DESIGN §4): the figures tell the truth and each one clicks through to the list
behind it."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt

from desktop.models import Client, Contract, Occurrence, Ticket

UTC = timezone.utc


@pytest.fixture
def agency(app_context):
    """Two clients: one standard contract ending in 20 days (a renewal), one premium in force for
    a year; three open tickets (critical breached an hour ago, two low running), one closed; one
    overdue maintenance task."""
    today = date.today()
    now = datetime.now(UTC)
    with app_context.db.transaction() as s:
        a, b = Client(name="Sharma Textiles"), Client(name="Kaveri Ayurveda")
        s.add_all([a, b])
        s.flush()
        std = Contract(client_id=a.id, tier_code="standard", start=today - timedelta(days=345),
                       end=today + timedelta(days=20), monthly_fee=Decimal("30000"),
                       content_minutes_allowance=240)
        prem = Contract(client_id=b.id, tier_code="premium", start=today - timedelta(days=10),
                        end=today + timedelta(days=355), monthly_fee=Decimal("60000"),
                        content_minutes_allowance=480)
        s.add_all([std, prem])
        s.flush()
        for number, priority, status, due in [(1, "critical", "new", now - timedelta(hours=1)),
                                              (2, "low", "new", now + timedelta(days=3)),
                                              (3, "low", "in_progress", now + timedelta(days=4)),
                                              (4, "high", "closed", None)]:
            s.add(Ticket(number=number, client_id=a.id, contract_id=std.id, title=f"T{number}",
                         priority=priority, status=status, category="bug_fix", channel="email",
                         created_at=now - timedelta(hours=2), updated_at=now,
                         sla_due_at=due, response_due_at=due))
        s.add(Occurrence(contract_id=std.id, client_id=a.id, task="backup_verification",
                         name="Backup verification", cadence="monthly", period_key="x",
                         due=today - timedelta(days=3)))
    return app_context


@pytest.fixture
def window(qtbot, agency):
    from desktop.views.main_window import MainWindow

    win = MainWindow(agency)
    qtbot.addWidget(win)
    win.show()
    dashboard = win.show_view("dashboard")
    qtbot.waitUntil(lambda: dashboard.figures is not None and dashboard.charts is not None,
                    timeout=10_000)
    yield win
    notifier = getattr(win, "notifier", None)
    if notifier is not None:
        # the SLA notifier's pending single-shot checks must not outlive this test's worker
        notifier.timer.stop()
        notifier._busy = True


def test_figures(window):
    view = window.view("dashboard")
    value = {name: card.value.text() for name, card in view.cards.items()}
    assert value["open"] == "3"
    assert (value["priority_critical"], value["priority_low"]) == ("1", "2")
    assert value["breached"] == "1"
    assert value["overdue_maintenance"] == "1"
    assert (value["renewals_30"], value["renewals_60"]) == ("1", "1")
    assert value["mrr"] == "₹90,000"
    assert view.cards["content"].detail.text() == "of 12 h in allowances"
    assert len(view.charts.weeks) == 12


def test_renewals_click_through_to_the_contracts_chip(qtbot, window):
    view = window.view("dashboard")
    with qtbot.waitSignal(view.navigate) as signal:
        qtbot.mouseClick(view.cards["renewals_30"], Qt.MouseButton.LeftButton)
    assert signal.args == ["contracts", {"renewal_within": 30}]
    assert window.current_view_name == "contracts"
    contracts = window.view("contracts")
    qtbot.waitUntil(lambda: contracts.chips["renewal_30"].isChecked()
                    and contracts.model.rowCount() == 1, timeout=10_000)
    assert contracts.model.row_at(0).client_name == "Sharma Textiles"


def test_priority_and_sla_cards_open_the_queue(qtbot, window):
    view = window.view("dashboard")
    with qtbot.waitSignal(view.navigate) as signal:
        qtbot.mouseClick(view.cards["priority_critical"], Qt.MouseButton.LeftButton)
    open_statuses = ["new", "acknowledged", "in_progress", "waiting_on_client"]
    assert signal.args == ["queue", {"priorities": ["critical"], "statuses": open_statuses}]
    assert window.current_view_name == "queue"
    queue = window.view("queue")
    if hasattr(queue, "model") and hasattr(queue.model, "rowCount"):
        # the queue shows exactly the one open critical ticket
        qtbot.waitUntil(lambda: queue.model.rowCount() == 1, timeout=10_000)
    window.show_view("dashboard")
    with qtbot.waitSignal(view.navigate) as signal:
        qtbot.mouseClick(view.cards["breached"], Qt.MouseButton.LeftButton)
    assert signal.args == ["queue", {"sla_states": ["breached"], "statuses": open_statuses}]
    if hasattr(queue, "model") and hasattr(queue.model, "rowCount"):
        qtbot.waitUntil(lambda: queue.model.rowCount() == 1, timeout=10_000)


def test_keyboard_opens_overdue_maintenance_in_the_calendar(qtbot, window):
    view = window.view("dashboard")
    card = view.cards["overdue_maintenance"]
    card.setFocus()
    with qtbot.waitSignal(view.navigate) as signal:
        qtbot.keyClick(card, Qt.Key.Key_Return)
    assert signal.args == ["calendar", {"state": "overdue"}]
    assert window.current_view_name == "calendar"


def test_refreshes_when_data_changes(qtbot, window, agency):
    view = window.view("dashboard")
    with agency.db.transaction() as s:
        s.query(Ticket).filter_by(number=1).one().status = "resolved"
    agency.events.changed.emit("ticket", 1)
    qtbot.waitUntil(lambda: view.cards["open"].value.text() == "2", timeout=10_000)


def test_a_hidden_dashboard_catches_up_when_shown(qtbot, window, agency):
    view = window.view("dashboard")
    window.show_view("contracts")
    with agency.db.transaction() as s:
        s.query(Ticket).filter_by(number=2).one().status = "resolved"
    agency.events.changed.emit("ticket", 2)
    qtbot.waitUntil(lambda: view._stale, timeout=5_000)
    assert view.cards["open"].value.text() == "3"
    window.show_view("dashboard")
    qtbot.waitUntil(lambda: view.cards["open"].value.text() == "2", timeout=10_000)
