"""The maintenance schedule (DESIGN §2): hand-computed due dates, idempotent regeneration,
contract edits, marking done and rescheduling, on SQLite and PostgreSQL."""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from sqlalchemy import delete, func, select

from desktop.errors import StaleDataError, UserError
from desktop.models import Client, Contract, Holiday, MaintenanceTemplate, Occurrence
from desktop.services import maintenance as m

# The India holidays of 2026 that touch month or quarter ends: 31 March is Mahavir Jayanti.
HOLIDAYS_2026 = [
    (date(2026, 1, 26), "Republic Day"),
    (date(2026, 3, 31), "Mahavira's Birthday"),
    (date(2026, 8, 15), "Independence Day"),
    (date(2026, 10, 2), "Mahatma Gandhi's Birthday"),
    (date(2026, 12, 25), "Christmas"),
]
TODAY = date(2026, 6, 15)
NOW = datetime(2026, 6, 15, 6, 0, tzinfo=timezone.utc)


def set_holidays(session, days=HOLIDAYS_2026):
    session.execute(delete(Holiday))
    for day, name in days:
        session.add(Holiday(day=day, name=name))
    session.flush()


def add_contract(session, client_name="Acme Pvt Ltd", tier="standard", start=date(2026, 1, 1),
                 end=date(2026, 12, 31)):
    client = session.scalar(select(Client).where(Client.name == client_name))
    if client is None:
        client = Client(name=client_name)
        session.add(client)
        session.flush()
    contract = Contract(client_id=client.id, tier_code=tier, start=start, end=end,
                        monthly_fee=Decimal("30000.00"))
    session.add(contract)
    session.flush()
    return contract


def occurrences(session, contract_id):
    return {(o.task, o.period_key): o for o in session.scalars(
        select(Occurrence).where(Occurrence.contract_id == contract_id))}


@pytest.fixture
def standard_2026(db):
    with db.transaction() as session:
        set_holidays(session)
        contract = add_contract(session)
        counts = m.regenerate(session, today=TODAY)
    return contract.id, counts


def test_standard_contract_for_2026_yields_72_monthly_24_quarterly_and_one_renewal(db,
                                                                                    standard_2026):
    contract_id, counts = standard_2026
    assert counts.created == 6 * 12 + 6 * 4 + 1
    with db.session() as session:
        occs = occurrences(session, contract_id)
    by_cadence = Counter(o.cadence for o in occs.values())
    assert by_cadence == {"monthly": 72, "quarterly": 24, "annual": 1}
    monthly_tasks = {t for (t, k), o in occs.items() if o.cadence == "monthly"}
    assert monthly_tasks == {"security_updates", "plugin_updates", "backup_verification",
                             "security_scan", "performance_check", "uptime_review"}
    assert {k for (t, k) in occs if t == "backup_verification"} == {
        f"2026-{month:02d}" for month in range(1, 13)}
    assert {k for (t, k) in occs if t == "seo_review"} == {"2026-Q1", "2026-Q2", "2026-Q3",
                                                           "2026-Q4"}
    assert ("contract_renewal", "end") in occs


def test_named_due_dates_weekend_and_holiday_month_ends(db, standard_2026):
    contract_id, _ = standard_2026
    with db.session() as session:
        occs = occurrences(session, contract_id)
    due = {k: o.due for (t, k), o in occs.items() if t == "backup_verification"}
    assert due["2026-01"] == date(2026, 1, 30)   # 31 Jan is a Saturday
    assert due["2026-02"] == date(2026, 2, 27)   # 28 Feb is a Saturday
    assert due["2026-03"] == date(2026, 3, 30)   # 31 Mar (Tue) is a holiday
    assert due["2026-04"] == date(2026, 4, 30)   # an ordinary Thursday
    assert due["2026-05"] == date(2026, 5, 29)   # 31 May is a Sunday
    assert due["2026-10"] == date(2026, 10, 30)  # 31 Oct is a Saturday
    assert due["2026-12"] == date(2026, 12, 31)  # Thursday
    quarterly = {k: o.due for (t, k), o in occs.items() if t == "comprehensive_audit"}
    assert quarterly == {"2026-Q1": date(2026, 3, 30), "2026-Q2": date(2026, 6, 30),
                         "2026-Q3": date(2026, 9, 30), "2026-Q4": date(2026, 12, 31)}
    # renewal: 30 days before 31 Dec is Tuesday 1 December
    assert occs[("contract_renewal", "end")].due == date(2026, 12, 1)


