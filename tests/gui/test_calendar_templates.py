"""The maintenance templates editor (embedded in Settings): per tier add, rename, change
cadence, pause and remove; each change re-plans the tier's schedules."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from desktop.models import Client, Contract, MaintenanceTemplate, Occurrence
from desktop.services import maintenance as m
from desktop.views.settings.templates import MaintenanceTemplatesEditor
from tests.test_maintenance import TODAY, set_holidays


@pytest.fixture
def editor(qtbot, app_context):
    with app_context.db.transaction() as session:
        set_holidays(session)
        client = Client(name="Lotus Foods")
        session.add(client)
        session.flush()
        session.add(Contract(client_id=client.id, tier_code="standard", start=date(2026, 1, 1),
                             end=date(2026, 12, 31), monthly_fee=Decimal("30000.00")))
        session.flush()
        m.regenerate(session, today=date(2026, 6, 15))
    widget = MaintenanceTemplatesEditor(app_context, None, today=TODAY)
    qtbot.addWidget(widget)
    widget.resize(900, 600)
    widget.show()
    qtbot.waitUntil(lambda: widget.table.rowCount() > 0, timeout=10_000)
    return widget


def names(editor):
    return [editor.table.item(row, 0).text() for row in range(editor.table.rowCount())]


def switch(qtbot, editor, tier, expected_first):
    editor.select_tier(tier)
    qtbot.waitUntil(lambda: editor.rows and {r.tier_code for r in editor.rows} == {tier},
                    timeout=10_000)
    assert names(editor)[0] == expected_first


def occurrence_tasks(context):
    with context.db.session() as session:
        return {o.task for o in session.scalars(select(Occurrence))}


def test_shows_each_tiers_tasks_with_cadence_and_placement(qtbot, editor):
    assert [editor.tiers.item(i).text() for i in range(editor.tiers.count())] == [
        "Warranty", "Basic", "Standard", "Premium"]
    assert names(editor)[-1] == "Contract renewal"
    renewal = editor.table.rowCount() - 1
    assert editor.table.item(renewal, 2).text() == "30 days before the contract ends"
    assert editor.table.cellWidget(renewal, 3).value() == 30
    switch(qtbot, editor, "warranty", "Warranty expiry review")
    assert editor.table.cellWidget(0, 1).currentText() == "Once"


def test_add_a_task_to_standard_schedules_it(qtbot, editor):
    switch(qtbot, editor, "standard", "Security updates")
    editor.new_name.setText("Accessibility check")
    editor.new_cadence.setCurrentIndex(editor.new_cadence.findData("quarterly"))
    editor.add_button.click()
    qtbot.waitUntil(lambda: "Accessibility check" in names(editor), timeout=10_000)
    assert editor.status.text() == ("Accessibility check added. Schedules of 1 contract "
                                    "updated: 4 added, 0 moved, 0 removed.")
    assert "accessibility_check" in occurrence_tasks(editor.context)


def test_rename_and_change_cadence(qtbot, editor):
    switch(qtbot, editor, "standard", "Security updates")
    row = names(editor).index("SEO review")
    editor.table.item(row, 0).setText("Search visibility review")
    qtbot.waitUntil(lambda: "Search visibility review" in names(editor), timeout=10_000)
    row = names(editor).index("Search visibility review")
    editor.table.cellWidget(row, 1).setCurrentIndex(0)  # monthly
    qtbot.waitUntil(lambda: editor.status.text().startswith("Search visibility review saved"),
                    timeout=10_000)
    qtbot.waitUntil(lambda: editor.table.item(names(editor).index("Search visibility review"),
                                              2).text() == "last business day of each month",
                    timeout=10_000)
    with editor.context.db.session() as session:
        keys = {o.period_key for o in session.scalars(select(Occurrence).where(
            Occurrence.task == "seo_review"))}
    # Q1 was missed before today (15 June): it stays, overdue; Q2-Q4 were ahead and go; the
    # monthly plan covers the whole contract
    assert keys == {"2026-Q1"} | {f"2026-{month:02d}" for month in range(1, 13)}


def test_a_blank_or_duplicate_name_is_refused_plainly(qtbot, editor):
    switch(qtbot, editor, "standard", "Security updates")
    editor.add_button.click()
    assert editor.status.text() == "Type the new task's name first."
    editor.new_name.setText("seo REVIEW")
    editor.add_button.click()
    qtbot.waitUntil(lambda: "already a task" in editor.status.text(), timeout=10_000)


def test_remove_asks_first_and_keeps_history(qtbot, editor, dialogs_script):
    switch(qtbot, editor, "standard", "Security updates")
    editor.table.selectRow(names(editor).index("Uptime review"))
    dialogs_script.answers.append(False)
    editor.remove_button.click()
    assert dialogs_script.shown[-1][0] == "question"
    assert "Uptime review" in names(editor)
    editor.remove_button.click()  # answered yes by default
    qtbot.waitUntil(lambda: "Uptime review" not in names(editor), timeout=10_000)
    with editor.context.db.session() as session:
        assert session.scalar(select(MaintenanceTemplate).where(
            MaintenanceTemplate.tier_code == "standard",
            MaintenanceTemplate.task == "uptime_review")) is None
        # missed ones (Jan-May, before today) stay visible as overdue
        left = list(session.scalars(select(Occurrence).where(
            Occurrence.task == "uptime_review")))
    assert sorted(o.period_key for o in left) == ["2026-01", "2026-02", "2026-03", "2026-04",
                                                  "2026-05"]
