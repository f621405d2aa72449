"""The new-ticket dialog: validates as you type, warns about coverage and channel, creates."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from desktop.models import Ticket
from tests.queue_data import make_world


@pytest.fixture
def dialog(qtbot, app_context):
    from desktop.views.tickets.new_ticket import NewTicketDialog

    with app_context.db.transaction() as s:
        world = make_world(s)
    widget = NewTicketDialog(app_context)
    qtbot.addWidget(widget)
    with qtbot.waitSignal(widget.ready, timeout=10_000):
        widget.show()
    return widget, world


def choose_client(qtbot, dialog, name):
    # typing a name (no completer popup: the offscreen platform cannot grab the keyboard)
    dialog.client.lineEdit().setText(name)
    dialog.client.lineEdit().textEdited.emit(name)


def test_save_disabled_until_client_and_title(qtbot, dialog):
    widget, _ = dialog
    assert not widget.save_button.isEnabled()
    choose_client(qtbot, widget, "Sharma Textiles")
    assert not widget.save_button.isEnabled()
    assert "Give the ticket a title." in widget.problems.text()
    qtbot.keyClicks(widget.title, "Login issues for members")
    assert widget.save_button.isEnabled()
    assert widget.problems.text() == ""


def test_priority_help_shows_the_seed_examples(qtbot, dialog):
    widget, _ = dialog
    widget.priority.setCurrentIndex(widget.priority.findData("critical"))
    assert "Site down" in widget.priority_help.text()
    assert "payment system not working" in widget.priority_help.text()


def test_coverage_and_channel_warnings_as_you_type(qtbot, dialog):
    widget, _ = dialog
    choose_client(qtbot, widget, "Kaveri Ayurveda")  # basic tier
    assert widget.tier_label.text() == "Contract in force today: Basic"
    assert "Covered" in widget.coverage_text
    widget.channel.setCurrentIndex(widget.channel.findData("phone"))
    assert "Out of scope" in widget.coverage_text
    assert "Phone support needs a Standard or Premium contract" in widget.coverage_text
    widget.channel.setCurrentIndex(widget.channel.findData("email"))
    widget.category.setCurrentIndex(widget.category.findData("content_update"))
    assert "Content updates are not part of the Basic tier" in widget.coverage_text
    choose_client(qtbot, widget, "Deccan Silks")  # no contract
    assert "no contract" in widget.tier_label.text()
    assert "Out of scope" in widget.coverage_text


def test_creating_a_ticket_through_the_dialog(qtbot, dialog, app_context):
    widget, world = dialog
    choose_client(qtbot, widget, "Sharma Textiles")
    qtbot.keyClicks(widget.title, "Contact form not working")
    widget.description.setPlainText("The form on /contact returns 500 since the update.")
    widget.priority.setCurrentIndex(widget.priority.findData("high"))
    widget.assignee.setCurrentIndex(widget.assignee.findData(world.staff["asha"]))
    with qtbot.waitSignal(widget.created, timeout=10_000) as created:
        widget.save_button.click()
    with app_context.db.session() as s:
        ticket = s.get(Ticket, created.args[0])
        assert (ticket.title, ticket.priority, ticket.status, ticket.assignee_id) == (
            "Contact form not working", "high", "new", world.staff["asha"])
        assert ticket.client.name == "Sharma Textiles"
        assert ticket.contract is not None and ticket.sla_due_at is not None
        assert ticket.in_scope is True
        assert s.scalar(select(Ticket.number)) == 1
    assert not widget.isVisible()