def test_renewal_on_a_weekend_moves_to_the_friday_before(db):
    with db.transaction() as session:
        set_holidays(session)
        contract = add_contract(session, tier="basic", start=date(2026, 1, 1),
                                end=date(2026, 11, 30))
        m.regenerate(session, today=TODAY)
        occs = occurrences(session, contract.id)
    # 30 days before Monday 30 Nov is Saturday 31 Oct -> Friday 30 Oct
    assert occs[("contract_renewal", "end")].due == date(2026, 10, 30)
    assert len(occs) == 4 * 11 + 1  # basic: four monthly tasks, Jan..Nov, and the renewal


def test_premium_annual_tasks_fall_on_the_last_business_day_of_each_contract_year(db):
    with db.transaction() as session:
        set_holidays(session, HOLIDAYS_2026 + [(date(2027, 3, 31), "test holiday")])
        contract = add_contract(session, tier="premium", start=date(2025, 4, 1),
                                end=date(2027, 3, 31))
        m.regenerate(session, today=TODAY)
        occs = occurrences(session, contract.id)
    major = {k: o.due for (t, k), o in occs.items() if t == "major_updates"}
    # year 1: 1 Apr 2025 - 31 Mar 2026 (31 Mar 2026 a holiday) -> Mon 30 Mar 2026
    # year 2: 1 Apr 2026 - 31 Mar 2027 (a holiday in this test) -> Tue 30 Mar 2027
    assert major == {"Y1": date(2026, 3, 30), "Y2": date(2027, 3, 30)}
    assert not any(t == "warranty_expiry_review" for t, _ in occs)


def test_warranty_gets_one_expiry_review_seven_days_before_its_end(db):
    with db.transaction() as session:
        set_holidays(session)
        contract = add_contract(session, tier="warranty", start=date(2026, 5, 4),
                                end=date(2026, 8, 1))
        m.regenerate(session, today=TODAY)
        occs = occurrences(session, contract.id)
    # 7 days before Saturday 1 Aug is Saturday 25 Jul -> Friday 24 Jul
    assert list(occs) == [("warranty_expiry_review", "end")]
    assert occs[("warranty_expiry_review", "end")].due == date(2026, 7, 24)


def test_a_month_counts_when_the_contract_is_in_force_on_its_due_date(db):
    with db.transaction() as session:
        set_holidays(session)
        # starts Saturday 31 Jan: January's tasks were due Friday 30 Jan, before it began;
        # ends Friday 29 May: May's tasks are due that very day.
        contract = add_contract(session, tier="basic", start=date(2026, 1, 31),
                                end=date(2026, 5, 29))
        m.regenerate(session, today=TODAY)
        keys = {k for (t, k) in occurrences(session, contract.id) if t == "security_scan"}
    assert keys == {"2026-02", "2026-03", "2026-04", "2026-05"}


def test_regenerating_twice_changes_nothing(db, standard_2026):
    contract_id, _ = standard_2026
    with db.transaction() as session:
        before = {k: (o.id, o.due, o.version) for k, o in occurrences(session, contract_id).items()}
        counts = m.regenerate(session, today=TODAY)
        after = {k: (o.id, o.due, o.version) for k, o in occurrences(session, contract_id).items()}
    assert (counts.created, counts.moved, counts.removed) == (0, 0, 0)
    assert before == after


def test_shortened_contract_keeps_done_work_and_drops_undone_periods_outside(db, standard_2026):
    contract_id, _ = standard_2026
    with db.transaction() as session:
        occs = occurrences(session, contract_id)
        done_late = occs[("backup_verification", "2026-11")]
        m.mark_done(session, done_late.id, "ok", "done early", {"latest_backup": "2026-06-14"},
                    None, NOW)
        m.mark_done(session, occs[("security_scan", "2026-05")].id, "ok", "", {"findings": []},
                    None, NOW)
        contract = session.get(Contract, contract_id)
        contract.end = date(2026, 6, 30)
        counts = m.regenerate(session, today=TODAY, contract_ids=[contract_id])
        occs = occurrences(session, contract_id)
    # Jan..Jun monthly (36) + Q1, Q2 (12) + renewal + the done November backup check
    assert len(occs) == 36 + 12 + 1 + 1
    assert occs[("backup_verification", "2026-11")].done_at is not None
    assert occs[("backup_verification", "2026-11")].notes == "done early"
    assert occs[("security_scan", "2026-05")].outcome == "ok"
    assert ("backup_verification", "2026-12") not in occs
    # the renewal moves: 30 days before 30 Jun is Sunday 31 May -> Friday 29 May
    assert occs[("contract_renewal", "end")].due == date(2026, 5, 29)
    assert counts.removed == 6 * 6 - 1 + 6 * 2
    assert counts.moved == 1


