"""The portable dump (DESIGN §7): what an import derives, and export → import → export."""
from __future__ import annotations

import json
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from desktop.models import (Base, Client, Contract, FollowUp, Holiday, Occurrence, StaffUser,
                            Ticket)
from desktop.services.dump import export_dump, import_dump
from desktop.storage.database import open_database

SAMPLE = Path(__file__).parent / "data" / "sample_dump.json"
NOW = datetime(2026, 11, 27, 6, 0, tzinfo=timezone.utc)  # Friday 11:30 in Kolkata
UTC = timezone.utc


def sample() -> dict:
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


def row_counts(db) -> dict[str, int]:  # noqa: ANN001
    with db.session() as session:
        return {table.name: session.scalar(select(func.count()).select_from(table))
                for table in Base.metadata.sorted_tables}


def rich_dump() -> dict:
    """The sample plus everything a user can enter beyond DESIGN §7's minimum, with awkward
    text, so that a round trip has something to lose."""
    doc = sample()
    doc["settings"] = {"agency_name": "Arukz Digital", "support_phone": "+91 80 4000 1234",
                       "at_risk_percent": 80, "business_days": [0, 1, 2, 3, 4]}
    doc["staff"] = [{"username": "priya", "display_name": "Priya Nair",
                     "email": "priya@arukz.com", "active": True},
                    {"username": "vikram", "display_name": "Vikram Singh", "email": "",
                     "active": False}]
    doc["sla_policies"] = [{"tier": "basic", "priority": "low", "clock": "business",
                            "response_minutes": 1440, "resolution_minutes": 2700}]
    client = doc["clients"][0]
    client["website"] = "https://sharmatextiles.in"
    client["notes"] = "Prefers calls after 4 pm <not before> & never on Sundays — धन्यवाद"
    client["contacts"][1]["receives_reports"] = False
    client["contracts"][1]["renewed_from"] = 0
    client["contracts"][1]["notes"] = "Renewed from the warranty"
    ticket = doc["tickets"][1]
    ticket["scope_override"] = True
    ticket["override_reason"] = "Goodwill: first content change after the warranty"
    ticket["description"] = "Line one\nLine two with \"quotes\", a tab\t and 😀"
    doc["tickets"][0]["events"][1]["at"] = "2026-01-12T11:06:00.250000+05:30"
    doc["tickets"][3]["events"].append({"at": "2026-02-10T12:50:00+05:30",
                                        "type": "assignment", "author": "anita",
                                        "data": {"from": None, "to": "anita"}})
    doc["follow_ups"] = [{"ticket": 1001, "due_at": "2026-01-15T15:45:00+05:30",
                          "done_at": "2026-01-16T11:00:00+05:30", "rating": 5,
                          "comment": "Quick and clear", "done_by": "priya"},
                         {"ticket": 1004, "due_at": "2026-02-13T12:45:00+05:30",
                          "done_at": None, "rating": None, "comment": "", "done_by": None}]
    doc["maintenance"][1]["rescheduled"] = True
    doc["monthly_summaries"] = [{"client": "Kaveri Ayurveda", "month": "2026-10",
                                 "body": "A calm month: one scan finding, fixed the same day."}]
    doc["monthly_summaries"] += [{"client": "Sharma Textiles", "month": "2026-10", "body": "—"}]
    doc["quarterly_recommendations"] = [{"client": "Nilgiri Travels", "quarter": "2026-Q3",
                                         "body": "Move the booking engine to 6.x once fixed."}]
    # Names whose order differs between byte order and a locale's collation (PostgreSQL):
    # the dump's order must not depend on the database.
    for name in ("acme web works", "Zebra Labs", "_underscore & Co", "Éclair Bakery"):
        doc["clients"].append({"name": name, "contracts": [
            {"tier": "basic", "start": "2026-01-01", "end": "2026-12-31",
             "monthly_fee": "15000.00", "currency": "INR"}]})
        doc["maintenance"].append({"client": name, "task": "security_scan", "due": "2026-10-30",
                                   "done_at": None, "outcome": None, "notes": ""})
        doc["monthly_summaries"] = doc.get("monthly_summaries", []) + [
            {"client": name, "month": "2026-09", "body": "Quiet."}]
    doc["staff"].append({"username": "Zoya", "display_name": "Zoya", "email": "",
                         "active": True})
    doc["staff"].append({"username": "arun.k", "display_name": "Arun K", "email": "",
                         "active": True})
    doc["sent_reports"] = [{"client": "Kaveri Ayurveda", "kind": "monthly", "period": "2026-10",
                            "sent_at": "2026-11-02T10:00:00+05:30",
                            "recipients": "lakshmi@kaveriayurveda.com",
                            "file_name": "Kaveri Ayurveda 2026-10.pdf", "sent_by": "priya"}]
    return doc


