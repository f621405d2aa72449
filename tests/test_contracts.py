"""Contracts: the list, renewals due, the editor's rules, saving and renewal (DESIGN §2, §4)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.errors import StaleDataError, UserError
from desktop.models import Client, Contract, Ticket, TimeEntry
from desktop.services.contracts import (ContractInput, active_contract_fees, contract_detail,
                                        create_contract, days_to_renewal, list_contracts,
                                        next_period_end, renew_contract, renewal_counts,
                                        renewal_draft, update_contract, validate_contract)

UTC = timezone.utc
TODAY = date(2026, 3, 10)


def client(session, name="Sharma Textiles") -> int:
    c = Client(name=name)
    session.add(c)
    session.flush()
    return c.id


def standard(client_id, start=date(2026, 1, 1), end=date(2026, 12, 31), **kw) -> ContractInput:
    values = dict(client_id=client_id, tier_code="standard", start=start, end=end,
                  monthly_fee=Decimal("30000.00"), content_minutes_allowance=240)
    values.update(kw)
    return ContractInput(**values)


def errors_of(db, data, contract_id=None):
    with db.session() as s:
        return [(e.field, e.message) for e in validate_contract(s, data, contract_id)]


def test_a_valid_contract_has_no_errors(db):
    with db.transaction() as s:
        cid = client(s)
    assert errors_of(db, standard(cid)) == []


def test_end_must_be_after_start(db):
    with db.transaction() as s:
        cid = client(s)
    assert errors_of(db, standard(cid, end=date(2026, 1, 1))) == [
        ("end", "The end date (01 Jan 2026) must be after the start date (01 Jan 2026)")]
    assert [f for f, _ in errors_of(db, standard(cid, end=date(2025, 6, 1)))] == ["end"]


@pytest.mark.parametrize("fee, message", [
    (Decimal("-1.00"), "cannot be negative"),
    (30000.0, "not a floating-point number"),
    (Decimal("10.005"), "more than two decimal places"),
])
def test_fee_is_an_exact_amount_not_below_zero(db, fee, message):
    with db.transaction() as s:
        cid = client(s)
    [(field, text)] = errors_of(db, standard(cid, monthly_fee=fee))
    assert field == "fee" and message in text


def test_zero_fee_is_allowed(db):
    with db.transaction() as s:
        cid = client(s)
    assert errors_of(db, standard(cid, monthly_fee=Decimal("0"))) == []


@pytest.mark.parametrize("days, ok", [(29, False), (30, True), (60, True), (90, True),
                                      (91, False)])
def test_warranty_lasts_30_to_90_days_from_handover(db, days, ok):
    with db.transaction() as s:
        cid = client(s)
    handover = date(2026, 3, 1)
    data = ContractInput(client_id=cid, tier_code="warranty", start=handover,
                         end=handover + timedelta(days=days), handover_date=handover,
                         monthly_fee=Decimal("0"))
    errors = errors_of(db, data)
    if ok:
        assert errors == []
    else:
        assert errors == [("end", f"A warranty lasts 30–90 days from the handover date; "
                                  f"this one lasts {days} days")]


def test_warranty_starts_at_handover(db):
    with db.transaction() as s:
        cid = client(s)
    data = ContractInput(client_id=cid, tier_code="warranty", start=date(2026, 3, 5),
                         end=date(2026, 4, 15), handover_date=date(2026, 3, 1),
                         monthly_fee=Decimal("0"))
    assert errors_of(db, data)[0] == ("start", "A warranty starts on the handover date "
                                               "(01 Mar 2026)")


def test_periods_of_one_client_do_not_overlap(db):
    with db.transaction() as s:
        cid = client(s)
        other = client(s, "Kaveri Ayurveda")
        create_contract(s, standard(cid))
    clash = standard(cid, start=date(2026, 12, 31), end=date(2027, 12, 30))
    assert errors_of(db, clash) == [
        ("start", "The period overlaps the client's Standard contract "
                  "(01 Jan 2026 – 31 Dec 2026)")]
    assert errors_of(db, standard(cid, start=date(2027, 1, 1), end=date(2027, 12, 31))) == []
    assert errors_of(db, standard(other)) == []


def test_unknown_tier_and_missing_client(db):
    errors = errors_of(db, ContractInput(client_id=None, tier_code="gold",
                                         start=date(2026, 1, 1), end=date(2026, 2, 1)))
    assert [f for f, _ in errors] == ["client", "tier"]


def test_list_days_to_renewal_and_renewal_windows(db):
    """Hand-computed at 10 March 2026: contracts ending 25 Mar (15 days), 29 Apr (50 days),
    8 Jun (90 days) and 9 Jun (91 days); one of those ending in 15 days is already renewed; a
    warranty ending in 10 days is not a renewal."""
    with db.transaction() as s:
        ids = {}
        for name, start, end, tier in [
                ("A", date(2025, 3, 26), date(2026, 3, 25), "basic"),
                ("B", date(2025, 4, 30), date(2026, 4, 29), "premium"),
                ("C", date(2025, 6, 9), date(2026, 6, 8), "standard"),
                ("D", date(2025, 6, 10), date(2026, 6, 9), "standard"),
                ("E", date(2025, 3, 26), date(2026, 3, 25), "standard")]:
            ids[name] = create_contract(s, ContractInput(
                client_id=client(s, name), tier_code=tier, start=start, end=end,
                monthly_fee=Decimal("15000")))
        renew_contract(s, ids["E"])
        create_contract(s, ContractInput(client_id=client(s, "W"), tier_code="warranty",
                                         start=date(2026, 2, 13), end=date(2026, 3, 20),
                                         monthly_fee=Decimal("0")))
    with db.session() as s:
        rows = {r.client_name: r for r in list_contracts(s, TODAY, with_allowance=False)
                if r.state == "current"}
        assert {n: r.days_to_renewal for n, r in rows.items()} == {
            "A": 15, "B": 50, "C": 90, "D": 91, "E": 15, "W": 10}
        within = {n: [r.client_name for r in list_contracts(s, TODAY, renewal_within=n)]
                  for n in (30, 60, 90)}
        counts = renewal_counts(s, TODAY)
    assert within == {30: ["A"], 60: ["A", "B"], 90: ["A", "B", "C"]}
    assert counts == {30: 1, 60: 2, 90: 3}
    assert rows["E"].renewed and not rows["A"].renewed


def test_days_to_renewal_edges():
    assert days_to_renewal(date(2026, 3, 10), TODAY) == 0
    assert days_to_renewal(date(2026, 3, 9), TODAY) is None


def test_list_shows_fee_period_and_allowance_used(db):
    with db.transaction() as s:
        cid = client(s)
        contract_id = create_contract(s, standard(cid, monthly_fee=Decimal("150000")))
        ticket = Ticket(number=1, client_id=cid, contract_id=contract_id, title="Update prices",
                        priority="low", status="in_progress", category="content_update",
                        channel="email", created_at=datetime(2026, 3, 2, 5, tzinfo=UTC),
                        updated_at=datetime(2026, 3, 2, 5, tzinfo=UTC))
        s.add(ticket)
        s.flush()
        s.add_all([TimeEntry(ticket_id=ticket.id, work_date=date(2026, 3, 2), minutes=200,
                             category="content_update"),
                   TimeEntry(ticket_id=ticket.id, work_date=date(2026, 3, 3), minutes=100,
                             category="content_update")])
    with db.session() as s:
        [row] = list_contracts(s, TODAY)
    assert row.fee_text == "₹1,50,000.00"
    assert row.period_text == "01 Jan 2026 – 31 Dec 2026"
    assert (row.allowance_minutes, row.used_minutes, row.billable_minutes) == (240, 300, 60)


def test_monthly_recurring_revenue_counts_contracts_in_force(db):
    with db.transaction() as s:
        for name, start, end, fee in [("A", date(2026, 1, 1), date(2026, 12, 31), "30000"),
                                      ("B", date(2025, 3, 10), date(2026, 3, 10), "15000.50"),
                                      ("C", date(2025, 1, 1), date(2025, 12, 31), "60000"),
                                      ("D", date(2026, 3, 11), date(2027, 3, 10), "60000")]:
            s.add(Contract(client_id=client(s, name), tier_code="basic", start=start, end=end,
                           monthly_fee=Decimal(fee)))
    with db.session() as s:
        assert active_contract_fees(s, TODAY) == {"INR": Decimal("45000.50")}


@pytest.mark.parametrize("start, end, next_start, next_end", [
    (date(2026, 1, 1), date(2026, 12, 31), date(2027, 1, 1), date(2027, 12, 31)),
    (date(2026, 2, 15), date(2026, 8, 14), date(2026, 8, 15), date(2027, 2, 14)),
    (date(2026, 1, 31), date(2026, 2, 27), date(2026, 2, 28), date(2026, 3, 27)),
    (date(2026, 3, 1), date(2026, 3, 20), date(2026, 3, 21), date(2026, 4, 9)),
])
def test_next_period_keeps_whole_months(start, end, next_start, next_end):
    assert next_period_end(start, end, next_start) == next_end


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)),
       st.integers(min_value=1, max_value=36))
def test_a_renewed_n_month_period_lasts_n_months(start, months):
    end = start + relativedelta(months=months) - timedelta(days=1)
    following = end + timedelta(days=1)
    new_end = next_period_end(start, end, following)
    assert new_end > following
    # the renewal is as long in months, give or take the month-end clamp
    assert following + relativedelta(months=months) - timedelta(days=1) == new_end


def test_renewal_draft_and_renew_once(db):
    with db.transaction() as s:
        cid = client(s)
        first = create_contract(s, standard(cid, monthly_fee=Decimal("28000")))
        draft = renewal_draft(s, first)
        assert (draft.tier_code, draft.start, draft.end, draft.monthly_fee,
                draft.content_minutes_allowance, draft.renewed_from_id) == (
            "standard", date(2027, 1, 1), date(2027, 12, 31), Decimal("28000.00"), 240, first)
        second = renew_contract(s, first)
        assert s.get(Contract, second).renewed_from_id == first
        with pytest.raises(UserError, match="already been renewed"):
            renew_contract(s, first)


def test_a_warranty_is_followed_by_a_year_of_basic(db):
    with db.transaction() as s:
        cid = client(s)
        warranty = create_contract(s, ContractInput(
            client_id=cid, tier_code="warranty", start=date(2026, 1, 15), end=date(2026, 3, 16),
            monthly_fee=Decimal("0")))
        draft = renewal_draft(s, warranty)
    assert (draft.tier_code, draft.start, draft.end, draft.monthly_fee) == (
        "basic", date(2026, 3, 17), date(2027, 3, 16), Decimal("15000.00"))


def test_stale_contract_save_is_refused_with_both_versions(db):
    with db.transaction() as s:
        cid = client(s)
        contract_id = create_contract(s, standard(cid))
    with db.session() as s:
        opened = contract_detail(s, contract_id, TODAY)
    mine = opened.as_input()
    mine.monthly_fee = Decimal("32000")
    theirs = opened.as_input()
    theirs.monthly_fee = Decimal("35000")
    with db.transaction() as s:
        update_contract(s, contract_id, opened.version, theirs)
    with db.transaction() as s, pytest.raises(StaleDataError) as caught:
        update_contract(s, contract_id, opened.version, mine)
    assert caught.value.mine["monthly_fee"] == Decimal("32000")
    assert caught.value.theirs["monthly_fee"] == Decimal("35000.00")
    assert caught.value.theirs_version > opened.version


def test_saving_attaches_tickets_and_remeasures_their_sla(db):
    """A critical ticket opened on Saturday 7 March 2026, 10:00 IST, before any contract was
    entered, runs on the business clock ('none' tier): response due Monday 10:00 IST. Entering the
    client's premium contract puts it on the 24/7 clock: response due Saturday 11:00 IST."""
    pytest.importorskip("desktop.services.sla")
    ist = timezone(timedelta(hours=5, minutes=30))
    created = datetime(2026, 3, 7, 10, 0, tzinfo=ist)
    with db.transaction() as s:
        cid = client(s)
        ticket = Ticket(number=1, client_id=cid, title="Site down", priority="critical",
                        status="new", category="technical_issue", channel="emergency",
                        created_at=created, updated_at=created)
        s.add(ticket)
        s.flush()
        from desktop.services.sla import recompute_tickets

        recompute_tickets(s, created + timedelta(minutes=5), [ticket.id])
        assert ticket.response_due_at == datetime(2026, 3, 9, 10, 0, tzinfo=ist)
        ticket_id = ticket.id
    with db.transaction() as s:
        contract_id = create_contract(
            s, ContractInput(client_id=cid, tier_code="premium", start=date(2026, 1, 1),
                             end=date(2026, 12, 31), monthly_fee=Decimal("60000"),
                             content_minutes_allowance=480),
            now=created + timedelta(minutes=5))
    with db.session() as s:
        ticket = s.get(Ticket, ticket_id)
        assert ticket.contract_id == contract_id
        assert ticket.clock == "24x7"
        assert ticket.response_due_at == datetime(2026, 3, 7, 11, 0, tzinfo=ist)
        assert ticket.in_scope  # an emergency ticket is covered by premium
    # moving the contract's start past the ticket detaches it again
    with db.session() as s:
        opened = contract_detail(s, contract_id, TODAY)
    moved = opened.as_input()
    moved.start = date(2026, 3, 8)
    with db.transaction() as s:
        update_contract(s, contract_id, opened.version, moved, now=created + timedelta(hours=1))
    with db.session() as s:
        ticket = s.get(Ticket, ticket_id)
        assert ticket.contract_id is None and ticket.clock == "business"
        assert not ticket.in_scope


