"""The conflict dialog (issue 7): both versions side by side, chosen per field, saved against
the other person's version."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QRadioButton

from desktop.errors import StaleDataError
from desktop.models import Ticket
from desktop.storage.database import open_database
from desktop.storage.edits import read_for_edit, save_fields
from desktop.views.conflicts.dialog import ConflictDialog
from tests.shared_helpers import make_ticket

LABELS = {"title": "Title", "description": "Description", "priority": "Priority"}


@pytest.fixture
def refused(sqlite_url):
    """A real refusal: Ravi saved title and priority; Anita then saves title and description."""
    db = open_database(sqlite_url)
    ticket_id = make_ticket(db)
    with db.session() as session:
        anita = read_for_edit(session, Ticket, ticket_id)
    save_fields(db, Ticket, "ticket", ticket_id, anita.version,
                {"title": "SMTP password expired", "priority": "critical"})
    with pytest.raises(StaleDataError) as caught:
        save_fields(db, Ticket, "ticket", ticket_id, anita.version,
                    {"title": "Form <broken> & slow", "description": "Plugin update at 09:00"},
                    base=anita.fields)
    yield db, ticket_id, caught.value
    db.dispose()


def test_both_versions_side_by_side_and_a_choice_per_field(qtbot, refused, tmp_path):
    db, ticket_id, error = refused
    dialog = ConflictDialog(error, LABELS)
    qtbot.addWidget(dialog)
    dialog.show()
    mine_title = dialog.findChild(QRadioButton, "mine_title")
    theirs_title = dialog.findChild(QRadioButton, "theirs_title")
    mine_description = dialog.findChild(QRadioButton, "mine_description")
    theirs_description = dialog.findChild(QRadioButton, "theirs_description")
    def shown(name: str) -> str:
        label = dialog.findChild(QLabel, f"{name}_text")
        assert label.textFormat() == Qt.TextFormat.PlainText
        return label.text()

    assert shown("mine_title") == "Form <broken> & slow"  # user text shown as typed
    assert shown("theirs_title") == "SMTP password expired"
    assert shown("mine_description") == "Plugin update at 09:00"
    assert shown("theirs_description") == "Submitting the form shows an error page."
    assert mine_title.isChecked() and mine_description.isChecked()
    assert "They also changed: Priority (now critical)" in dialog.findChild(QLabel, "conflict_theirs_only").text()
    dialog.grab().save(str(tmp_path / "conflict.png"))
    assert (tmp_path / "conflict.png").stat().st_size > 0

    qtbot.mouseClick(dialog.findChild(QLabel, "theirs_title_text"), Qt.MouseButton.LeftButton)
    assert theirs_title.isChecked() and not mine_title.isChecked()
    assert dialog.choices() == {"title": "SMTP password expired",
                                "description": "Plugin update at 09:00"}
    # saved against their version: her description, their title and priority
    save_fields(db, Ticket, "ticket", ticket_id, error.theirs_version, dialog.choices())
    with db.session() as session:
        ticket = session.get(Ticket, ticket_id)
        assert (ticket.title, ticket.description, ticket.priority) == (
            "SMTP password expired", "Plugin update at 09:00", "critical")


def test_keep_all_mine_and_take_all_theirs(qtbot, refused):
    _db, _ticket_id, error = refused
    dialog = ConflictDialog(error, LABELS)
    qtbot.addWidget(dialog)
    qtbot.mouseClick(dialog.all_theirs, Qt.MouseButton.LeftButton)
    assert dialog.choices() == {"title": "SMTP password expired",
                                "description": "Submitting the form shows an error page."}
    qtbot.mouseClick(dialog.all_mine, Qt.MouseButton.LeftButton)
    assert dialog.choices() == error.mine


def test_save_accepts_and_cancel_keeps_nothing_chosen(qtbot, refused):
    _db, _ticket_id, error = refused
    dialog = ConflictDialog(error, LABELS)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    other = ConflictDialog(error, LABELS)
    qtbot.addWidget(other)
    with qtbot.waitSignal(other.rejected):
        other.reject()
    assert error.mine["title"] == "Form <broken> & slow"  # the user's words are untouched