# --- what an import derives (DESIGN §7) --------------------------------------------------------
@pytest.fixture
def sample_db(sqlite_url):
    db = open_database(sqlite_url)
    import_dump(db, SAMPLE, now=NOW)
    yield db
    db.dispose()


def _ticket(session, number: int) -> Ticket:  # noqa: ANN001
    return session.scalars(select(Ticket).where(Ticket.number == number)).one()


def test_sample_dump_counts(sample_db):
    counts = row_counts(sample_db)
    assert counts["clients"] == 3
    assert counts["contacts"] == 5
    assert counts["contracts"] == 5
    assert counts["tickets"] == 10
    assert counts["ticket_events"] == 43
    assert counts["time_entries"] == 9
    assert counts["occurrences"] == 8
    with sample_db.session() as session:
        assert sorted(session.scalars(select(StaffUser.username))) == ["anita", "priya", "rahul"]


def test_status_is_the_last_status_event_and_new_without_one(sample_db):
    with sample_db.session() as session:
        assert _ticket(session, 1003).status == "new"
        assert _ticket(session, 1006).status == "in_progress"
        assert _ticket(session, 1010).status == "waiting_on_client"
        closed = _ticket(session, 1001)
        assert closed.status == "closed"
        assert closed.closed_at == datetime(2026, 1, 19, 4, 30, tzinfo=UTC)
        assert closed.updated_at == datetime(2026, 1, 19, 4, 30, tzinfo=UTC)


def test_priority_changed_by_priority_events_and_kept_at_creation(sample_db):
    from desktop.services.sla import creation_priority

    with sample_db.session() as session:
        ticket = _ticket(session, 1009)
        assert ticket.priority == "medium"
        assert creation_priority(ticket) == "low"
        change = [e for e in ticket.events if e.type == "priority"][0]
        assert (change.priority, change.data) == ("medium", {"from": "low"})


def test_contract_is_the_one_in_force_at_creation(sample_db):
    with sample_db.session() as session:
        tiers = {n: _ticket(session, n).contract.tier_code for n in (1001, 1002, 1007, 1008)}
    # 1001 (Jan) falls in Sharma's warranty, 1002 (Apr) in its basic contract; Nilgiri's
    # warranty ran to 31 March and its premium contract from 1 April.
    assert tiers == {1001: "warranty", 1002: "basic", 1007: "warranty", 1008: "premium"}


def test_contract_by_the_agency_date_not_the_utc_date(sqlite_url):
    doc = sample()
    # 00:30 on 1 April in Kolkata is still 31 March in UTC: the premium contract applies.
    doc["tickets"] = [dict(doc["tickets"][7], number=1, created_at="2026-04-01T00:30:00+05:30",
                           events=[], time_entries=[])]
    db = open_database(sqlite_url)
    import_dump(db, doc, now=NOW)
    with db.session() as session:
        assert _ticket(session, 1).contract.tier_code == "premium"
    db.dispose()