def test_saving_generates_maintenance(db):
    pytest.importorskip("desktop.services.maintenance")
    with db.transaction() as s:
        cid = client(s)
        contract_id = create_contract(s, standard(cid))
    with db.session() as s:
        detail = contract_detail(s, contract_id, TODAY)
    # DESIGN §2 and issue 5: a standard contract for 2026 yields 6 × 12 monthly,
    # 6 × 4 quarterly and 1 renewal occurrence
    assert len(detail.maintenance) == 6 * 12 + 6 * 4 + 1
    renewal = [m for m in detail.maintenance if m.name == "Contract renewal"]
    assert renewal[0].due == date(2026, 12, 1)


def test_month_usage_agrees_with_the_allowance_service(db):
    """The list reads all clients' content time in one query; each figure equals
    allowance_usage's: Sharma 300 of 240 min (60 billable), Kaveri 30 of 480, Joshi none."""
    from desktop.services.allowance import allowance_usage
    from desktop.services.contracts import month_usage

    with db.transaction() as s:
        ids = []
        for name, tier, minutes in [("Sharma", "standard", 240), ("Kaveri", "premium", 480),
                                    ("Joshi", "basic", 0)]:
            cid = client(s, name)
            ids.append(cid)
            contract_id = create_contract(s, standard(cid, tier_code=tier,
                                                      content_minutes_allowance=minutes))
            t = Ticket(number=cid, client_id=cid, contract_id=contract_id, title="Copy",
                       priority="low", status="in_progress", category="content_update",
                       channel="email", created_at=datetime(2026, 3, 2, 5, tzinfo=UTC),
                       updated_at=datetime(2026, 3, 2, 5, tzinfo=UTC))
            s.add(t)
            s.flush()
            for day, spent, category in {"Sharma": [(2, 200, "content_update"),
                                                    (31, 100, "content_update"),
                                                    (3, 50, "bug_fix")],
                                         "Kaveri": [(9, 30, "content_update"),
                                                    (28, 60, "content_update")],
                                         "Joshi": []}[name]:
                month = 2 if day == 28 else 3
                s.add(TimeEntry(ticket_id=t.id, work_date=date(2026, month, day), minutes=spent,
                                category=category))
    with db.session() as s:
        usage = month_usage(s, set(ids), TODAY)
        for cid in ids:
            assert usage[cid] == allowance_usage(s, cid, 2026, 3)
    assert [(usage[c].used_minutes, usage[c].billable_minutes) for c in ids] == [
        (300, 60), (30, 0), (0, 0)]