def test_lengthened_contract_gets_the_new_periods(db, standard_2026):
    contract_id, _ = standard_2026
    with db.transaction() as session:
        session.get(Contract, contract_id).end = date(2027, 3, 31)
        counts = m.regenerate(session, today=TODAY, contract_ids=[contract_id])
    assert counts.created == 6 * 3 + 6 * 1
    assert counts.moved == 1  # the renewal


def test_missed_occurrences_stay_overdue(db, standard_2026):
    with db.session() as session:
        overdue = m.overdue_occurrences(session, TODAY)
    # Jan..May monthly (30) and Q1 (6) were never done
    assert len(overdue) == 30 + 6
    assert all(row.state(TODAY) == "overdue" for row in overdue)
    assert overdue[0].due == date(2026, 1, 30)


def test_removed_template_keeps_missed_ones_and_drops_those_ahead(db, standard_2026):
    contract_id, _ = standard_2026
    with db.transaction() as session:
        session.execute(delete(MaintenanceTemplate).where(
            MaintenanceTemplate.tier_code == "standard",
            MaintenanceTemplate.task == "uptime_review"))
        counts = m.regenerate(session, today=TODAY)
        keys = sorted(k for (t, k) in occurrences(session, contract_id) if t == "uptime_review")
    assert keys == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05"]
    assert counts.removed == 7


def test_renamed_template_renames_undone_occurrences_only(db, standard_2026):
    contract_id, _ = standard_2026
    with db.transaction() as session:
        occs = occurrences(session, contract_id)
        m.mark_done(session, occs[("seo_review", "2026-Q1")].id, "ok", "", None, None, NOW)
        template = session.scalar(select(MaintenanceTemplate).where(
            MaintenanceTemplate.tier_code == "standard", MaintenanceTemplate.task == "seo_review"))
        template.name = "Search visibility review"
        m.regenerate(session, today=TODAY)
        occs = occurrences(session, contract_id)
    assert occs[("seo_review", "2026-Q1")].name == "SEO review"
    assert occs[("seo_review", "2026-Q2")].name == "Search visibility review"


def test_rescheduled_date_survives_regeneration(db, standard_2026):
    contract_id, _ = standard_2026
    with db.transaction() as session:
        occ = occurrences(session, contract_id)[("backup_verification", "2026-07")]
        row = m.reschedule(session, occ.id, date(2026, 7, 20))
        assert row.due == date(2026, 7, 20) and row.rescheduled
        counts = m.regenerate(session, today=TODAY)
        assert counts.moved == 0
        assert occurrences(session, contract_id)[("backup_verification", "2026-07")].due == \
            date(2026, 7, 20)


def test_reschedule_refuses_a_done_task_and_a_day_outside_the_contract(db, standard_2026):
    contract_id, _ = standard_2026
    with db.transaction() as session:
        occs = occurrences(session, contract_id)
        with pytest.raises(UserError, match="outside the contract"):
            m.reschedule(session, occs[("backup_verification", "2026-12")].id, date(2027, 1, 4))
        done = occs[("backup_verification", "2026-01")]
        m.mark_done(session, done.id, "ok", "", {"latest_backup": "2026-01-29"}, None, NOW)
        with pytest.raises(UserError, match="done already"):
            m.reschedule(session, done.id, date(2026, 2, 2))