def test_coverage_and_sla_computed_on_import(sample_db):
    with sample_db.session() as session:
        content_on_basic = _ticket(session, 1002)
        assert content_on_basic.in_scope is False
        assert "Basic" in content_on_basic.scope_reason
        training = _ticket(session, 1010)
        assert training.is_in_scope is False
        assert training.resolution_paused is True
        assert training.resolution_due_at is None
        # Premium critical runs on the 24/7 clock: created 02:10 IST on a Saturday,
        # response due one hour later.
        night = _ticket(session, 1008)
        assert night.clock == "24x7"
        assert night.response_due_at == datetime(2026, 6, 12, 21, 40, tzinfo=UTC)
        # A low ticket created Friday 20 Nov 17:15 IST: 18 business hours are 45 min on
        # Friday, 9 h on Monday, none on Tuesday 24 Nov (Guru Nanak's Birthday, a holiday in
        # the dump) and 8 h 15 min on Wednesday: due Wed 25 Nov 17:15 IST = 11:45 UTC.
        typo = _ticket(session, 1003)
        assert typo.response_due_at == datetime(2026, 11, 25, 11, 45, tzinfo=UTC)
        assert typo.response_breached is True  # evaluated at NOW, 27 Nov
        assert typo.sla_due_at is not None
        first = _ticket(session, 1001)
        assert first.first_response_at == datetime(2026, 1, 12, 5, 35, tzinfo=UTC)
        assert first.resolved_at == datetime(2026, 1, 12, 10, 15, tzinfo=UTC)


def test_follow_ups_derived_for_resolved_tickets_when_the_dump_has_none(sample_db):
    with sample_db.session() as session:
        numbers = sorted(session.scalars(select(Ticket.number).join(
            FollowUp, FollowUp.ticket_id == Ticket.id)))
        follow = session.scalars(select(FollowUp).join(Ticket).where(Ticket.number == 1001)).one()
    assert numbers == [1001, 1002, 1004, 1005, 1007, 1008, 1009]
    # Resolved Mon 12 Jan 15:45 IST; three business days later: Thu 15 Jan 15:45 IST.
    assert follow.due_at == datetime(2026, 1, 15, 10, 15, tzinfo=UTC)


def test_holidays_replace_the_database_list(sample_db):
    with sample_db.session() as session:
        days = list(session.scalars(select(Holiday.day).order_by(Holiday.day)))
    assert len(days) == 36
    assert days[0] == date(2026, 1, 26) and days[-1].year == 2027


def test_holidays_left_alone_when_the_dump_has_none(sqlite_url):
    db = open_database(sqlite_url)
    before = row_counts(db)["holidays"]
    doc = sample()
    del doc["holidays"]
    import_dump(db, doc, now=NOW)
    assert row_counts(db)["holidays"] == before > 0
    db.dispose()


def test_maintenance_contract_period_and_name_derived(sample_db):
    with sample_db.session() as session:
        rows = {(o.client.name, o.task): o for o in session.scalars(select(Occurrence))}
        review = rows[("Sharma Textiles", "warranty_expiry_review")]
        assert (review.contract.tier_code, review.period_key, review.cadence) == (
            "warranty", "end", "once")
        backup = rows[("Sharma Textiles", "backup_verification")]
        assert (backup.contract.tier_code, backup.period_key, backup.name) == (
            "basic", "2026-10", "Backup verification")
        assert backup.figures["restore_tested"] is True
        assert backup.done_by.username == "rahul"
        audit = rows[("Nilgiri Travels", "comprehensive_audit")]
        assert (audit.period_key, audit.done_at, audit.outcome) == ("2026-Q4", None, None)
        renewal = rows[("Kaveri Ayurveda", "contract_renewal")]
        assert renewal.period_key == "end"


def test_annual_period_counts_contract_years(sqlite_url):
    doc = sample()
    doc["clients"][2]["contracts"][1]["end"] = "2028-03-31"
    doc["maintenance"] = [{"client": "Nilgiri Travels", "task": "major_updates", "due": due,
                           "done_at": None, "outcome": None, "notes": ""}
                          for due in ("2027-03-31", "2028-03-31")]
    db = open_database(sqlite_url)
    import_dump(db, doc, now=NOW)
    with db.session() as session:
        rows = sorted((o.due, o.period_key, o.cadence, o.contract.tier_code)
                      for o in session.scalars(select(Occurrence)))
    # The premium contract starts 2026-04-01: its first year ends 2027-03-31, its second
    # 2028-03-31.
    assert rows == [(date(2027, 3, 31), "Y1", "annual", "premium"),
                    (date(2028, 3, 31), "Y2", "annual", "premium")]
    db.dispose()