@pytest.fixture(scope="module")
def scratch_db(tmp_path_factory):
    """One SQLite database for the property tests; each example empties it first."""
    from desktop.storage.database import open_database

    db = open_database(f"sqlite:///{tmp_path_factory.mktemp('renewals') / 'a.db'}")
    yield db
    db.dispose()


@settings(max_examples=15, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["warranty", "basic", "standard", "premium"]),
                          st.integers(min_value=-400, max_value=120),
                          st.integers(min_value=30, max_value=400),
                          st.booleans()),
                min_size=1, max_size=8))
def test_renewal_counts_agree_with_the_list(scratch_db, contracts):
    """The dashboard's SQL count and the contract list's filter are one rule: for any set of
    contracts (some followed by a later one), both give the same renewals within 30/60/90."""
    db = scratch_db
    with db.transaction() as s:
        s.query(Contract).delete()
        s.query(Client).delete()
    with db.transaction() as s:
        for n, (tier, offset, length, renewed) in enumerate(contracts):
            cid = client(s, f"C{n}")
            start = TODAY + timedelta(days=offset)
            end = start + timedelta(days=length)
            s.add(Contract(client_id=cid, tier_code=tier, start=start, end=end,
                           monthly_fee=Decimal("1000")))
            if renewed:
                s.add(Contract(client_id=cid, tier_code=tier, start=end + timedelta(days=1),
                               end=end + timedelta(days=365), monthly_fee=Decimal("1000")))
    with db.session() as s:
        counts = renewal_counts(s, TODAY)
        listed = {n: len(list_contracts(s, TODAY, renewal_within=n, with_allowance=False))
                  for n in (30, 60, 90)}
    periods = []  # (tier, start offset, end offset, followed by a later contract)
    for tier, offset, length, renewed in contracts:
        periods.append((tier, offset, offset + length, renewed))
        if renewed:
            periods.append((tier, offset + length + 1, offset + length + 365, False))
    by_hand = {n: sum(1 for tier, start, end, renewed in periods
                      if tier != "warranty" and not renewed and start <= 0 <= end <= n)
               for n in (30, 60, 90)}
    assert counts == listed == by_hand


