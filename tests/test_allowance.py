"""Content-hour allowance per client and calendar month (DESIGN §2): 4 h standard, 8 h premium;
content-update time beyond it is billable."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

from desktop.models import Client, Contract, Ticket, TimeEntry
from desktop.services.allowance import allowance_usage, month_bounds

CREATED = datetime(2026, 3, 2, 5, 0, tzinfo=timezone.utc)


def setup_client(session, name: str, contracts: list[tuple[str, date, date, int]]) -> Client:  # noqa: ANN001
    client = Client(name=name)
    session.add(client)
    session.flush()
    for tier, start, end, minutes in contracts:
        session.add(Contract(client_id=client.id, tier_code=tier, start=start, end=end,
                             monthly_fee=Decimal("30000.00"), content_minutes_allowance=minutes))
    session.flush()
    return client


def log(session, client: Client, number: int, entries: list[tuple[date, int, str]]) -> None:  # noqa: ANN001
    ticket = Ticket(number=number, client_id=client.id, title="Update the team page",
                    priority="low", category="content_update", channel="email",
                    created_at=CREATED, updated_at=CREATED)
    session.add(ticket)
    session.flush()
    for day, minutes, category in entries:
        session.add(TimeEntry(ticket_id=ticket.id, work_date=day, minutes=minutes,
                              category=category))
    session.flush()


def test_usage_within_and_beyond_the_allowance(db):
    with db.transaction() as session:
        standard = setup_client(session, "Standard Co",
                                [("standard", date(2026, 1, 1), date(2026, 12, 31), 240)])
        premium = setup_client(session, "Premium Co",
                               [("premium", date(2026, 1, 1), date(2026, 12, 31), 480)])
        # Standard Co in March: 150 + 135 content minutes = 4 h 45; 45 min billable.
        # The bug fix and the February / April entries do not count.
        log(session, standard, 1, [(date(2026, 3, 2), 150, "content_update"),
                                   (date(2026, 3, 31), 135, "content_update"),
                                   (date(2026, 3, 10), 600, "bug_fix"),
                                   (date(2026, 2, 28), 60, "content_update"),
                                   (date(2026, 4, 1), 60, "content_update")])
        log(session, premium, 2, [(date(2026, 3, 5), 300, "content_update")])
        standard_id, premium_id = standard.id, premium.id
    with db.session() as session:
        march = allowance_usage(session, standard_id, 2026, 3)
        assert (march.allowance_minutes, march.used_minutes, march.billable_minutes) == \
            (240, 285, 45)
        assert march.remaining_minutes == 0 and march.within_minutes == 240
        feb = allowance_usage(session, standard_id, 2026, 2)
        assert (feb.used_minutes, feb.billable_minutes, feb.remaining_minutes) == (60, 0, 180)
        premium_march = allowance_usage(session, premium_id, 2026, 3)
        assert (premium_march.allowance_minutes, premium_march.used_minutes,
                premium_march.billable_minutes) == (480, 300, 0)
        empty = allowance_usage(session, premium_id, 2026, 7)
        assert (empty.used_minutes, empty.billable_minutes) == (0, 0)


def test_without_a_contract_all_content_time_is_billable(db):
    with db.transaction() as session:
        client = setup_client(session, "Lapsed Co",
                              [("standard", date(2025, 1, 1), date(2025, 12, 31), 240)])
        log(session, client, 1, [(date(2026, 3, 2), 90, "content_update")])
        client_id = client.id
    with db.session() as session:
        usage = allowance_usage(session, client_id, 2026, 3)
        assert (usage.allowance_minutes, usage.used_minutes, usage.billable_minutes) == (0, 90, 90)
        assert allowance_usage(session, client_id, 2025, 12).allowance_minutes == 240


def test_an_upgrade_mid_month_uses_the_contract_in_force_at_the_months_end(db):
    with db.transaction() as session:
        client = setup_client(session, "Growing Co", [
            ("standard", date(2026, 1, 1), date(2026, 3, 14), 240),
            ("premium", date(2026, 3, 15), date(2027, 3, 14), 480)])
        log(session, client, 1, [(date(2026, 3, 3), 400, "content_update")])
        client_id = client.id
    with db.session() as session:
        usage = allowance_usage(session, client_id, 2026, 3)
        assert (usage.allowance_minutes, usage.billable_minutes) == (480, 0)
        assert allowance_usage(session, client_id, 2026, 2).allowance_minutes == 240


def test_month_bounds_know_leap_years():
    assert month_bounds(2028, 2) == (date(2028, 2, 1), date(2028, 2, 29))
    assert month_bounds(2026, 12) == (date(2026, 12, 1), date(2026, 12, 31))