def test_money_stays_exact(sample_db):
    with sample_db.session() as session:
        fees = sorted(session.scalars(select(Contract.monthly_fee)))
    assert fees == [Decimal("0.00"), Decimal("0.00"), Decimal("15000.00"),
                    Decimal("30000.00"), Decimal("60000.00")]


# --- export → import → export ------------------------------------------------------------------
def test_round_trip_is_byte_identical(db_url, tmp_path):
    first_db = open_database(db_url)
    import_dump(first_db, rich_dump(), now=NOW)
    first = tmp_path / "first.json"
    export_dump(first_db, first)
    first_db.dispose()

    second_db = open_database(f"sqlite:///{tmp_path / 'second.db'}")
    import_dump(second_db, first, now=NOW)
    second = tmp_path / "second.json"
    export_dump(second_db, second)
    second_db.dispose()
    assert first.read_bytes() == second.read_bytes()

    text = first.read_text(encoding="utf-8")
    document = json.loads(text)
    assert text == json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    assert "धन्यवाद" in text and "😀" in text  # ensure_ascii=False
    # nothing the user entered is lost
    assert document["settings"]["agency_name"] == "Arukz Digital"
    assert {"username": "vikram", "display_name": "Vikram Singh", "email": "",
            "active": False} in document["staff"]
    names = [c["name"] for c in document["clients"]]
    assert names == sorted(names)  # by code point, whatever the database's collation
    assert [s["username"] for s in document["staff"]] == sorted(s["username"]
                                                                for s in document["staff"])
    sharma = document["clients"][names.index("Sharma Textiles")]
    assert sharma["contacts"][1]["receives_reports"] is False
    assert sharma["contracts"][1]["renewed_from"] == 0
    assert sharma["contracts"][1]["monthly_fee"] == "15000.00"
    by_number = {t["number"]: t for t in document["tickets"]}
    assert by_number[1002]["scope_override"] is True
    assert by_number[1002]["override_reason"].startswith("Goodwill")
    assert by_number[1001]["created_at"] == "2026-01-12T04:50:00+00:00"
    assert by_number[1001]["events"][1]["at"] == "2026-01-12T05:36:00.250000+00:00"
    assert by_number[1009]["priority"] == "low"
    assert [f["ticket"] for f in document["follow_ups"]] == [1001, 1004]
    assert document["follow_ups"][0]["rating"] == 5
    assert [p for p in document["sla_policies"]
            if (p["tier"], p["priority"]) == ("basic", "low")][0]["response_minutes"] == 1440
    assert [(n["client"], n["month"]) for n in document["monthly_summaries"]][:3] == [
        ("Kaveri Ayurveda", "2026-10"), ("Sharma Textiles", "2026-10"), ("Zebra Labs", "2026-09")]
    assert document["quarterly_recommendations"][0]["quarter"] == "2026-Q3"
    assert document["sent_reports"][0]["sent_at"] == "2026-11-02T04:30:00+00:00"
    assert any(m.get("rescheduled") for m in document["maintenance"])


def test_round_trip_keeps_the_rows(sqlite_url, tmp_path):
    """Import of an export rebuilds the same rows (SLA fields included)."""
    db = open_database(sqlite_url)
    import_dump(db, rich_dump(), now=NOW)
    path = tmp_path / "dump.json"
    export_dump(db, path)
    again = open_database(f"sqlite:///{tmp_path / 'again.db'}")
    import_dump(again, path, now=NOW)

    def tickets(database):  # noqa: ANN001, ANN202
        with database.session() as session:
            return [(t.number, t.status, t.priority, t.contract.tier_code if t.contract else None,
                     t.in_scope, t.scope_override, t.response_due_at, t.resolution_due_at,
                     t.sla_due_at, t.first_response_at, t.resolved_at, t.closed_at,
                     len(t.events), len(t.time_entries))
                    for t in session.scalars(select(Ticket).order_by(Ticket.number))]

    assert tickets(db) == tickets(again)
    assert row_counts(db) == row_counts(again)
    db.dispose()
    again.dispose()


def test_export_of_an_empty_database_imports(sqlite_url, tmp_path):
    db = open_database(sqlite_url)
    path = tmp_path / "empty.json"
    summary = export_dump(db, path)
    assert summary.tickets == 0
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["format"] == "aftercare" and document["version"] == 1
    assert document["tickets"] == [] and document["clients"] == []
    other = open_database(f"sqlite:///{tmp_path / 'other.db'}")
    import_dump(other, path)
    assert row_counts(other)["tiers"] == 4
    db.dispose()
    other.dispose()


