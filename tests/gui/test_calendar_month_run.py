"""DESIGN §4 / issue 5 "done when": a support manager runs a month of maintenance for twenty
clients from the Calendar view alone — bulk-mark the tasks without figures, then walk the rest
with "Save and next", entering each task's figures."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from PySide6.QtCore import Qt
from sqlalchemy import func, select

from desktop.models import Client, Contract, Occurrence
from desktop.views.calendar.view import CalendarView
from tests.test_maintenance import set_holidays

TODAY = date(2026, 7, 1)
TIERS = ["basic", "standard", "premium", "standard"]


def test_a_month_of_maintenance_for_twenty_clients(qtbot, app_context, dialogs_script):
    with app_context.db.transaction() as session:
        set_holidays(session)
        for n in range(20):
            client = Client(name=f"Client {n:02d}")
            session.add(client)
            session.flush()
            session.add(Contract(client_id=client.id, tier_code=TIERS[n % 4],
                                 start=date(2026, 1, 1), end=date(2026, 12, 31),
                                 monthly_fee=Decimal("30000.00")))
    view = CalendarView(app_context, None, today=TODAY)
    qtbot.addWidget(view)
    view.resize(1200, 800)
    view.show()
    qtbot.waitUntil(lambda: bool(view.data.rows), timeout=20_000)

    # June: the whole month, only what is not done yet
    view.apply_filter(day=date(2026, 6, 30), scope="month", state="open")
    qtbot.waitUntil(lambda: view.month_label.text() == "June 2026" and
                    len(view.agenda_model.rows) > 0, timeout=10_000)
    # 5 basic x 4, 10 standard x (6 + 6 quarterly), 5 premium x (7 + 6 quarterly)
    total = 5 * 4 + 10 * 12 + 5 * 13
    assert len(view.agenda_model.rows) == total

    view.agenda.setFocus()
    view.agenda.selectAll()
    qtbot.keyClick(view.agenda, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.bulk_dialog is not None, timeout=10_000)
    view.bulk_dialog.notes.setPlainText("Routine checks, nothing to report")
    view.bulk_dialog._submit()
    qtbot.waitUntil(lambda: view.bulk_dialog is None, timeout=10_000)
    # backups (20), uptime and performance (15 + 15) need their figures
    assert len(view.agenda_model.rows) == 50
    assert "50 record figures" in dialogs_script.shown[-1][2]

    view.activateWindow()  # the closed dialog had the focus
    view.agenda.setFocus()
    qtbot.waitUntil(view.agenda.hasFocus)
    assert len(view.selected_rows()) == 50  # the ones left are selected
    qtbot.keyClick(view.agenda, Qt.Key.Key_Return)
    forms = 0
    while True:
        qtbot.waitUntil(lambda: view.mark_done_dialog is not None, timeout=10_000)
        dialog = view.mark_done_dialog
        editors = dialog.figures.editors
        if "uptime_percent" in editors:
            editors["uptime_percent"].setText("99.95")
        if "score" in editors:
            editors["score"].setText("88")
        if "restore_tested" in editors:
            editors["restore_tested"].setChecked(True)
        last = not dialog.next_button.isEnabled()
        qtbot.mouseClick(dialog.save_button if last else dialog.next_button,
                         Qt.MouseButton.LeftButton)
        forms += 1
        qtbot.waitUntil(lambda d=dialog: view.mark_done_dialog is not d, timeout=10_000)
        if last:
            break
    assert forms == 50
    qtbot.waitUntil(lambda: view.mark_done_dialog is None, timeout=10_000)
    assert view.agenda_model.rows == []
    assert "100% complete" in view.summary.text()
    with app_context.db.session() as session:
        undone = session.scalar(select(func.count()).select_from(Occurrence).where(
            Occurrence.done_at.is_(None), Occurrence.due >= date(2026, 6, 1),
            Occurrence.due <= date(2026, 6, 30)))
        uptime = session.scalars(select(Occurrence.figures).where(
            Occurrence.task == "uptime_review", Occurrence.period_key == "2026-06")).all()
    assert undone == 0
    assert all(f["uptime_percent"] == 99.95 and f["incidents"] == [] for f in uptime)
