"""The Settings view saves what the manager typed and refuses what would break the clocks."""
from desktop.services.settings import load_settings
from desktop.views.settings.view import SettingsView


def test_agency_settings_are_saved(qtbot, app_context):
    view = SettingsView(app_context)
    qtbot.addWidget(view)
    view.agency.fields["agency_name"].setText("Arukz Web Studio")
    view.agency.fields["support_phone"].setText("+91 80 4000 1234")
    view.agency.save_button.click()
    qtbot.waitUntil(lambda: app_context.agency.agency_name == "Arukz Web Studio")
    with app_context.db.session() as s:
        assert load_settings(s).support_phone == "+91 80 4000 1234"


def test_bad_settings_are_refused_with_a_message(qtbot, app_context, dialogs_script):
    view = SettingsView(app_context)
    qtbot.addWidget(view)
    view.agency.fields["business_end"].setText("08:00")
    view.agency.save_button.click()
    qtbot.waitUntil(lambda: bool(dialogs_script.shown))
    kind, title, text = dialogs_script.shown[-1]
    assert kind == "warning" and "end must be after the start" in text
    with app_context.db.session() as s:
        assert load_settings(s).business_end == "18:00"


def test_tier_fee_typed_the_indian_way_is_saved(qtbot, app_context, dialogs_script):
    view = SettingsView(app_context)
    qtbot.addWidget(view)
    table = view.tiers.tiers
    row = next(r for r in range(table.rowCount()) if table.item(r, 0).text() == "Premium")
    assert table.item(row, 1).text() == "₹60,000.00"
    table.item(row, 1).setText("₹ 1,20,000")
    view.tiers.save_button.click()
    qtbot.waitUntil(lambda: bool(dialogs_script.shown))
    assert dialogs_script.shown[-1][0] == "information"
    view.tiers.refresh()
    assert view.tiers.tiers.item(row, 1).text() == "₹1,20,000.00"