def test_mark_done_records_who_when_outcome_notes_and_figures(db, standard_2026):
    contract_id, _ = standard_2026
    from desktop.services.staff import get_or_create_staff

    with db.transaction() as session:
        staff = get_or_create_staff(session, "priya")
        occ = occurrences(session, contract_id)[("uptime_review", "2026-05")]
        row = m.mark_done(session, occ.id, "issues_found", "  one outage  ",
                          {"uptime_percent": "99.5",
                           "incidents": [{"start": "2026-05-12T10:30:00+05:30",
                                          "duration_minutes": "42", "cause": "host reboot"},
                                         {"start": "", "duration_minutes": "", "cause": ""}]},
                          staff.id, NOW)
    assert row.state(TODAY) == "done"
    assert row.done_at == NOW
    assert row.done_by_name == "priya"
    assert row.outcome == "issues_found" and row.outcome_label == "Issues found"
    assert row.notes == "one outage"
    assert row.figures == {"uptime_percent": 99.5, "incidents": [
        {"start": "2026-05-12T10:30:00+05:30", "duration_minutes": 42, "cause": "host reboot"}]}
    assert row.figure_lines == ["Uptime: 99.5 %",
                                "Incident 2026-05-12T10:30:00+05:30 for 42 min: host reboot"]


@pytest.mark.parametrize("task,figures,message", [
    ("performance_check", {"score": 140}, "cannot be above 100"),
    ("performance_check", {}, "performance score is required"),
    ("uptime_review", {"uptime_percent": "lots"}, "must be a number"),
    ("plugin_updates", {"components": [{"name": "Yoast", "held_back": True}]}, "held back"),
    ("security_scan", {"findings": [{"severity": "urgent", "finding": "x"}]}, "is not one of"),
    ("uptime_review", {"uptime_percent": 99, "incidents": [{"start": "2026-05-12 10:30"}]},
     "time zone"),
])
def test_bad_figures_are_refused_with_a_plain_message(db, standard_2026, task, figures, message):
    contract_id, _ = standard_2026
    with db.transaction() as session:
        occ = occurrences(session, contract_id)[(task, "2026-05")]
        with pytest.raises(UserError, match=message):
            m.mark_done(session, occ.id, "ok", "", figures, None, NOW)


def test_skipped_needs_a_reason_and_outcome_must_be_known(db, standard_2026):
    contract_id, _ = standard_2026
    with db.transaction() as session:
        occ = occurrences(session, contract_id)[("seo_review", "2026-Q1")]
        with pytest.raises(UserError, match="why"):
            m.mark_done(session, occ.id, "skipped", "", None, None, NOW)
        with pytest.raises(UserError, match="not one of"):
            m.mark_done(session, occ.id, "fine", "", None, None, NOW)


def test_stale_mark_done_is_refused(db, standard_2026):
    contract_id, _ = standard_2026
    with db.transaction() as session:
        occ = occurrences(session, contract_id)[("seo_review", "2026-Q2")]
        version = occ.version
        m.reschedule(session, occ.id, date(2026, 6, 29), version=version)
        with pytest.raises(StaleDataError):
            m.mark_done(session, occ.id, "ok", "", None, None, NOW, version=version)


def test_mark_undone_makes_it_due_again(db, standard_2026):
    contract_id, _ = standard_2026
    with db.transaction() as session:
        occ = occurrences(session, contract_id)[("seo_review", "2026-Q2")]
        m.mark_done(session, occ.id, "ok", "", None, None, NOW)
        row = m.mark_undone(session, occ.id)
    assert row.state(TODAY) == "due" and row.outcome is None


def test_figure_defaults_come_from_last_month_of_the_same_client(db, standard_2026):
    contract_id, _ = standard_2026
    with db.transaction() as session:
        other = add_contract(session, client_name="Other Co")
        m.regenerate(session, today=TODAY)
        occs = occurrences(session, contract_id)
        m.mark_done(session, occs[("plugin_updates", "2026-04")].id, "ok", "", {"components": [
            {"name": "WordPress", "from_version": "6.4", "to_version": "6.5"},
            {"name": "Elementor", "from_version": "3.1", "held_back": True,
             "reason": "breaks the header"}]}, None, NOW)
        m.mark_done(session, occs[("performance_check", "2026-04")].id, "ok", "",
                    {"score": 81, "load_time_seconds": 2.1}, None, NOW)
        other_occ = occurrences(session, other.id)[("performance_check", "2026-05")]
        m.mark_done(session, other_occ.id, "ok", "", {"score": 20}, None, NOW)
        plugin_defaults = m.figure_defaults_for(session, occs[("plugin_updates", "2026-05")].id)
        perf_defaults = m.figure_defaults_for(session, occs[("performance_check", "2026-05")].id)
        first = m.figure_defaults_for(session, occs[("performance_check", "2026-01")].id)
    assert plugin_defaults == {"components": [
        {"name": "WordPress", "from_version": "6.5", "to_version": "", "held_back": False,
         "reason": ""},
        {"name": "Elementor", "from_version": "3.1", "to_version": "", "held_back": False,
         "reason": ""}]}
    assert perf_defaults == {"score": 81, "load_time_seconds": 2.1}
    assert first == {"score": None, "load_time_seconds": None}