def test_changing_the_tier_remeasures_the_contracts_tickets(db):
    """A critical ticket of a standard contract runs on the business clock; correcting the
    contract to premium puts it on the 24/7 clock (DESIGN §2); a fee-only edit changes nothing."""
    pytest.importorskip("desktop.services.sla")
    ist = timezone(timedelta(hours=5, minutes=30))
    created = datetime(2026, 3, 7, 10, 0, tzinfo=ist)  # a Saturday
    with db.transaction() as s:
        cid = client(s)
        contract_id = create_contract(s, standard(cid), now=created)
        ticket = Ticket(number=1, client_id=cid, title="Site down", priority="critical",
                        status="new", category="technical_issue", channel="email",
                        created_at=created, updated_at=created)
        s.add(ticket)
        s.flush()
        from desktop.services.sla import recompute_tickets

        recompute_tickets(s, created, [ticket.id])
        ticket_id = ticket.id
    with db.session() as s:
        opened = contract_detail(s, contract_id, TODAY)
    # the ticket was added without a contract; a fee-only edit leaves tickets alone
    cheaper = opened.as_input()
    cheaper.monthly_fee = Decimal("29000")
    with db.transaction() as s:
        version = update_contract(s, contract_id, opened.version, cheaper, now=created)
        assert s.get(Ticket, ticket_id).contract_id is None
    premium = opened.as_input()
    premium.tier_code, premium.monthly_fee = "premium", Decimal("60000")
    with db.transaction() as s:
        update_contract(s, contract_id, version, premium, now=created)
    with db.session() as s:
        ticket = s.get(Ticket, ticket_id)
        assert (ticket.contract_id, ticket.clock) == (contract_id, "24x7")
        assert ticket.response_due_at == datetime(2026, 3, 7, 11, 0, tzinfo=ist)
