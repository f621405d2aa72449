"""The ticket workspace: legal status actions only, replies and notes, priority, assignee, time,
coverage override and follow-up — each stored with its audit event."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from desktop.models import FollowUp, Ticket, TimeEntry
from desktop.services import tickets as ops
from tests.queue_data import make_world

UTC = timezone.utc


@pytest.fixture
def ticket(app_context):
    with app_context.db.transaction() as s:
        world = make_world(s)
        data = ops.NewTicket(client_id=world.clients["Kaveri Ayurveda"],
                             title="Payment gateway <broken> & slow",
                             description="Checkout fails with a 502.\nSince this morning.",
                             priority="high", category="new_feature", channel="email")
        ticket_id = ops.create_ticket(s, data, author_id=app_context.user_id)
    return ticket_id, world


@pytest.fixture
def workspace(qtbot, app_context, ticket):
    from desktop.views.tickets.workspace import TicketWorkspace

    widget = TicketWorkspace(app_context)
    qtbot.addWidget(widget)
    widget.resize(700, 800)
    widget.show()
    with qtbot.waitSignal(widget.loaded, timeout=10_000):
        widget.load(ticket[0])
    return widget


def stored(context, ticket_id):
    with context.db.session() as s:
        t = s.get(Ticket, ticket_id)
        return {"status": t.status, "priority": t.priority, "assignee_id": t.assignee_id,
                "events": [(e.type, e.public, e.body) for e in t.events],
                "in_scope": t.is_in_scope, "first_response_at": t.first_response_at}


def do(qtbot, workspace, action):
    with qtbot.waitSignal(workspace.loaded, timeout=10_000):
        action()


def test_shows_fields_coverage_and_escaped_text(workspace):
    assert workspace.heading.text().startswith("#1  Payment gateway <broken> & slow")
    assert "Out of scope" in workspace.coverage_label.text()
    assert "Basic" in workspace.coverage_label.text()
    html = workspace.timeline.toHtml()
    assert "&lt;broken&gt;" in html or "<broken>" not in html
    assert "Ticket created" in workspace.timeline.toPlainText()
    assert "Checkout fails with a 502." in workspace.timeline.toPlainText()


def test_only_legal_transitions_are_offered(qtbot, workspace, app_context, ticket):
    assert set(workspace.status_buttons) == set(ops.TRANSITIONS["new"])
    do(qtbot, workspace, workspace.status_buttons["acknowledged"].click)
    assert stored(app_context, ticket[0])["status"] == "acknowledged"
    assert set(workspace.status_buttons) == set(ops.TRANSITIONS["acknowledged"])
    do(qtbot, workspace, workspace.status_buttons["in_progress"].click)
    do(qtbot, workspace, workspace.status_buttons["waiting_on_client"].click)
    assert "Resolution paused" in workspace.summary.text()
    do(qtbot, workspace, workspace.status_buttons["in_progress"].click)
    do(qtbot, workspace, workspace.status_buttons["resolved"].click)
    assert workspace.status_buttons["in_progress"].text() == "Reopen"
    do(qtbot, workspace, workspace.status_buttons["in_progress"].click)
    do(qtbot, workspace, workspace.status_buttons["resolved"].click)
    do(qtbot, workspace, workspace.status_buttons["closed"].click)
    assert workspace.status_buttons == {}
    events = stored(app_context, ticket[0])["events"]
    assert [e[0] for e in events].count("status") == 8


def test_reply_with_ctrl_enter_stops_response_clock(qtbot, workspace, app_context, ticket):
    assert "Response running" in workspace.summary.text() or \
        "Response at risk" in workspace.summary.text()
    workspace.composer.setFocus()
    qtbot.keyClicks(workspace.composer, "We are looking at the gateway logs.")
    with qtbot.waitSignal(workspace.loaded, timeout=10_000):
        qtbot.keyClick(workspace.composer, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    state = stored(app_context, ticket[0])
    assert state["events"][-1] == ("reply", True, "We are looking at the gateway logs.")
    assert state["first_response_at"] is not None
    assert workspace.composer.toPlainText() == ""
    assert "Response met" in workspace.summary.text()


def test_internal_note_does_not_stop_the_clock(qtbot, workspace, app_context, ticket):
    workspace.note_mode.setChecked(True)
    assert workspace.send_button.text() == "Add note"
    workspace.composer.setPlainText("Client's host is on PHP 7.4")
    do(qtbot, workspace, workspace.send_button.click)
    state = stored(app_context, ticket[0])
    assert state["events"][-1] == ("note", False, "Client's host is on PHP 7.4")
    assert state["first_response_at"] is None
    assert "Internal note" in workspace.timeline.toPlainText()


def test_priority_assignee_time_override_follow_up(qtbot, workspace, app_context, ticket):
    ticket_id, world = ticket
    workspace.priority.setCurrentIndex(workspace.priority.findData("critical"))
    do(qtbot, workspace, lambda: workspace.priority.activated.emit(
        workspace.priority.currentIndex()))
    assert stored(app_context, ticket_id)["priority"] == "critical"
    assert workspace.priority.itemData(0, Qt.ItemDataRole.ToolTipRole).startswith(
        "Site down")
    ravi = world.staff["ravi"]
    workspace.assignee.setCurrentIndex(workspace.assignee.findData(ravi))
    do(qtbot, workspace, lambda: workspace.assignee.activated.emit(
        workspace.assignee.currentIndex()))
    assert stored(app_context, ticket_id)["assignee_id"] == ravi
    do(qtbot, workspace, lambda: workspace.log_time(45, "Read the logs"))
    assert "45m" in workspace.time_label.text()
    do(qtbot, workspace, lambda: workspace.override(True, "Agreed with the client on a call"))
    assert stored(app_context, ticket_id)["in_scope"] is True
    assert "Agreed with the client on a call" in workspace.coverage_label.text()
    do(qtbot, workspace, workspace.status_buttons["resolved"].click)
    assert workspace.follow_button.isEnabled()
    do(qtbot, workspace, lambda: workspace.record_follow_up(4, "Happy"))
    with app_context.db.session() as s:
        follow_up = s.scalar(select(FollowUp).where(FollowUp.ticket_id == ticket_id))
        assert (follow_up.rating, follow_up.comment) == (4, "Happy")
        entry = s.scalar(select(TimeEntry).where(TimeEntry.ticket_id == ticket_id))
        assert (entry.minutes, entry.note) == (45, "Read the logs")
    kinds = [e[0] for e in stored(app_context, ticket_id)["events"]]
    assert kinds == ["edit", "priority", "assignment", "time_entry", "override", "status",
                     "follow_up"]


def test_stale_edit_is_refused_and_reloaded(qtbot, workspace, app_context, ticket,
                                            dialogs_script):
    with app_context.db.transaction() as s:  # someone else, meanwhile
        ops.add_note(s, ticket[0], "from another desk", author_id=None)
    workspace.composer.setPlainText("my reply")
    with qtbot.waitSignal(workspace.loaded, timeout=10_000):
        workspace.send()
    assert dialogs_script.shown[-1][0] == "error"
    assert "changed by someone else" in dialogs_script.shown[-1][2]
    assert workspace.composer.toPlainText() == "my reply"  # nothing typed is lost
    assert "from another desk" in workspace.timeline.toPlainText()


def test_dialogs_collect_values(qtbot):
    from datetime import date

    from desktop.views.tickets.dialogs import FollowUpDialog, LogTimeDialog, OverrideDialog

    log = LogTimeDialog("content_update", date(2026, 3, 10))
    qtbot.addWidget(log)
    log.hours.setValue(1)
    log.minutes.setValue(15)
    log.note.setPlainText("Updated the menu")
    assert log.values() == {"minutes": 75, "work_date": date(2026, 3, 10),
                            "category": "content_update", "note": "Updated the menu"}
    override = OverrideDialog(False, "Training is not part of any tier", None)
    qtbot.addWidget(override)
    ok = override.box.buttons()[0]
    assert override.in_scope.isChecked() and not ok.isEnabled()
    override.reason.setPlainText("Goodwill")
    assert ok.isEnabled()
    assert override.values() == {"in_scope": True, "reason": "Goodwill"}
    follow = FollowUpDialog()
    qtbot.addWidget(follow)
    follow.rating.setCurrentIndex(follow.rating.findData(2))
    assert follow.values()["rating"] == 2
