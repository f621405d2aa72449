"""The Calendar view as a support manager uses it: the month at a glance, the agenda, marking
tasks done (one, several, "save and next"), rescheduling, filters, keyboard and export."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from icalendar import Calendar
from PySide6.QtCore import Qt
from sqlalchemy import select

from desktop.models import Client, Contract, Occurrence
from desktop.services import maintenance as m
from desktop.views.calendar.agenda_model import AgendaModel
from desktop.views.calendar.view import CalendarView
from tests.test_maintenance import set_holidays

TODAY = date(2026, 6, 15)


def add_client(session, name, tier):
    client = Client(name=name)
    session.add(client)
    session.flush()
    session.add(Contract(client_id=client.id, tier_code=tier, start=date(2026, 1, 1),
                         end=date(2026, 12, 31), monthly_fee=Decimal("30000.00")))
    session.flush()
    return client


@pytest.fixture
def schedule(app_context):
    """Three clients; the calendar generates their schedule itself when it opens."""
    with app_context.db.transaction() as session:
        set_holidays(session)
        add_client(session, "Acme <Web> & Co", "basic")
        add_client(session, "Lotus Foods", "standard")
        add_client(session, "Zeta Travels", "premium")
    return app_context


def plain(label):
    from PySide6.QtGui import QTextDocument

    doc = QTextDocument()
    doc.setHtml(label.text())
    return doc.toPlainText().replace("\xa0", " ")


def settle(qtbot, view):
    qtbot.waitUntil(lambda: not view._loading, timeout=10_000)
    view.context.runner.wait_idle()
    qtbot.wait(1)  # deliver the queued result
    qtbot.waitUntil(lambda: not view._loading, timeout=10_000)


@pytest.fixture
def view(qtbot, schedule):
    widget = CalendarView(schedule, None, today=TODAY)
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    settle(qtbot, widget)
    return widget


def row_of(view, task, client):
    return next(i for i, r in enumerate(view.agenda_model.rows)
                if r.task == task and r.client_name == client)


def select_row(view, index):
    view.agenda.selectRow(index)
    view.agenda.setFocus()


def test_opening_generates_the_schedule_and_shows_the_month(qtbot, view):
    assert view.month_label.text() == "June 2026"
    counts = view.grid.counts[date(2026, 6, 30)]
    # basic 4 + standard 6 monthly + 6 quarterly + premium 7 monthly + 6 quarterly
    assert (counts.due, counts.done, counts.overdue) == (29, 0, 0)
    assert plain(view.summary) == ("29 tasks for 3 clients this month  ·  ■ 0 overdue  ·  "
                                   "■ 29 due  ·  ■ 0 done  ·  0% complete  ·  "
                                   "97 overdue from earlier months")
    # 15 June selected: nothing due that day
    assert view.agenda_title.text() == ("Monday 15 June 2026: no maintenance tasks "
                                        "(next: Tuesday 30 June, 29 tasks)")


def test_keyboard_moves_days_weeks_months_and_back_to_today(qtbot, view):
    view.grid.setFocus()
    qtbot.keyClick(view.grid, Qt.Key.Key_Right)
    assert view.grid.selected == date(2026, 6, 16)
    qtbot.keyClick(view.grid, Qt.Key.Key_Down)
    assert view.grid.selected == date(2026, 6, 23)
    qtbot.keyClick(view.grid, Qt.Key.Key_PageDown)
    assert view.grid.selected == date(2026, 7, 23)
    settle(qtbot, view)
    assert view.month_label.text() == "July 2026"
    assert view.grid.counts[date(2026, 7, 31)].due == 4 + 6 + 7
    qtbot.keyClick(view.grid, Qt.Key.Key_PageUp)
    qtbot.keyClick(view.grid, Qt.Key.Key_PageUp)
    settle(qtbot, view)
    assert view.month_label.text() == "May 2026"
    # May's tasks were due Friday 29 May and nobody did them: overdue
    assert view.grid.counts[date(2026, 5, 29)].overdue == 4 + 6 + 7
    qtbot.keyClick(view.grid, Qt.Key.Key_T)
    settle(qtbot, view)
    assert view.grid.selected == TODAY and view.month_label.text() == "June 2026"


def test_enter_on_a_day_opens_mark_done_with_the_tasks_figures(qtbot, view):
    view.go_to(date(2026, 6, 30))
    view.grid.setFocus()
    qtbot.keyClick(view.grid, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.mark_done_dialog is not None)
    dialog = view.mark_done_dialog
    first = view.agenda_model.rows[0]
    assert dialog.row.id == first.id
    assert dialog.done_by.currentData() == view.context.user_id  # the current user


def test_mark_done_records_outcome_notes_person_and_figures(qtbot, view):
    view.go_to(date(2026, 6, 30))
    select_row(view, row_of(view, "backup_verification", "Lotus Foods"))
    qtbot.keyClick(view.agenda, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.mark_done_dialog is not None)
    dialog = view.mark_done_dialog
    assert set(dialog.figures.editors) == {"latest_backup", "size_mb", "restore_tested",
                                           "restore_result"}
    dialog.outcome.buttons["issues_found"].setChecked(True)
    dialog.notes.setPlainText("Restore needed two attempts <b>sic</b>")
    dialog.figures.editors["size_mb"].setText("2400")
    dialog.figures.editors["restore_tested"].setChecked(True)
    dialog.figures.editors["restore_result"].setText("Restored to staging")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.mark_done_dialog is None, timeout=10_000)
    with view.context.db.session() as session:
        occ = session.scalar(select(Occurrence).join(Client).where(
            Client.name == "Lotus Foods", Occurrence.task == "backup_verification",
            Occurrence.period_key == "2026-06"))
        assert occ.outcome == "issues_found"
        assert occ.done_by_id == view.context.user_id
        assert occ.notes == "Restore needed two attempts <b>sic</b>"
        assert occ.figures == {"latest_backup": "2026-06-15", "size_mb": 2400.0,
                               "restore_tested": True, "restore_result": "Restored to staging"}
    index = row_of(view, "backup_verification", "Lotus Foods")
    assert view.agenda_model.index(index, 4).data() == "Done"
    assert view.agenda_model.index(index, 5).data() == "Issues found"
    notes = view.agenda_model.index(index, 7)
    assert notes.data().startswith("Restore needed two attempts <b>sic</b> · Latest backup")
    # the tooltip is rich text: the user's words are escaped so they show as typed
    assert "two attempts &lt;b&gt;sic&lt;/b&gt;" in notes.data(Qt.ItemDataRole.ToolTipRole)
    assert view.grid.counts[date(2026, 6, 30)].done == 1


def test_a_missing_required_figure_is_said_in_the_form_and_nothing_is_saved(qtbot, view):
    view.go_to(date(2026, 6, 30))
    select_row(view, row_of(view, "performance_check", "Zeta Travels"))
    view.mark_selected_done()
    qtbot.waitUntil(lambda: view.mark_done_dialog is not None)
    dialog = view.mark_done_dialog
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.error.isVisible()
    assert dialog.error.text() == "Performance score: performance score is required"
    dialog.figures.editors["score"].setText("101")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "cannot be above 100" in dialog.error.text()
    assert view.mark_done_dialog is dialog  # still open, input kept
    assert dialog.figures.editors["score"].text() == "101"


def test_save_and_next_walks_through_the_days_tasks(qtbot, view):
    view.go_to(date(2026, 6, 30))
    view.state_combo.setCurrentIndex(view.state_combo.findData("open"))
    select_row(view, row_of(view, "security_updates", "Acme <Web> & Co"))
    view.mark_selected_done()
    qtbot.waitUntil(lambda: view.mark_done_dialog is not None)
    first = view.mark_done_dialog
    assert first.row.task == "security_updates"
    qtbot.mouseClick(first.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.mark_done_dialog not in (None, first), timeout=10_000)
    second = view.mark_done_dialog
    assert second.row.task == "plugin_updates" and second.row.client_name == "Acme <Web> & Co"
    # last month's versions are not known here: the component table starts empty
    assert second.figures.editors["components"].rows() == []
    second.figures.editors["components"].add_row(
        {"name": "WordPress", "from_version": "6.5", "to_version": "6.6"})
    qtbot.mouseClick(second.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.mark_done_dialog is None, timeout=10_000)
    assert view.agenda_title.text().startswith("Tuesday 30 June 2026: 27 tasks")
    with view.context.db.session() as session:
        done = {o.task: o for o in session.scalars(
            select(Occurrence).where(Occurrence.done_at.is_not(None)))}
    assert set(done) == {"security_updates", "plugin_updates"}
    assert done["plugin_updates"].figures["components"][0]["to_version"] == "6.6"


def test_bulk_mark_done_for_many_clients_leaves_figure_tasks(qtbot, view, dialogs_script):
    view.go_to(date(2026, 6, 30))
    scans = [i for i, r in enumerate(view.agenda_model.rows)
             if r.task in ("security_scan", "backup_verification")]
    view.agenda.setSelectionMode(view.agenda.SelectionMode.MultiSelection)
    for index in scans:
        view.agenda.selectRow(index)
    assert view.mark_button.text() == "Mark 6 done…"
    view.mark_selected_done()
    qtbot.waitUntil(lambda: view.bulk_dialog is not None)
    dialog = view.bulk_dialog
    dialog.notes.setPlainText("Scans clean")
    dialog._submit()
    qtbot.waitUntil(lambda: view.bulk_dialog is None, timeout=10_000)
    assert view.grid.counts[date(2026, 6, 30)].done == 3
    kind, title, text = dialogs_script.shown[-1]
    assert title == "Some tasks need their figures"
    assert "3 tasks were marked done. 3 record figures" in text


def test_reschedule_moves_the_task_and_keeps_it_there(qtbot, view):
    view.go_to(date(2026, 6, 30))
    select_row(view, row_of(view, "seo_review", "Lotus Foods"))
    view.reschedule_selected()
    qtbot.waitUntil(lambda: view.reschedule_dialog is not None)
    dialog = view.reschedule_dialog
    dialog.set_new_due(date(2026, 6, 24))
    dialog._submit()
    qtbot.waitUntil(lambda: view.reschedule_dialog is None, timeout=10_000)
    settle(qtbot, view)
    assert view.grid.selected == date(2026, 6, 24)
    assert [(r.task, r.client_name) for r in view.agenda_model.rows] == [
        ("seo_review", "Lotus Foods")]
    assert view.agenda_model.index(0, 0).data() == "Wed 24 Jun 2026 (moved)"
    with view.context.db.transaction() as session:
        assert m.regenerate(session, today=TODAY).moved == 0


def test_dashboard_click_through_shows_everything_overdue(qtbot, view):
    view.summary.linkActivated.emit("overdue")  # the summary's "overdue from earlier" link
    settle(qtbot, view)
    rows = view.agenda_model.rows
    # Jan-May monthly tasks and Q1 quarterly ones, none done
    assert len(rows) == 5 * (4 + 6 + 7) + (6 + 6)
    assert {r.state(TODAY) for r in rows} == {"overdue"}
    assert view.agenda_title.text().startswith("Everything overdue: 97 tasks")
    assert view.agenda_model.index(0, 4).data() == "Overdue 136 days"  # since 30 Jan


def test_client_and_tier_filters(qtbot, view):
    view.go_to(date(2026, 6, 30))
    view.tier_combo.setCurrentIndex(view.tier_combo.findData("premium"))
    settle(qtbot, view)
    assert {r.client_name for r in view.agenda_model.rows} == {"Zeta Travels"}
    assert view.grid.counts[date(2026, 6, 30)].due == 13
    view.tier_combo.setCurrentIndex(0)
    view.client_combo.setCurrentIndex(view.client_combo.findText("Acme <Web> & Co"))
    settle(qtbot, view)
    assert view.grid.counts[date(2026, 6, 30)].due == 4
    view.apply_filter(client="Lotus Foods", state="due")
    settle(qtbot, view)
    assert view.scope == "month"
    assert {r.client_name for r in view.agenda_model.rows} == {"Lotus Foods"}
    assert len(view.agenda_model.rows) == 12


def test_export_writes_the_filtered_schedule(qtbot, view, tmp_path, dialogs_script):
    target = tmp_path / "acme"
    view.client_combo.setCurrentIndex(view.client_combo.findText("Acme <Web> & Co"))
    settle(qtbot, view)
    view.choose_export_path = lambda suggested: str(target)
    view.export_ical()
    qtbot.waitUntil(lambda: bool(dialogs_script.shown), timeout=10_000)
    assert dialogs_script.shown[-1][1] == "Calendar exported"
    cal = Calendar.from_ical((tmp_path / "acme.ics").read_bytes())
    events = [c for c in cal.walk() if c.name == "VEVENT"]
    assert len(events) == 4 * 12 + 1
    assert all(str(e["summary"]).endswith("— Acme <Web> & Co") for e in events)


def test_read_only_snapshot_offers_no_writes(qtbot, schedule):
    schedule.db.read_only = True
    view = CalendarView(schedule, None, today=TODAY)
    qtbot.addWidget(view)
    settle(qtbot, view)
    assert not view.read_only_label.isHidden()
    view.go_to(date(2026, 6, 30))
    view.agenda.selectRow(0)
    assert not view.mark_button.isEnabled() and not view.reschedule_button.isEnabled()
    schedule.db.read_only = False


def test_agenda_model_is_a_well_behaved_qt_model(qtmodeltester, view):
    view.go_to(date(2026, 6, 30))
    model = AgendaModel(TODAY)
    model.set_rows(view.agenda_model.rows)
    qtmodeltester.check(model)


def test_sorting_by_task_groups_a_task_across_clients(qtbot, view):
    view.go_to(date(2026, 6, 30))
    view.agenda.sortByColumn(2, Qt.SortOrder.AscendingOrder)
    tasks = [r.name for r in view.agenda_model.rows]
    assert tasks[:3] == ["Analytics review"] * 2 + ["Backup verification"]
    scans = [r.client_name for r in view.agenda_model.rows if r.task == "security_scan"]
    assert scans == ["Acme <Web> & Co", "Lotus Foods", "Zeta Travels"]
    view.agenda.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    assert view.agenda_model.rows[0].task == "security_updates"


def test_a_task_saved_meanwhile_by_someone_else_shows_theirs_and_lets_me_choose(qtbot, view):
    from datetime import datetime, timezone

    from desktop.services.staff import get_or_create_staff

    view.go_to(date(2026, 6, 30))
    select_row(view, row_of(view, "seo_review", "Zeta Travels"))
    view.mark_selected_done()
    qtbot.waitUntil(lambda: view.mark_done_dialog is not None)
    dialog = view.mark_done_dialog
    with view.context.db.transaction() as session:  # a colleague, on another machine
        meera = get_or_create_staff(session, "meera")
        m.mark_done(session, dialog.row.id, "issues_found", "Two pages lost rankings", None,
                    meera.id, datetime(2026, 6, 15, 9, tzinfo=timezone.utc))
    dialog.notes.setPlainText("All fine from my side")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=10_000)
    assert dialog.error.text().splitlines() == [
        "meera saved this task meanwhile: Issues found on 2026-06-15.",
        "Their notes: Two pages lost rankings",
        "Save again to keep your version, or Cancel to keep theirs."]
    assert dialog.notes.toPlainText() == "All fine from my side"  # mine is kept
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.mark_done_dialog is None, timeout=10_000)
    with view.context.db.session() as session:
        assert session.get(Occurrence, dialog.row.id).notes == "All fine from my side"


def test_click_through_by_client_name_before_the_list_is_loaded(qtbot, schedule):
    view = CalendarView(schedule, None, today=TODAY)
    qtbot.addWidget(view)
    view.apply_filter(client="lotus foods", day=date(2026, 6, 30), scope="day")
    settle(qtbot, view)
    assert view.client_combo.currentText() == "Lotus Foods"
    assert {r.client_name for r in view.agenda_model.rows} == {"Lotus Foods"}
    assert len(view.agenda_model.rows) == 12