def test_occurrences_between_filters_by_client_and_tier(db):
    with db.transaction() as session:
        set_holidays(session)
        add_contract(session, client_name="Basic Co", tier="basic")
        premium = add_contract(session, client_name="Premium Co", tier="premium")
        m.regenerate(session, today=TODAY)
        june = m.occurrences_between(session, date(2026, 6, 1), date(2026, 6, 30))
        only_premium = m.occurrences_between(session, date(2026, 6, 1), date(2026, 6, 30),
                                             tier="premium")
        by_client = m.occurrences_between(session, date(2026, 6, 1), date(2026, 6, 30),
                                          client_id=premium.client_id)
    assert len(june) == 4 + (7 + 6)
    assert {r.client_name for r in only_premium} == {"Premium Co"}
    assert len(only_premium) == 13 and len(by_client) == 13
    assert all(r.due == date(2026, 6, 30) for r in june)
    assert june[0].client_name == "Basic Co"  # by due date, then client


def test_period_key_for_imported_work(db):
    start = date(2025, 4, 1)
    assert m.period_key_for("monthly", None, start, date(2026, 3, 30)) == "2026-03"
    assert m.period_key_for("quarterly", None, start, date(2026, 3, 30)) == "2026-Q1"
    assert m.period_key_for("annual", None, start, date(2026, 3, 30)) == "Y1"
    assert m.period_key_for("annual", None, start, date(2026, 4, 1)) == "Y2"
    assert m.period_key_for("annual", 30, start, date(2027, 3, 1)) == "end"
    assert m.period_key_for("once", 7, start, date(2027, 3, 1)) == "end"


def test_regenerating_all_contracts_is_one_query_pass_and_counts_each(db):
    with db.transaction() as session:
        set_holidays(session)
        for n in range(20):
            add_contract(session, client_name=f"Client {n:02d}", tier="premium")
        counts = m.regenerate(session, today=TODAY)
        total = session.scalar(select(func.count()).select_from(Occurrence))
    assert counts.contracts == 20
    assert counts.created == total == 20 * (7 * 12 + 6 * 4 + 5 + 1)


def test_bulk_mark_done_leaves_tasks_that_must_record_figures(db, standard_2026):
    contract_id, _ = standard_2026
    with db.transaction() as session:
        occs = occurrences(session, contract_id)
        ids = [occs[(task, "2026-05")].id for task in
               ("security_updates", "security_scan", "backup_verification", "uptime_review")]
        marked, left = m.mark_many_done(session, ids, "ok", "All clean", None, NOW)
        assert sorted(r.task for r in marked) == ["security_scan", "security_updates"]
        assert all(r.figures == {"findings": []} and r.notes == "All clean" for r in marked)
        assert sorted(r.task for r in left) == ["backup_verification", "uptime_review"]
        # skipping needs no figures, but a reason
        with pytest.raises(UserError, match="why"):
            m.mark_many_done(session, [r.id for r in left], "skipped", "", None, NOW)
        marked, left = m.mark_many_done(session, [r.id for r in left], "skipped",
                                        "Client site frozen for migration", None, NOW)
        assert len(marked) == 2 and not left
        assert all(r.figures is None and r.outcome == "skipped" for r in marked)
        # done ones are left alone by a second bulk run
        again, left = m.mark_many_done(session, ids, "issues_found", "x", None, NOW)
        assert again == [] and left == []


def test_count_overdue_matches_the_list(db, standard_2026):
    with db.session() as session:
        assert m.count_overdue(session, TODAY) == len(m.overdue_occurrences(session, TODAY)) == 36
        assert m.count_overdue(session, TODAY, tier="basic") == 0
