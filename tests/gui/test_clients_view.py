"""The Clients view (DESIGN §4): search, the client page, create/edit with validation as you
type, archive."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt

from desktop.models import Client, Contract, Ticket
from desktop.services.clients import ClientInput, ContactInput, create_client

UTC = timezone.utc


def idle(qtbot, context):
    qtbot.waitUntil(lambda: context.runner._pending == 0, timeout=10_000)


@pytest.fixture
def agency(app_context):
    with app_context.db.transaction() as s:
        sharma = create_client(s, ClientInput(
            name="Sharma Textiles", email="accounts@sharmatextiles.in",
            phone="+91 98765 43210",
            contacts=[ContactInput(name="Priya Sharma", email="priya@sharmatextiles.in",
                                   role="Owner")]))
        create_client(s, ClientInput(name="Kaveri Ayurveda", email="hello@kaveri.co.in"))
        create_client(s, ClientInput(name="Joshi <Foods> & Co"))
        today = date.today()
        contract = Contract(client_id=sharma, tier_code="standard",
                            start=today - timedelta(days=100), end=today + timedelta(days=265),
                            monthly_fee=Decimal("30000"), content_minutes_allowance=240)
        s.add(contract)
        s.flush()
        now = datetime.now(UTC)
        s.add(Ticket(number=1, client_id=sharma, contract_id=contract.id,
                     title="Contact form not working", priority="high", status="new",
                     category="bug_fix", channel="email", created_at=now, updated_at=now,
                     sla_due_at=now + timedelta(hours=3)))
    return app_context


@pytest.fixture
def view(qtbot, agency):
    from desktop.views.clients.view import ClientsView

    widget = ClientsView(agency)
    qtbot.addWidget(widget)
    widget.resize(1200, 760)
    widget.show()
    qtbot.waitUntil(lambda: widget.model.rowCount() == 3 and widget.detail is not None,
                    timeout=10_000)
    return widget


def names(view):
    return [view.model.row_at(r).name for r in range(view.model.rowCount())]


def test_model_passes_the_model_tester(qtmodeltester, view):
    qtmodeltester.check(view.model)


def test_list_and_page(qtbot, view):
    assert names(view) == ["Joshi <Foods> & Co", "Kaveri Ayurveda", "Sharma Textiles"]
    view.table.selectRow(2)
    qtbot.waitUntil(lambda: view.detail.name == "Sharma Textiles")
    page = view.page
    assert "Sharma Textiles" in page.title.text()
    assert "Standard" in page.summary.text() and "1 open ticket" in page.summary.text()
    assert "0 h of 4 h" in page.summary.text()
    assert page.tabs.tabText(2) == "Open tickets (1)"
    assert page.tickets.data(page.tickets.index(0, 4)) == "Contact form not working"
    assert page.contacts.data(page.contacts.index(0, 4)) == "Receives reports"


def test_user_text_is_escaped_on_the_page(qtbot, view):
    view.table.selectRow(0)
    qtbot.waitUntil(lambda: view.detail.name.startswith("Joshi"))
    assert "Joshi &lt;Foods&gt; &amp; Co" in view.page.title.text()
    assert "No contract in force" in view.page.summary.text()


def test_search(qtbot, view):
    qtbot.keyClicks(view.search, "priya")
    qtbot.waitUntil(lambda: names(view) == ["Sharma Textiles"], timeout=5_000)
    view.search.clear()
    qtbot.waitUntil(lambda: len(names(view)) == 3, timeout=5_000)


def test_new_client_checks_as_you_type_and_saves(qtbot, view, agency):
    view.new_button.click()
    dialog = view.editor
    assert not dialog.save_button.isEnabled()
    assert "Name is required" in dialog.errors.text()
    qtbot.keyClicks(dialog.name, "Nilgiri Interiors")
    qtbot.keyClicks(dialog.email, "office@nilgiri")
    assert "not an e-mail address" in dialog.errors.text()
    assert not dialog.save_button.isEnabled()
    qtbot.keyClicks(dialog.email, ".in")
    qtbot.keyClicks(dialog.phone, "12")
    assert "not a phone number" in dialog.errors.text()
    dialog.phone.setText("+91 80 4123 4567")
    dialog.add_contact(ContactInput(name="Lakshmi Iyer", email=""))
    assert "needed to receive reports" in dialog.errors.text()
    dialog.contacts.item(0, 4).setCheckState(Qt.CheckState.Unchecked)
    assert dialog.errors.text() == "" and dialog.save_button.isEnabled()
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save_button.click()
    qtbot.waitUntil(lambda: view.detail is not None and view.detail.name == "Nilgiri Interiors",
                    timeout=10_000)
    assert "Nilgiri Interiors" in names(view)
    assert [(c.name, c.receives_reports) for c in view.detail.contacts] == [
        ("Lakshmi Iyer", False)]


def test_a_duplicate_name_is_refused_on_save(qtbot, view):
    view.new_button.click()
    dialog = view.editor
    qtbot.keyClicks(dialog.name, "kaveri ayurveda")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: "already exists" in dialog.errors.text(), timeout=10_000)
    assert dialog.isVisible()


def test_edit_and_archive(qtbot, view, agency, dialogs_script):
    view.table.selectRow(1)
    qtbot.waitUntil(lambda: view.detail.name == "Kaveri Ayurveda")
    view.page.edit_button.click()
    dialog = view.editor
    dialog.phone.setText("+91 80 2222 3333")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save_button.click()
    qtbot.waitUntil(lambda: view.detail is not None and view.detail.phone == "+91 80 2222 3333",
                    timeout=10_000)
    dialogs_script.answers.append(True)
    view.page.archive_button.click()
    qtbot.waitUntil(lambda: "Kaveri Ayurveda" not in names(view), timeout=10_000)
    assert dialogs_script.shown[-1][0] == "question"
    view.show_archived.setChecked(True)
    qtbot.waitUntil(lambda: "Kaveri Ayurveda" in names(view), timeout=10_000)
    with agency.db.session() as s:
        assert s.query(Client).filter_by(name="Kaveri Ayurveda").one().archived


def test_apply_filter_selects_a_client(qtbot, view, agency):
    with agency.db.session() as s:
        sharma = s.query(Client).filter_by(name="Sharma Textiles").one().id
    view.apply_filter(client_id=sharma)
    qtbot.waitUntil(lambda: view.detail is not None and view.detail.id == sharma,
                    timeout=10_000)
    assert view.current_row().name == "Sharma Textiles"


def test_read_only_offers_no_editing(qtbot, agency):
    from desktop.views.clients.view import ClientsView

    agency.db.read_only = True
    widget = ClientsView(agency)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitUntil(lambda: widget.detail is not None, timeout=10_000)
    assert not widget.new_button.isEnabled()
    assert not widget.page.edit_button.isEnabled()
    assert not widget.page.archive_button.isEnabled()