def test_export_order_is_by_number_and_name(sqlite_url, tmp_path):
    doc = sample()
    doc["tickets"] = list(reversed(doc["tickets"]))
    doc["clients"] = list(reversed(doc["clients"]))
    db = open_database(sqlite_url)
    import_dump(db, doc, now=NOW)
    path = tmp_path / "dump.json"
    export_dump(db, path)
    document = json.loads(path.read_text(encoding="utf-8"))
    assert [t["number"] for t in document["tickets"]] == list(range(1001, 1011))
    assert [c["name"] for c in document["clients"]] == ["Kaveri Ayurveda", "Nilgiri Travels",
                                                       "Sharma Textiles"]
    db.dispose()


def test_export_is_atomic(sample_db, tmp_path, monkeypatch):
    from desktop.services import dump_write

    path = tmp_path / "dump.json"
    path.write_text("the previous export\n", encoding="utf-8")

    def broken(self):  # noqa: ANN001, ANN202
        yield {"number": 1}
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(dump_write._Exporter, "tickets", broken)
    from desktop.errors import UserError

    with pytest.raises(UserError, match="No space left"):
        export_dump(sample_db, path)
    assert path.read_text(encoding="utf-8") == "the previous export\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".dump")] == []


def test_imported_tickets_are_searchable(sample_db):
    from desktop.services.search import search_index_intact, text_condition

    with sample_db.session() as session:
        assert search_index_intact(session)
        condition = text_condition("sqlite", "ashwagandha")
        assert list(session.scalars(select(Ticket.number).where(condition))) == [1006]


def test_pg_sequences_continue_after_import(pg_url):
    db = open_database(pg_url)
    import_dump(db, SAMPLE, now=NOW)
    with db.transaction() as session:
        client = Client(name="New Client Pvt Ltd")
        session.add(client)
        session.flush()
        assert client.id == 4
    db.dispose()


def test_round_trip_on_demo_data(db_url, tmp_path):
    """DESIGN §7 on the demo generator's data: export → import → export is identical, on
    SQLite and on PostgreSQL (issue 2)."""
    demo = pytest.importorskip("desktop.services.demo")
    source = open_database(db_url)
    demo.generate_demo(source, clients=8, tickets=300, seed=11, now=NOW)
    first = tmp_path / "first.json"
    summary = export_dump(source, first)
    assert summary.tickets == 300 and summary.clients == 8
    source.dispose()

    copy_db = open_database(f"sqlite:///{tmp_path / 'copy.db'}")
    import_dump(copy_db, first, now=NOW)
    second = tmp_path / "second.json"
    export_dump(copy_db, second)
    copy_db.dispose()
    assert first.read_bytes() == second.read_bytes()


def test_export_is_one_snapshot_while_others_write(db_url, tmp_path, monkeypatch):
    from desktop.services import dump_write

    db = open_database(db_url)
    import_dump(db, SAMPLE, now=NOW)
    original = dump_write._Exporter.tickets

    def meanwhile(self):  # noqa: ANN001, ANN202
        other = open_database(db_url)
        with other.transaction() as session:
            client = Client(name="Late Arrival Pvt Ltd")
            session.add(client)
            session.flush()
            session.add(Ticket(number=9999, client_id=client.id, title="Written mid-export",
                               priority="low", category="bug_fix", channel="email",
                               created_at=NOW, updated_at=NOW))
        other.dispose()
        yield from original(self)

    monkeypatch.setattr(dump_write._Exporter, "tickets", meanwhile)
    path = tmp_path / "dump.json"
    export_dump(db, path)
    document = json.loads(path.read_text(encoding="utf-8"))
    assert [t["number"] for t in document["tickets"]] == list(range(1001, 1011))
    assert "Late Arrival Pvt Ltd" not in [c["name"] for c in document["clients"]]
    db.dispose()


