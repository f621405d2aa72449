"""The queue's SQL paging: orders, windows, filters, search, SLA states (DESIGN §4, §8)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from desktop.models import Ticket
from desktop.services import queue as q
from desktop.services.search import parse_query
from tests.queue_data import add_tickets, make_world

UTC = timezone.utc
NOW = datetime(2026, 3, 10, 6, 0, tzinfo=UTC)  # Tuesday 11:30 IST
PRIORITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}
STATUS_RANK = {s: i for i, s in enumerate(
    ("new", "acknowledged", "in_progress", "waiting_on_client", "resolved", "closed"))}


@pytest.fixture
def world_db(db):
    with db.transaction() as s:
        world = make_world(s)
        add_tickets(s, world, 120, NOW)
    return db, world


def expected_order(session, key: str, descending: bool, staff_order: list[int]) -> list[int]:
    """The documented order, computed from the rows independently of the service."""
    tickets = session.scalars(select(Ticket)).all()

    def by_due(t):  # running clocks by due (id ascending), then the rest newest first
        return (0, t.sla_due_at, t.id) if t.sla_due_at is not None else (1, NOW, -t.id)

    if key == "sla":
        running = sorted((t for t in tickets if t.sla_due_at is not None),
                         key=lambda t: (t.sla_due_at, t.id), reverse=descending)
        rest = sorted((t for t in tickets if t.sla_due_at is None), key=lambda t: -t.id)
        return [t.id for t in running + rest]
    if key in ("number", "updated"):
        attr = "number" if key == "number" else "updated_at"
        return [t.id for t in sorted(tickets, key=lambda t: (getattr(t, attr), t.id),
                                     reverse=descending)]
    if key == "client":  # by name, newest first inside a client; descending is the reverse
        ordered = sorted(tickets, key=lambda t: (-t.created_at.timestamp(), -t.id))
        ordered.sort(key=lambda t: (t.client.name, t.client_id))
        return [t.id for t in (reversed(ordered) if descending else ordered)]
    if key == "priority":
        rank = PRIORITY_RANK
        value = lambda t: t.priority  # noqa: E731
    elif key == "status":
        rank = STATUS_RANK
        value = lambda t: t.status  # noqa: E731
    else:
        rank = {a: i for i, a in enumerate(staff_order)}
        rank[None] = len(rank)
        value = lambda t: t.assignee_id  # noqa: E731
    sign = -1 if descending else 1
    return [t.id for t in sorted(tickets, key=lambda t: (sign * rank[value(t)],) + by_due(t))]


def all_rows(session, flt=q.QueueFilter(), sort=q.QueueSort(), now=NOW):  # noqa: B008
    query = q.QueueQuery(session, flt, sort, now)
    total = query.count()
    return query.window_ids(0, total + 5, total)


@pytest.mark.parametrize("key", ["sla", "number", "updated", "client", "priority", "status",
                                 "assignee"])
@pytest.mark.parametrize("descending", [False, True])
def test_sql_order_matches_documented_order(world_db, key, descending):
    db, world = world_db
    with db.session() as s:
        query = q.QueueQuery(s, q.QueueFilter(), q.QueueSort(key, descending), NOW)
        expected = expected_order(s, key, descending, query.staff_order)
        assert query.window_ids(0, 500, 120) == expected  # the index walk
        assert query.sorted_ids() == expected  # the small-queue path


def test_windows_tile_the_queue_forwards_and_backwards(world_db):
    db, _ = world_db
    with db.session() as s:
        for key in ("sla", "priority", "client"):
            query = q.QueueQuery(s, q.QueueFilter(), q.QueueSort(key), NOW)
            full = query.window_ids(0, 500)
            assert len(full) == 120
            # offsets past the middle walk backwards from the end: same rows
            for offset in (0, 17, 55, 61, 100, 110):
                assert query.window_ids(offset, 25, 120) == full[offset:offset + 25]
            assert query.window_ids(115, 25, 120) == full[115:]


def test_default_sort_puts_running_clocks_first_nearest_due(world_db):
    db, _ = world_db
    with db.session() as s:
        page = q.fetch_page(s, q.QueueFilter(), q.QueueSort(), 0, 200, NOW)
        dues = [r.sla_due_at for r in page.rows]
        running = [d for d in dues if d is not None]
        assert running == sorted(running)
        assert dues[:len(running)] == running  # then the tickets without a running clock


def test_priority_sort_is_by_severity_not_alphabet(world_db):
    db, _ = world_db
    with db.session() as s:
        rows = q.fetch_page(s, q.QueueFilter(), q.QueueSort("priority"), 0, 200, NOW).rows
        ranks = [PRIORITY_RANK[r.priority] for r in rows]
        assert ranks == sorted(ranks) and ranks[0] == 0


def test_filters(world_db):
    db, world = world_db
    with db.session() as s:
        tickets = s.scalars(select(Ticket)).all()

        def ids(flt):
            return set(all_rows(s, flt))

        assert ids(q.QueueFilter(statuses=("new", "closed"))) == {
            t.id for t in tickets if t.status in ("new", "closed")}
        assert ids(q.QueueFilter(priorities=("critical",))) == {
            t.id for t in tickets if t.priority == "critical"}
        sharma = world.clients["Sharma Textiles"]
        assert ids(q.QueueFilter(client_ids=(sharma,))) == {
            t.id for t in tickets if t.client_id == sharma}
        assert ids(q.QueueFilter(tiers=("basic",))) == {
            t.id for t in tickets if t.client.name == "Kaveri Ayurveda"}
        assert ids(q.QueueFilter(tiers=("none",))) == {
            t.id for t in tickets if t.contract_id is None}
        assert ids(q.QueueFilter(assignee_ids=(q.UNASSIGNED,))) == {
            t.id for t in tickets if t.assignee_id is None}
        asha = world.staff["asha"]
        assert ids(q.QueueFilter(assignee_ids=(asha, q.UNASSIGNED))) == {
            t.id for t in tickets if t.assignee_id in (asha, None)}
        assert ids(q.QueueFilter(in_scope=False)) == {
            t.id for t in tickets if not t.is_in_scope}
        assert ids(q.QueueFilter(in_scope=True)) == {t.id for t in tickets if t.is_in_scope}


def test_text_search(world_db):
    db, world = world_db
    with db.session() as s:
        tickets = s.scalars(select(Ticket)).all()

        def ids(text):
            return set(all_rows(s, q.QueueFilter(text=text)))

        assert ids("payment") == {t.id for t in tickets if "payment" in t.title.lower()}
        assert ids("PAYM") == ids("payment")  # prefix, any case
        assert ids("contact form") == {t.id for t in tickets
                                       if "contact form" in t.title.lower()}
        assert ids("meena") == {t.id for t in tickets if "Meena" in t.description}
        assert ids("kaveri") == {t.id for t in tickets if t.client.name == "Kaveri Ayurveda"}
        assert ids("kaveri typo") == {t.id for t in tickets if t.client.name == "Kaveri Ayurveda"
                                      and "typo" in t.title.lower()}
        number = tickets[5].number
        assert tickets[5].id in ids(f"#{number}")
        assert ids(f"#{number}") == {tickets[5].id}
        assert ids("zzzz") == set()
        assert ids('"; DROP TABLE tickets; --') == set()


def test_search_index_follows_edits_and_deletes(world_db):
    db, _ = world_db
    with db.transaction() as s:
        ticket = s.scalars(select(Ticket).order_by(Ticket.id)).first()
        ticket.title = "Razorpay webhook rejected"
    with db.session() as s:
        assert all_rows(s, q.QueueFilter(text="razorpay")) == [ticket.id]
    with db.transaction() as s:
        s.delete(s.get(Ticket, ticket.id))
    with db.session() as s:
        assert all_rows(s, q.QueueFilter(text="razorpay")) == []


def test_rebuild_after_bulk_load(sqlite_url):
    from desktop.services.search import (drop_search_triggers, rebuild_search_index,
                                         search_index_intact)
    from desktop.storage.database import open_database

    db = open_database(sqlite_url)
    try:
        with db.transaction() as s:
            world = make_world(s)
            drop_search_triggers(s)
            assert not search_index_intact(s)
            add_tickets(s, world, 10, NOW)
        with db.session() as s:
            assert all_rows(s, q.QueueFilter(text="payment")) == []  # not indexed yet
        with db.transaction() as s:
            rebuild_search_index(s)
            assert search_index_intact(s)
        with db.session() as s:
            expected = {t.id for t in s.scalars(select(Ticket)) if "payment" in t.title.lower()}
            assert set(all_rows(s, q.QueueFilter(text="payment"))) == expected
    finally:
        db.dispose()


def test_parse_query():
    assert parse_query("#42 login").number == 42
    assert parse_query("#42 login").words == ("login",)
    assert parse_query("1234").number == 1234 and parse_query("1234").words == ("1234",)
    assert parse_query("   ").empty
    # too large for a ticket number column, or not an ASCII number: searched as words only
    assert parse_query("#99999999999999999999").number is None
    assert parse_query("#²").number is None and parse_query("²").number is None
    assert parse_query("#2147483647").number == 2_147_483_647


def test_sla_states_worked_example(db):
    """A high ticket on the business clock: response target 4 h, at risk from 75% used, i.e.
    with 1 business hour (60 min) or less left. NOW is Tuesday 11:30 IST."""
    with db.transaction() as s:
        world = make_world(s)
        add_tickets(s, world, 0, NOW)
        base = dict(client_id=world.clients["Sharma Textiles"],
                    contract_id=world.contracts["Sharma Textiles"], description="",
                    priority="high", category="bug_fix", channel="email", clock="business",
                    created_at=NOW - timedelta(hours=3), updated_at=NOW,
                    resolution_paused=False, resolution_used_minutes=0,
                    response_breached=False, resolution_breached=False, in_scope=True,
                    scope_reason="", override_reason="")
        cases = {
            "on track": (NOW + timedelta(minutes=61), "new"),
            "at risk": (NOW + timedelta(minutes=60), "new"),
            "breached": (NOW - timedelta(minutes=1), "new"),
            "paused": (None, "waiting_on_client"),
            "met": (None, "resolved"),
        }
        ids = {}
        for i, (title, (due, status)) in enumerate(cases.items()):
            t = Ticket(number=i + 1, title=title, status=status, sla_due_at=due,
                       response_due_at=due, resolution_due_at=due, **base)
            if status == "waiting_on_client":
                t.resolution_paused = True
                t.first_response_at = NOW - timedelta(hours=2)
            if status == "resolved":
                t.resolved_at = NOW - timedelta(minutes=5)
                t.first_response_at = NOW - timedelta(hours=2)
            s.add(t)
            s.flush()
            ids[title] = t.id
    with db.session() as s:
        sla = q.QueueSla.load(s)
        for state, title in (("running", "on track"), ("at_risk", "at risk"),
                             ("breached", "breached"), ("paused", "paused"), ("met", "met")):
            found = q.QueueQuery(s, q.QueueFilter(sla_states=(state,)), q.QueueSort(), NOW,
                                 sla).window_ids(0, 10)
            assert found == [ids[title]], state
        rows = {r.title: r for r in q.QueueQuery(s, q.QueueFilter(), q.QueueSort(), NOW,
                                                 sla).window(0, 10)}
        shown = {title: q.sla_display(row, NOW, sla) for title, row in rows.items()}
        assert (shown["on track"].state, shown["on track"].text) == ("running", "1h 01m left")
        assert (shown["at risk"].state, shown["at risk"].text) == ("at_risk", "1h 00m left")
        assert (shown["breached"].state, shown["breached"].text) == ("breached", "1m over")
        assert shown["paused"].state == "paused" and shown["met"].state == "met"
        alerts = q.clock_alerts(s, NOW, sla)
        assert {(a.ticket_id, a.state) for a in alerts} == {(ids["at risk"], "at_risk"),
                                                           (ids["breached"], "breached")}


def test_business_time_left_skips_the_night(db):
    """Resolution due Wednesday 10:00 IST seen on Tuesday 17:00 IST: 1 h today + 1 h tomorrow
    = 2 h left on the business clock (not 17 h of wall time); 2 h of a high ticket's 9 h is
    under 25% left, so the clock is at risk."""
    ist = timezone(timedelta(hours=5, minutes=30))
    now = datetime(2026, 3, 10, 17, 0, tzinfo=ist)
    with db.session() as s:
        sla = q.QueueSla.load(s)
    row = q.QueueRow(1, 1, "high", "t", "c", "standard", "in_progress", None, now, now,
                     "business", None, datetime(2026, 3, 11, 10, 0, tzinfo=ist),
                     datetime(2026, 3, 11, 10, 0, tzinfo=ist), now, None, False, False, False,
                     True, 1)
    shown = q.sla_display(row, now, sla)
    assert shown.text == "2h 00m left" and shown.state == "at_risk"
    assert shown.clock_name == "resolution"


def test_saved_view_resolution():
    flt = q.resolve_view(q.BUILTIN_VIEWS["My open"], 7)
    assert flt.assignee_ids == (7,) and set(flt.statuses) == set(q.OPEN)
    assert q.resolve_view(q.BUILTIN_VIEWS["Unassigned"], 7).assignee_ids == (q.UNASSIGNED,)
    round_trip = q.QueueFilter.from_dict(flt.with_(text="login", in_scope=False).to_dict())
    assert round_trip == flt.with_(text="login", in_scope=False)


# Property: for any filter and sort, every window of the index walk (forwards or backwards)
# equals the same slice of the Python-sorted small-queue order.
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.sampled_from(sorted(q.SORTABLE)), descending=st.booleans(),
       statuses=st.sets(st.sampled_from(("new", "in_progress", "resolved", "closed"))),
       priorities=st.sets(st.sampled_from(("critical", "high", "medium", "low"))),
       offset=st.integers(0, 130), limit=st.integers(1, 40))
def test_windows_agree_with_python_order(world_db, key, descending, statuses, priorities,
                                         offset, limit):
    db, _ = world_db
    flt = q.QueueFilter(statuses=tuple(sorted(statuses)), priorities=tuple(sorted(priorities)))
    with db.session() as s:
        query = q.QueueQuery(s, flt, q.QueueSort(key, descending), NOW)
        full = query.sorted_ids()
        total = query.count()
        assert total == len(full)
        assert query.window_ids(offset, limit, total) == full[offset:offset + limit]
