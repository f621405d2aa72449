"""Editing tier templates (DESIGN §2) re-plans that tier's schedules at once, keeping done and
missed work."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from desktop.errors import StaleDataError, UserError
from desktop.models import MaintenanceTemplate, Occurrence
from desktop.services import maintenance as m
from desktop.services import maintenance_templates as t
from tests.test_maintenance import NOW, TODAY, add_contract, set_holidays


@pytest.fixture
def two_tiers(db):
    with db.transaction() as session:
        set_holidays(session)
        basic = add_contract(session, client_name="Basic Co", tier="basic")
        standard = add_contract(session, client_name="Standard Co", tier="standard")
        m.regenerate(session, today=TODAY)
    return basic.id, standard.id


def tasks(session, contract_id):
    return sorted({o.task for o in session.scalars(
        select(Occurrence).where(Occurrence.contract_id == contract_id))})


def template(session, tier, task):
    return session.scalar(select(MaintenanceTemplate).where(
        MaintenanceTemplate.tier_code == tier, MaintenanceTemplate.task == task))


def test_seeded_templates_per_tier(db):
    with db.session() as session:
        basic = t.list_templates(session, "basic")
        warranty = t.list_templates(session, "warranty")
    assert [r.name for r in basic] == ["Security updates", "Plugin/software updates",
                                       "Backup verification", "Security scan",
                                       "Contract renewal"]
    assert basic[-1].placement == "30 days before the contract ends"
    assert basic[0].placement == "last business day of each month"
    assert [(r.task, r.cadence, r.days_before_end) for r in warranty] == [
        ("warranty_expiry_review", "once", 7)]


def test_adding_a_task_schedules_it_for_the_tiers_contracts_only(db, two_tiers):
    basic_id, standard_id = two_tiers
    with db.transaction() as session:
        row, counts = t.add_template(session, "basic", "Accessibility check", "quarterly",
                                     today=TODAY)
        assert row.task == "accessibility_check"
        assert counts.created == 4
        assert "accessibility_check" in tasks(session, basic_id)
        assert "accessibility_check" not in tasks(session, standard_id)
        with pytest.raises(UserError, match="already a task"):
            t.add_template(session, "basic", "accessibility CHECK", "monthly")
        with pytest.raises(UserError, match="needs a name"):
            t.add_template(session, "basic", "   ", "monthly")
        with pytest.raises(UserError, match="not one of"):
            t.add_template(session, "basic", "Weekly thing", "weekly")


def test_renaming_keeps_the_code_and_renames_undone_occurrences(db, two_tiers):
    basic_id, _ = two_tiers
    with db.transaction() as session:
        scan = template(session, "basic", "security_scan")
        done = session.scalar(select(Occurrence).where(
            Occurrence.contract_id == basic_id, Occurrence.task == "security_scan",
            Occurrence.period_key == "2026-05"))
        m.mark_done(session, done.id, "ok", "", {"findings": []}, None, NOW)
        row, _ = t.update_template(session, scan.id, scan.version, name="Malware scan",
                                   today=TODAY)
        assert row.task == "security_scan"
        names = {o.period_key: o.name for o in session.scalars(select(Occurrence).where(
            Occurrence.contract_id == basic_id, Occurrence.task == "security_scan"))}
    assert names["2026-05"] == "Security scan"
    assert names["2026-06"] == "Malware scan"


def test_changing_cadence_replans_ahead_and_keeps_missed_and_done(db, two_tiers):
    basic_id, _ = two_tiers
    with db.transaction() as session:
        scan = template(session, "basic", "security_scan")
        done = session.scalar(select(Occurrence).where(
            Occurrence.contract_id == basic_id, Occurrence.task == "security_scan",
            Occurrence.period_key == "2026-02"))
        m.mark_done(session, done.id, "ok", "", {"findings": []}, None, NOW)
        _, counts = t.update_template(session, scan.id, name=None, cadence="quarterly",
                                      today=TODAY)
        keys = sorted(o.period_key for o in session.scalars(select(Occurrence).where(
            Occurrence.contract_id == basic_id, Occurrence.task == "security_scan")))
    # Jan-May monthly ones stay (one done, four missed); Jun-Dec monthly ones go; 4 quarters
    assert keys == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05",
                    "2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    assert counts.removed == 7 and counts.created == 4


def test_pausing_and_removing_a_task(db, two_tiers):
    basic_id, _ = two_tiers
    with db.transaction() as session:
        backup = template(session, "basic", "backup_verification")
        t.update_template(session, backup.id, active=False, today=TODAY)
        keys = [o.period_key for o in session.scalars(select(Occurrence).where(
            Occurrence.contract_id == basic_id, Occurrence.task == "backup_verification"))]
        assert sorted(keys) == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05"]
        t.update_template(session, backup.id, active=True, today=TODAY)
        renewal = template(session, "basic", "contract_renewal")
        counts = t.remove_template(session, renewal.id, today=TODAY)
        assert counts.removed == 1
        assert "contract_renewal" not in tasks(session, basic_id)
        assert len([o for o in session.scalars(select(Occurrence).where(
            Occurrence.contract_id == basic_id, Occurrence.task == "backup_verification"))]) == 12


def test_renewal_lead_time_can_change(db, two_tiers):
    basic_id, _ = two_tiers
    with db.transaction() as session:
        renewal = template(session, "basic", "contract_renewal")
        t.update_template(session, renewal.id, days_before_end=60, today=TODAY)
        due = session.scalar(select(Occurrence.due).where(
            Occurrence.contract_id == basic_id, Occurrence.task == "contract_renewal"))
        # 60 days before 31 Dec is Sunday 1 Nov -> Friday 30 Oct
        assert due == date(2026, 10, 30)
        with pytest.raises(UserError, match="from 0 to 365"):
            t.update_template(session, renewal.id, days_before_end=400)


def test_stale_template_edit_is_refused(db, two_tiers):
    with db.transaction() as session:
        scan = template(session, "basic", "security_scan")
        old = scan.version
        t.update_template(session, scan.id, old, name="Scan A")
        with pytest.raises(StaleDataError):
            t.update_template(session, scan.id, old, name="Scan B")