def test_parts_and_fields_of_other_tools_are_ignored(sqlite_url):
    doc = sample()
    doc["exported_at"] = "2026-11-27T10:00:00+05:30"
    doc["generator"] = {"name": "helpdesk-export", "version": "3.2"}
    doc["tickets"][2]["status"] = "closed"  # a status is derived from events, never taken
    doc["tickets"][2]["assignee"] = ""  # blank means nobody
    db = open_database(sqlite_url)
    import_dump(db, doc, now=NOW)
    with db.session() as session:
        ticket = _ticket(session, 1003)
        assert (ticket.status, ticket.assignee_id) == ("new", None)
    db.dispose()


def test_occurrence_without_contract_round_trips(sqlite_url, tmp_path):
    doc = sample()
    doc["maintenance"].append({"client": "Kaveri Ayurveda", "task": "backup_verification",
                               "due": "2025-06-30", "period_key": "2025-06",
                               "contract_index": None, "done_at": None, "outcome": None,
                               "notes": "Before any contract: a one-off check"})
    db = open_database(sqlite_url)
    import_dump(db, doc, now=NOW)
    with db.session() as session:
        lone = session.scalars(select(Occurrence).where(Occurrence.due == date(2025, 6, 30))).one()
        assert lone.contract_id is None and lone.period_key == "2025-06"
    first, second = tmp_path / "1.json", tmp_path / "2.json"
    export_dump(db, first)
    again = open_database(f"sqlite:///{tmp_path / 'again.db'}")
    import_dump(again, first, now=NOW)
    export_dump(again, second)
    assert first.read_bytes() == second.read_bytes()
    db.dispose()
    again.dispose()


def test_the_dumps_holidays_are_the_ones_the_sla_counts(sqlite_url):
    doc = sample()
    doc["holidays"] = []  # present and empty: the database keeps no holidays at all
    db = open_database(sqlite_url)
    import_dump(db, doc, now=NOW)
    assert row_counts(db)["holidays"] == 0
    with db.session() as session:
        # Without Guru Nanak's Birthday, Tuesday 24 Nov is a business day: 45 min Friday,
        # 9 h Monday, 8 h 15 min Tuesday -> due Tue 17:15 IST.
        assert _ticket(session, 1003).response_due_at == datetime(2026, 11, 24, 11, 45,
                                                                  tzinfo=UTC)
    db.dispose()


@pytest.mark.pg
def test_same_dump_from_a_postgresql_database_with_a_linguistic_collation(tmp_path):
    """Most servers sort text by their locale ('acme' before 'Zebra'); SQLite by byte. The
    dump's order must come out the same from both."""
    import os
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    server = os.environ.get("AFTERCARE_TEST_PG_URL")
    if not server:
        pytest.skip("AFTERCARE_TEST_PG_URL is not set")
    admin_url = make_url(server).set(drivername="postgresql+psycopg")
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"aftercare_icu_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE template0 '
                          "LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'"))
    try:
        url = admin_url.set(database=name, drivername="postgresql")
        pg = open_database(url.render_as_string(hide_password=False))
        with pg.session() as session:
            assert session.scalar(text("SELECT 'acme' < 'Zebra'")) is True  # really linguistic
        import_dump(pg, rich_dump(), now=NOW)
        from_pg = tmp_path / "pg.json"
        export_dump(pg, from_pg)
        pg.dispose()
        lite = open_database(f"sqlite:///{tmp_path / 'lite.db'}")
        import_dump(lite, rich_dump(), now=NOW)
        from_sqlite = tmp_path / "sqlite.json"
        export_dump(lite, from_sqlite)
        lite.dispose()
        assert from_pg.read_bytes() == from_sqlite.read_bytes()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_export_when_the_database_fails_mid_read(sample_db, tmp_path, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from desktop.errors import UserError
    from desktop.services import dump_write

    def gone(self):  # noqa: ANN001, ANN202
        raise OperationalError("SELECT", {}, Exception("server closed the connection"))
        yield  # a generator, like the real one

    monkeypatch.setattr(dump_write._Exporter, "tickets", gone)
    path = tmp_path / "dump.json"
    with pytest.raises(UserError, match=r"could not read the database \(server closed the "
                                        r"connection\); .* was not written"):
        export_dump(sample_db, path)
    assert not path.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".dump.json")]
