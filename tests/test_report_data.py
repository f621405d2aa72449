"""Report data, hand-computed on Acme Traders' Q1 2026 (tests/test_report_world.py).

SLA met % is over the tickets resolved in the period (as on the dashboard).

Business clock Mon–Fri 09:00–18:00 IST, no holidays. The tickets, worked out by hand:
- #90  high, 14 Jan 10:00: reply 11:00 (60 min ≤ 240), resolved 15:00 (300 ≤ 540): met.
- #100 medium, 25 Feb 10:00: ack 12:00 (120 ≤ 540), resolved 2 Mar 09:30:
  480 + 540 + 540 + 30 = 1590 ≤ 1620: met.
- #101 critical, 3 Mar 10:00: reply 10:30 (30 ≤ 60), resolved 12:00 (120 ≤ 240): met.
- #102 high, 10 Mar 10:00: reply 15:30 (330 > 240): response missed; resolved 11 Mar 09:30
  (480 + 30 = 510 ≤ 540).
- #103 medium, 16 Mar 11:00: ack 11:15 (15), resolved 17 Mar 11:00 (420 + 120 = 540): met.
- #104 low, 20 Mar 09:00: reply 10:00 (60); resolution due after 45 business hours =
  Thu 26 Mar 18:00, still open on 31 Mar: missed.
- #105 low training (out of scope for Standard), 24 Mar 10:00: resolved 15:00 (300): met.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.errors import StaleDataError, UserError
from desktop.services import report_data as rd
from desktop.services.report_monthly import monthly_report
from desktop.services.report_quarterly import quarterly_report
from test_report_world import IST, NOW, TRICKY, build_world


@pytest.fixture
def world(db):
    with db.transaction() as session:
        client_id = build_world(session)
    return db, client_id


def test_monthly_key_figures(world):
    db, client_id = world
    with db.session() as session:
        report = monthly_report(session, client_id, "2026-03", now=NOW)
    f = report.figures
    assert f.tickets_opened == 5            # #101-#105
    assert f.tickets_resolved == 5          # #100, #101, #102, #103, #105
    # resolved in March: #100, #101, #102 (response missed), #103, #105 → 4 of 5 within SLA
    assert f.sla_met_percent == pytest.approx(80.0)
    assert f.uptime_percent == pytest.approx(99.95)
    assert (f.updates_applied, f.updates_held_back) == (2, 1)
    assert (f.backups_verified, f.backup_checks) == (1, 1)
    assert (f.content_used_minutes, f.content_allowance_minutes) == (270, 240)
    assert report.status_line == "1 critical incident"
    assert report.summary == f"A calm month.\n\n{TRICKY}"
    assert [i.ticket.number for i in report.incidents] == [101, 102]
    assert report.incidents[0].resolution_note.startswith("Root cause: the gateway")
    assert report.contract.monthly_fee == Decimal("30000.00")


def test_monthly_ticket_clocks(world):
    db, client_id = world
    with db.session() as session:
        report = monthly_report(session, client_id, "2026-03", now=NOW)
    states = {t.number: (t.response_state, t.resolution_state) for t in report.tickets}
    assert states == {100: ("met", "met"), 101: ("met", "met"), 102: ("breached", "met"),
                      103: ("met", "met"), 104: ("met", "breached"), 105: ("met", "met")}
    by_number = {t.number: t for t in report.tickets}
    assert by_number[102].response_minutes == pytest.approx(330)
    assert by_number[102].resolution_minutes == pytest.approx(510)
    assert by_number[104].resolution_due_at == datetime(2026, 3, 26, 18, tzinfo=IST)
    assert by_number[101].created_at.utcoffset().total_seconds() == 5.5 * 3600


def test_content_hours_and_billable_work(world):
    db, client_id = world
    with db.session() as session:
        content = monthly_report(session, client_id, "2026-03", now=NOW).content
    # 180 + 90 content minutes against 240: the last 30 are billable; training is out of scope
    assert (content.used_minutes, content.over_minutes, content.out_of_scope_minutes) == \
        (270, 30, 60)
    assert content.billable_minutes == 90
    assert [(b.ticket_number, b.minutes) for b in content.billable] == [(104, 30), (105, 60)]
    assert content.billable[1].reason.startswith("Out of scope")


def test_monthly_maintenance_and_risks(world):
    db, client_id = world
    with db.session() as session:
        report = monthly_report(session, client_id, "2026-03", now=NOW)
    tasks = {m.task: m for m in report.maintenance}
    assert tasks["plugin_updates"].details == (
        "WooCommerce updated 8.1 → 8.2", "Yoast SEO updated 21.0 → 21.1",
        "Elementor 3.18 held back: waiting for the theme's compatibility fix")
    assert "Restore tested: site OK" in tasks["backup_verification"].details
    assert tasks["uptime_review"].details[1] == \
        "Downtime 03 Mar 10:00, 2 h, gateway certificate expired"
    assert any("Elementor 3.18 was held back" in r for r in report.risks)
    assert any("30 min over the monthly allowance" in r for r in report.risks)
    assert any(r.startswith("Not completed yet: Analytics review") for r in report.risks)
    assert {t.name for t in report.next_tasks} >= {"Backup verification", "Uptime review"}
    assert all(t.due.month == 4 for t in report.next_tasks)


def test_quarterly_compliance_medians_and_breaches(world):
    db, client_id = world
    with db.session() as session:
        report = quarterly_report(session, client_id, "2026-Q1", now=NOW)
    rows = {r.priority: r for r in report.compliance}
    assert (rows["high"].tickets, rows["high"].met_percent) == (2, 50.0)
    assert rows["high"].median_response_minutes == pytest.approx((60 + 330) / 2)
    assert rows["high"].median_resolution_minutes == pytest.approx((300 + 510) / 2)
    assert rows["medium"].met_percent == 100.0
    assert rows["medium"].median_resolution_minutes == pytest.approx((1590 + 540) / 2)
    assert rows["critical"].median_response_minutes == pytest.approx(30)
    assert (rows["low"].tickets, rows["low"].met_percent) == (1, 100.0)   # #104 still open
    assert rows["low"].median_response_minutes == pytest.approx(300)
    assert report.tickets_by_month == (
        {"critical": 0, "high": 1, "medium": 0, "low": 0},
        {"critical": 0, "high": 0, "medium": 1, "low": 0},
        {"critical": 1, "high": 1, "medium": 1, "low": 2})
    assert report.priority_share == {"critical": 1, "high": 2, "medium": 2, "low": 2}
    assert [(b.ticket_number, b.clock) for b in report.breaches] == \
        [(102, "Response"), (104, "Resolution")]
    assert "1 h 30 min after the target" in report.breaches[0].cause


def test_quarterly_completion_ratings_and_plan(world):
    db, client_id = world
    with db.session() as session:
        report = quarterly_report(session, client_id, "2026-Q1", now=NOW)
    monthly = next(r for r in report.completion if r.cadence == "monthly")
    # 6 monthly tasks × 3 months; in March 5 done, 1 skipped
    assert (monthly.due, monthly.done, monthly.skipped, monthly.open) == (18, 5, 1, 12)
    quarterly = next(r for r in report.completion if r.cadence == "quarterly")
    assert (quarterly.due, quarterly.done) == (6, 0)
    assert report.completion_percent == pytest.approx(100 * 5 / 24)
    assert report.average_rating == pytest.approx(4.5)
    assert report.recommendations == "Move to Premium for 24/7 cover."
    assert [t.name for t in report.plan][:1] == ["Analytics review"]
    assert all(t.cadence in ("quarterly", "annual", "once") for t in report.plan)
    assert report.monthly_tasks_next_quarter == 18
    content = {m.label: (m.used_minutes, m.billable_minutes) for m in report.content_by_month}
    assert content == {"Jan 2026": (0, 0), "Feb 2026": (0, 0), "Mar 2026": (270, 90)}
    assert report.trend[-1].uptime_percent == pytest.approx(99.95)
    assert report.trend[-1].performance_score == 87
    assert [c.category for c in report.categories][:2] == ["bug_fix", "functionality"]


def test_periods_parse_and_refuse():
    assert rd.parse_period("monthly", "2026-02").last == date(2026, 2, 28)
    quarter = rd.parse_period("quarterly", "2026-Q4")
    assert (quarter.first, quarter.last) == (date(2026, 10, 1), date(2026, 12, 31))
    assert quarter.previous().key == "2026-Q3" and quarter.next().key == "2027-Q1"
    for kind, bad in [("monthly", "2026-13"), ("monthly", "March"), ("quarterly", "2026-Q5"),
                      ("quarterly", "2026-03")]:
        with pytest.raises(UserError):
            rd.parse_period(kind, bad)


@given(st.integers(1990, 2100), st.integers(1, 12))
@settings(max_examples=60)
def test_month_bounds_cover_whole_days_in_ist(year, month):
    period = rd.month_period(year, month)
    start, end = period.bounds(IST)
    assert start.astimezone(IST).time().hour == 0 and start.astimezone(IST).date() == period.first
    assert end.astimezone(IST).date() == period.next().first
    assert period.previous().next() == period


@given(st.lists(st.tuples(st.sampled_from(["met", "breached"]),
                          st.sampled_from(["met", "breached"]), st.integers(0, 40)),
                max_size=40))
@settings(max_examples=80)
def test_sla_met_percent_is_over_tickets_resolved_in_the_period(rows):
    created = datetime(2026, 2, 1, tzinfo=timezone.utc)
    start = datetime(2026, 3, 1, tzinfo=timezone.utc)
    end = datetime(2026, 4, 1, tzinfo=timezone.utc)
    tickets = [rd.TicketLine(i, "t", "low", "bug_fix", "email", "resolved", created, created,
                             created + timedelta(days=day), None, None, a, b, None, None,
                             "business", True, "")
               for i, (a, b, day) in enumerate(rows)]
    resolved = rd.resolved_between(tickets, start, end)
    assert all(start <= t.resolved_at < end for t in resolved)
    value = rd.sla_met_percent(resolved)
    if not resolved:
        assert value is None
    else:
        met = sum(1 for t in resolved if (t.response_state, t.resolution_state) == ("met", "met"))
        assert value == pytest.approx(100 * met / len(resolved))
        assert 0 <= value <= 100


def test_report_note_save_refuses_a_stale_version(world):
    db, client_id = world
    with db.session() as session:
        note = rd.get_report_note(session, client_id, "quarterly_recommendations", "2026-Q1")
    with db.transaction() as session:
        rd.save_report_note(session, client_id, "quarterly_recommendations", "2026-Q1",
                            "Theirs", note.version)
    with pytest.raises(StaleDataError), db.transaction() as session:
        rd.save_report_note(session, client_id, "quarterly_recommendations", "2026-Q1",
                            "Mine", note.version)
    with db.session() as session:
        assert rd.get_report_note(session, client_id, "quarterly_recommendations",
                                  "2026-Q1").body == "Theirs"


def test_find_client_is_exact_then_case_insensitive(world):
    db, client_id = world
    with db.session() as session:
        assert rd.find_client(session, "acme traders").id == client_id
        with pytest.raises(UserError, match="no client named 'Nobody'"):
            rd.find_client(session, "Nobody")


@given(st.lists(st.tuples(st.integers(1, 20), st.sampled_from(
    ["content_update", "bug_fix", "training"]), st.integers(1, 300), st.booleans()),
    max_size=40), st.sampled_from([0, 240, 480]))
@settings(max_examples=150)
def test_allowance_allocation_properties(raw, allowance):
    entries = [rd.WorkEntry(n, f"T{n}", cat, minutes, in_scope)
               for n, cat, minutes, in_scope in raw]
    result = rd.allocate_allowance(entries, allowance)
    content = sum(e.minutes for e in entries if e.category == "content_update")
    outside = sum(e.minutes for e in entries
                  if e.category != "content_update" and not e.in_scope)
    assert result.used_minutes == content
    assert result.over_minutes == max(0, content - allowance)
    assert result.out_of_scope_minutes == outside
    assert sum(b.minutes for b in result.billable) == result.billable_minutes
    assert all(b.minutes > 0 for b in result.billable)


def test_allowance_worked_example():
    # 4 h allowance: 3 h, then 1 h 30 min → 30 min billable on the second; training all billable
    entries = [rd.WorkEntry(1, "Catalogue", "content_update", 180, True),
               rd.WorkEntry(2, "Banner", "content_update", 90, True),
               rd.WorkEntry(3, "Training", "training", 60, False, "Training is not covered")]
    result = rd.allocate_allowance(entries, 240)
    assert [(b.ticket_number, b.minutes, b.reason) for b in result.billable] == [
        (2, 30, "Content update beyond the monthly allowance"),
        (3, 60, "Out of scope: Training is not covered")]
