"""The Contracts view and the contract editor (DESIGN §4): renewal chips, validation as you
type, saving, renewing, and a stale save resolved with both versions."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from PySide6.QtCore import QDate, Qt

from desktop.models import Client, Contract
from desktop.services.contracts import (ContractInput, create_contract, list_contracts,
                                        tier_choices)

TODAY = date.today()


def idle(qtbot, context):
    qtbot.waitUntil(lambda: context.runner._pending == 0, timeout=10_000)


def qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


@pytest.fixture
def agency(app_context):
    """Three clients with standard contracts ending in 20, 45 and 200 days, one ended."""
    with app_context.db.transaction() as s:
        for name, days in [("Sharma Textiles", 20), ("Kaveri Ayurveda", 45),
                           ("Joshi Foods", 200)]:
            client = Client(name=name)
            s.add(client)
            s.flush()
            end = TODAY + timedelta(days=days)
            create_contract(s, ContractInput(client_id=client.id, tier_code="standard",
                                             start=end - timedelta(days=364), end=end,
                                             monthly_fee=Decimal("30000"),
                                             content_minutes_allowance=240))
        s.add(Contract(client_id=client.id, tier_code="basic",
                       start=TODAY - timedelta(days=365 + 165 + 365),
                       end=TODAY - timedelta(days=165 + 366), monthly_fee=Decimal("15000")))
    return app_context


@pytest.fixture
def view(qtbot, agency):
    from desktop.views.contracts.view import ContractsView

    widget = ContractsView(agency)
    qtbot.addWidget(widget)
    widget.resize(1200, 760)
    widget.show()
    qtbot.waitUntil(lambda: widget.model.rowCount() == 3, timeout=10_000)
    idle(qtbot, agency)
    return widget


def clients_shown(view):
    return [view.model.row_at(r).client_name for r in range(view.model.rowCount())]


def test_table_model_passes_the_model_tester(qtmodeltester, view):
    qtmodeltester.check(view.model)
    view.model.sort(2, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(view.model)


def test_list_in_force_soonest_renewal_first_with_rupees(view):
    assert clients_shown(view) == ["Sharma Textiles", "Kaveri Ayurveda", "Joshi Foods"]
    model = view.model
    assert model.data(model.index(0, 2)) == "₹30,000.00"
    assert model.data(model.index(0, 4)) == "20 days"
    assert model.data(model.index(0, 6)) == "In force"
    assert view.chips["renewal_30"].text().endswith("1")
    assert view.chips["renewal_60"].text().endswith("2")
    assert view.chips["past"].text().endswith("1")


def test_renewal_chips_and_apply_filter(qtbot, view):
    view.chips["renewal_60"].click()
    assert clients_shown(view) == ["Sharma Textiles", "Kaveri Ayurveda"]
    view.apply_filter(renewal_within=30)
    qtbot.waitUntil(lambda: view.chips["renewal_30"].isChecked()
                    and clients_shown(view) == ["Sharma Textiles"])
    view.apply_filter(state="past")
    qtbot.waitUntil(lambda: clients_shown(view) == ["Joshi Foods"])
    view.search.setText("kav")
    view.chips["all"].click()
    qtbot.waitUntil(lambda: clients_shown(view) == ["Kaveri Ayurveda"])


def test_contract_page_shows_the_selected_contract(qtbot, view):
    qtbot.waitUntil(lambda: view.detail is not None)
    assert "Sharma Textiles — Standard" in view.page.title.text()
    assert view.page.tabs.count() == 2


@pytest.fixture
def editor(qtbot, agency):
    from desktop.views.contracts.editor import ContractDialog

    with agency.db.session() as s:
        tiers = tier_choices(s)
        clients = [(c.id, c.name) for c in s.query(Client).order_by(Client.name)]
    dialog = ContractDialog(agency, clients, tiers,
                            ContractInput(client_id=clients[0][0], tier_code="premium",
                                          start=TODAY + timedelta(days=400),
                                          end=TODAY + timedelta(days=764),
                                          monthly_fee=Decimal("60000"),
                                          content_minutes_allowance=480))
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_editor_end_must_follow_start(editor):
    assert editor.save_button.isEnabled() and editor.errors.text() == ""
    editor.end.setDate(editor.start.date().addDays(-1))
    assert "must be after the start date" in editor.errors.text()
    assert not editor.save_button.isEnabled()
    editor.end.setDate(editor.start.date().addDays(1))
    assert editor.save_button.isEnabled()


@pytest.mark.parametrize("typed, message", [("-500", "cannot be negative"),
                                            ("abc", "'abc' is not an amount"),
                                            ("", "Enter the monthly fee"),
                                            ("10.555", "more than two decimal places")])
def test_editor_fee(qtbot, editor, typed, message):
    editor.fee.clear()
    qtbot.keyClicks(editor.fee, typed)
    assert message in editor.errors.text()
    assert not editor.save_button.isEnabled()


def test_editor_shows_the_fee_in_rupees(qtbot, editor):
    editor.fee.clear()
    qtbot.keyClicks(editor.fee, "150000")
    assert editor.fee_shown.text() == "₹1,50,000.00"
    assert editor.value().monthly_fee == Decimal("150000.00")


def test_editor_warranty_lasts_30_to_90_days(editor):
    editor.tier.setCurrentIndex(editor.tier.findData("warranty"))
    # switching to warranty brings its fee (included) and a valid period
    assert editor.value().monthly_fee == Decimal("0.00")
    assert editor.save_button.isEnabled()
    editor.end.setDate(editor.start.date().addDays(29))
    assert "lasts 29 days" in editor.errors.text()
    editor.end.setDate(editor.start.date().addDays(91))
    assert "lasts 91 days" in editor.errors.text()
    editor.end.setDate(editor.start.date().addDays(30))
    assert editor.errors.text() == "" and editor.save_button.isEnabled()
    assert editor.value().handover_date == editor.value().start


def test_editor_tier_change_brings_its_fee_and_allowance(editor):
    editor.tier.setCurrentIndex(editor.tier.findData("standard"))
    assert editor.value().monthly_fee == Decimal("30000.00")
    assert editor.allowance.value() == 240
    editor.fee.setText("27,500")
    editor.tier.setCurrentIndex(editor.tier.findData("premium"))
    assert editor.value().monthly_fee == Decimal("27500.00")  # a negotiated fee is kept


def test_editor_saves_and_refuses_an_overlap(qtbot, editor, agency):
    editor.start.setDate(qdate(TODAY))
    editor.end.setDate(qdate(TODAY + timedelta(days=364)))
    with qtbot.waitSignal(agency.runner.busy_changed, timeout=10_000):
        editor.save_button.click()
    qtbot.waitUntil(lambda: "overlaps" in editor.errors.text(), timeout=10_000)
    assert editor.isVisible()
    editor.start.setDate(qdate(TODAY + timedelta(days=400)))
    editor.end.setDate(qdate(TODAY + timedelta(days=764)))
    with qtbot.waitSignal(editor.saved, timeout=10_000) as saved:
        editor.save_button.click()
    with agency.db.session() as s:
        contract = s.get(Contract, saved.args[0])
        assert (contract.tier_code, contract.monthly_fee) == ("premium", Decimal("60000.00"))


def test_renew_creates_the_next_contract(qtbot, view, agency):
    qtbot.waitUntil(lambda: view.detail is not None and view.renew_button.isEnabled())
    view.renew_button.click()
    qtbot.waitUntil(lambda: getattr(view, "editor", None) is not None
                    and view.editor.isVisible(), timeout=10_000)
    dialog = view.editor
    current = view.current_row()
    assert dialog.value().start == current.end + timedelta(days=1)
    assert dialog.save_button.text().replace("&", "") == "Renew"
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save_button.click()
    with agency.db.session() as s:
        rows = [r for r in list_contracts(s) if r.client_name == current.client_name]
    assert [r.state for r in rows] == ["current", "future"]
    qtbot.waitUntil(lambda: view.chips["all"].isChecked()
                    and view.current_row() is not None
                    and view.current_row().state == "future", timeout=10_000)


def test_stale_save_shows_both_versions_and_saves_the_choice(qtbot, view, agency, monkeypatch):
    from desktop.views.contracts import editor as editor_module

    qtbot.waitUntil(lambda: view.detail is not None)
    view.edit_button.click()
    dialog = view.editor
    dialog.fee.setText("32,000")
    # meanwhile, someone else changes the same contract
    contract_id = view.detail.row.id
    with agency.db.transaction() as s:
        s.get(Contract, contract_id).notes = "Discount agreed on the phone"
    seen = []

    def choose(parent, error):
        seen.append((error.mine["monthly_fee"], error.theirs["notes"]))
        merged = dict(error.mine)
        merged["notes"] = error.theirs["notes"]
        return merged

    monkeypatch.setattr(editor_module, "resolve_conflict", choose)
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save_button.click()
    assert seen == [(Decimal("32000.00"), "Discount agreed on the phone")]
    with agency.db.session() as s:
        contract = s.get(Contract, contract_id)
        assert (contract.monthly_fee, contract.notes) == (Decimal("32000.00"),
                                                          "Discount agreed on the phone")


def test_screenshot(qtbot, view, tmp_path):
    qtbot.waitUntil(lambda: view.detail is not None)
    assert not view.grab().isNull()


def test_read_only_offers_no_editing(qtbot, agency):
    """The offline snapshot (DESIGN §3) is for reading: no New, Edit or Renew."""
    from desktop.views.contracts.view import ContractsView

    agency.db.read_only = True
    widget = ContractsView(agency)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitUntil(lambda: widget.model.rowCount() == 3 and widget.detail is not None,
                    timeout=10_000)
    assert not widget.new_button.isEnabled()
    assert not widget.edit_button.isEnabled()
    assert not widget.renew_button.isEnabled()
    widget.edit_contract()
    assert getattr(widget, "editor", None) is None


def test_a_clients_contracts_and_a_new_one_for_that_client(qtbot, view, agency):
    with agency.db.session() as s:
        joshi = s.query(Client).filter_by(name="Joshi Foods").one().id
    view.apply_filter(client_id=joshi)
    qtbot.waitUntil(lambda: view.chips["all"].isChecked() and view.model.rowCount() == 2,
                    timeout=10_000)
    assert view.client_filter.isVisible() and "Joshi Foods" in view.client_filter.text()
    view.new_button.click()
    assert view.editor.client.currentText() == "Joshi Foods"
    view.editor.reject()
    view.client_filter.click()
    qtbot.waitUntil(lambda: view.model.rowCount() == 4, timeout=10_000)
