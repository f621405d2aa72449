"""Bad dumps (DESIGN §7, §9): refused whole, each problem named with its place and value, the
database unchanged, and on the command line one line and a non-zero exit, never a traceback."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from desktop.cli import main
from desktop.errors import UserError
from desktop.models import Base
from desktop.services.dump import DumpError, import_dump
from desktop.storage.database import open_database

SAMPLE = Path(__file__).parent / "data" / "sample_dump.json"


def sample() -> dict:
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


def row_counts(db) -> dict[str, int]:  # noqa: ANN001
    with db.session() as session:
        return {table.name: session.scalar(select(func.count()).select_from(table))
                for table in Base.metadata.sorted_tables}


def _set(path: str, value):  # noqa: ANN001, ANN202
    """A change to the sample: set (or, with DELETE, remove) the value at a dotted path."""
    def change(doc: dict) -> None:
        *parents, last = path.split(".")
        target = doc
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        key = int(last) if last.isdigit() else last
        if value is DELETE:
            del target[key]
        else:
            target[key] = value
    return change


DELETE = object()

# (id, change to the sample, the text the error must contain)
BAD = [
    ("wrong-format", _set("format", "zendesk"), "format: 'zendesk' is not 'aftercare'"),
    ("no-format", _set("format", DELETE), "format: is missing"),
    ("unknown-version", _set("version", 2),
     "version: 2 is not supported (this program reads version 1)"),
    ("version-as-text", _set("version", "1"), "version: '1' is not supported"),
    ("unknown-tier", _set("clients.0.contracts.1.tier", "gold"),
     "clients[0].contracts[1].tier: 'gold' is not one of warranty, basic, standard, premium"),
    ("unknown-priority", _set("tickets.3.priority", "urgent"),
     "tickets[3].priority: 'urgent' is not one of critical, high, medium, low"),
    ("unknown-status", _set("tickets.0.events.0.status", "done"),
     "tickets[0].events[0].status: 'done' is not one of new, acknowledged, in_progress, "
     "waiting_on_client, resolved, closed"),
    ("unknown-category", _set("tickets.2.category", "seo"),
     "tickets[2].category: 'seo' is not one of bug_fix, technical_issue, functionality, "
     "documentation, security_update, content_update, performance, new_feature, training, "
     "third_party"),
    ("unknown-channel", _set("tickets.2.channel", "whatsapp"),
     "tickets[2].channel: 'whatsapp' is not one of email, phone, emergency, portal"),
    ("unknown-outcome", _set("maintenance.1.outcome", "fine"),
     "maintenance[1].outcome: 'fine' is not one of ok, issues_found, skipped"),
    ("unknown-event-type", _set("tickets.0.events.0.type", "call"),
     "tickets[0].events[0].type: 'call' is not one of status, reply, note, priority"),
    ("unknown-client", _set("tickets.4.client", "Acme Corp"),
     "tickets[4].client: 'Acme Corp' is not a client of this dump"),
    ("maintenance-unknown-client", _set("maintenance.0.client", "Acme Corp"),
     "maintenance[0].client: 'Acme Corp' is not a client of this dump"),
    ("unknown-task", _set("maintenance.0.task", "coffee_break"),
     "maintenance[0].task: 'coffee_break' is not a maintenance task"),
    ("duplicate-number", _set("tickets.5.number", 1002),
     "tickets[5].number: 1002 is used by tickets[1] too"),
    ("duplicate-client", _set("clients.2.name", "Sharma Textiles"),
     "clients[2].name: 'Sharma Textiles' is listed twice (also clients[0])"),
    ("instant-without-offset", _set("tickets.1.created_at", "2026-04-06T09:40:00"),
     "tickets[1].created_at: '2026-04-06T09:40:00' has no UTC offset"),
    ("event-without-offset", _set("tickets.0.events.2.at", "2026-01-12T12:30:00"),
     "tickets[0].events[2].at: '2026-01-12T12:30:00' has no UTC offset"),
    ("not-an-instant", _set("tickets.1.created_at", "last Tuesday"),
     "tickets[1].created_at: 'last Tuesday' is not an instant"),
    ("date-only-instant", _set("tickets.1.created_at", "2026-04-06"),
     "tickets[1].created_at: '2026-04-06' is not an instant"),
    ("event-before-creation", _set("tickets.0.events.0.at", "2026-01-01T10:00:00+05:30"),
     "tickets[0].events[0].at: '2026-01-01T10:00:00+05:30' is before the ticket's created_at"),
    ("contract-ends-before-start", _set("clients.1.contracts.0.end", "2025-12-31"),
     "clients[1].contracts[0].end: '2025-12-31' is before the contract's start '2026-01-01'"),
    ("bad-date", _set("clients.1.contracts.0.start", "2026-02-30"),
     "clients[1].contracts[0].start: '2026-02-30' is not a date (YYYY-MM-DD)"),
    ("negative-minutes", _set("tickets.0.time_entries.0.minutes", -30),
     "tickets[0].time_entries[0].minutes: -30 is negative"),
    ("fractional-minutes", _set("tickets.0.time_entries.0.minutes", 12.5),
     "tickets[0].time_entries[0].minutes: 12.5 is not a whole number"),
    ("minutes-as-text", _set("tickets.0.time_entries.0.minutes", "95"),
     "tickets[0].time_entries[0].minutes: '95' is not a whole number"),
    ("missing-title", _set("tickets.2.title", DELETE), "tickets[2].title: is required but missing"),
    ("missing-number", _set("tickets.2.number", DELETE),
     "tickets[2].number: is required but missing"),
    ("missing-created-at", _set("tickets.2.created_at", DELETE),
     "tickets[2].created_at: is required but missing"),
    ("missing-client-name", _set("clients.0.name", DELETE),
     "clients[0].name: is required but missing"),
    ("missing-contract-end", _set("clients.0.contracts.0.end", DELETE),
     "clients[0].contracts[0].end: is required but missing"),
    ("missing-due", _set("maintenance.2.due", DELETE),
     "maintenance[2].due: is required but missing"),
    ("status-event-without-status", _set("tickets.0.events.0.status", DELETE),
     "tickets[0].events[0].status: is required but missing"),
    ("number-as-text", _set("tickets.0.number", "1001"),
     "tickets[0].number: '1001' is not a whole number"),
    ("title-as-number", _set("tickets.0.title", 42), "tickets[0].title: 42 is not text"),
    ("clients-not-a-list", _set("clients", {"name": "Sharma"}),
     "clients: {\"name\": \"Sharma\"} is not a list ([...])"),
    ("ticket-not-an-object", _set("tickets.0", "1001"), "tickets[0]: '1001' is not an object"),
    ("events-not-a-list", _set("tickets.0.events", "none"),
     "tickets[0].events: 'none' is not a list ([...])"),
    ("fee-as-float", _set("clients.0.contracts.1.monthly_fee", 15000.5),
     "clients[0].contracts[1].monthly_fee: 15000.5 is not an amount"),
    ("fee-not-a-number", _set("clients.0.contracts.1.monthly_fee", "fifteen thousand"),
     "clients[0].contracts[1].monthly_fee: 'fifteen thousand' is not an amount"),
    ("fee-three-decimals", _set("clients.0.contracts.1.monthly_fee", "15000.005"),
     "clients[0].contracts[1].monthly_fee: '15000.005' has more than two decimal places"),
    ("negative-fee", _set("clients.0.contracts.1.monthly_fee", "-15000.00"),
     "clients[0].contracts[1].monthly_fee: '-15000.00' is negative"),
    ("archived-as-text", _set("clients.0.archived", "no"),
     "clients[0].archived: 'no' is not true or false"),
    ("holiday-duplicate", _set("holidays.1.date", "2026-01-26"),
     "holidays[1].date: '2026-01-26' is listed twice (also holidays[0])"),
    ("long-client-name", _set("clients.0.name", "S" * 201),
     "clients[0].name: 'SSSS"),
    ("bad-rating", lambda d: d.update(follow_ups=[{"ticket": 1001, "due_at":
                                                   "2026-01-15T15:45:00+05:30", "rating": 9}]),
     "follow_ups[0].rating: 9 is more than 5"),
    ("follow-up-unknown-ticket", lambda d: d.update(follow_ups=[{
        "ticket": 4242, "due_at": "2026-01-15T15:45:00+05:30"}]),
     "follow_ups[0].ticket: 4242 is not a ticket of this dump"),
    ("bad-setting", lambda d: d.update(settings={"time_zone": "Mars/Olympus"}),
     "settings.time_zone: 'Mars/Olympus' is not a time zone"),
    ("bad-policy-minutes", lambda d: d.update(sla_policies=[{
        "tier": "basic", "priority": "low", "clock": "business", "response_minutes": -5,
        "resolution_minutes": 60}]),
     "sla_policies[0].response_minutes: -5 is less than 1"),
    ("bad-figures", _set("maintenance.3.figures", {"score": 140}),
     "maintenance[3].figures: Performance score: performance score cannot be above 100"),
    ("duplicate-occurrence", lambda d: d["maintenance"].append(dict(d["maintenance"][1])),
     "maintenance[8]: a second 'backup_verification' for 'Sharma Textiles' in period 2026-10"),
]


@pytest.fixture
def empty_db(sqlite_url):
    db = open_database(sqlite_url)
    yield db
    db.dispose()


@pytest.mark.parametrize("change,expected", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_dump_is_refused_and_nothing_changes(empty_db, change, expected):
    doc = sample()
    change(doc)
    before = row_counts(empty_db)
    with pytest.raises(DumpError) as caught:
        import_dump(empty_db, doc)
    message = str(caught.value)
    assert expected in message
    assert "\n" not in message
    assert message.endswith("nothing was imported")
    assert row_counts(empty_db) == before


def test_every_problem_is_collected_and_the_first_few_shown(empty_db):
    doc = sample()
    doc["tickets"][0]["priority"] = "urgent"
    doc["tickets"][1]["channel"] = "fax"
    doc["tickets"][2]["created_at"] = "2026-11-20T17:15:00"
    doc["tickets"][3]["category"] = "seo"
    doc["tickets"][4]["time_entries"][0]["minutes"] = -1
    with pytest.raises(DumpError) as caught:
        import_dump(empty_db, doc)
    error = caught.value
    assert error.total == 5 and len(error.problems) == 5
    assert str(error).startswith("tickets[0].priority: 'urgent' is not one of critical, high, "
                                 "medium, low; tickets[1].channel: 'fax'")
    assert "(and 2 more problems)" in str(error)


def test_non_empty_database_is_refused(empty_db):
    import_dump(empty_db, sample())
    before = row_counts(empty_db)
    doc = sample()
    for ticket in doc["tickets"]:
        ticket["number"] += 5000
    with pytest.raises(UserError) as caught:
        import_dump(empty_db, doc)
    assert "already holds 3 clients and 10 tickets" in str(caught.value)
    assert "nothing was imported" in str(caught.value)
    assert row_counts(empty_db) == before


def test_seeded_data_and_staff_do_not_count_as_content(empty_db):
    from desktop.services.staff import get_or_create_staff

    with empty_db.transaction() as session:
        get_or_create_staff(session, "priya")
    summary = import_dump(empty_db, sample())
    assert summary.tickets == 10


def test_a_failure_while_writing_leaves_the_database_unchanged(db_url, monkeypatch):
    """All or nothing even past validation: a failure on the last inserts rolls back all."""
    from desktop.services import dump_load

    db = open_database(db_url)
    before = row_counts(db)
    real_insert = dump_load._insert

    def failing(session, model, rows):  # noqa: ANN001, ANN202
        if model.__tablename__ == "sent_reports":
            raise RuntimeError("disk unplugged")
        real_insert(session, model, rows)

    monkeypatch.setattr(dump_load, "_insert", failing)
    doc = sample()
    doc["sent_reports"] = [{"client": "Kaveri Ayurveda", "kind": "monthly", "period": "2026-10",
                            "sent_at": "2026-11-02T10:00:00+05:30"}]
    with pytest.raises(RuntimeError):
        import_dump(db, doc)
    assert row_counts(db) == before
    if db.is_sqlite:
        from desktop.services.search import search_index_intact

        with db.session() as session:
            assert search_index_intact(session)
    db.dispose()


def test_pg_refuses_bad_dumps_unchanged_too(pg_url):
    db = open_database(pg_url)
    before = row_counts(db)
    doc = sample()
    doc["tickets"][3]["priority"] = "urgent"
    with pytest.raises(DumpError, match=r"tickets\[3\]\.priority: 'urgent'"):
        import_dump(db, doc)
    assert row_counts(db) == before
    db.dispose()


# --- the command line --------------------------------------------------------------------------
def _cli(capsys, *args: str) -> tuple[int, str, str]:  # noqa: ANN001
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _one_line_error(err: str) -> str:
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("aftercare: ")
    return lines[0]


def test_cli_import_and_export(sqlite_url, tmp_path, capsys):
    code, out, err = _cli(capsys, "--database", sqlite_url, "import", str(SAMPLE))
    assert code == 0, err
    assert out.startswith("imported 3 clients, 5 contracts, 10 tickets (43 events, "
                          "9 time entries), 8 maintenance items")
    target = tmp_path / "out.json"
    code, out, err = _cli(capsys, "export", str(target), "--database", sqlite_url)
    assert code == 0, err
    assert out.startswith("exported 3 clients, 5 contracts, 10 tickets")
    assert json.loads(target.read_text(encoding="utf-8"))["format"] == "aftercare"


@pytest.mark.parametrize("content,expected", [
    ("this is not json", "is not JSON: Expecting value at line 1, column 1"),
    ('{"format": "aftercare", "version": 1, "clients": [', "is not JSON"),
    ("[1, 2, 3]", "the dump is [1, 2, 3], not a JSON object"),
    ('{"format": "aftercare", "version": 7}', "version: 7 is not supported"),
    ('{"format": "csv", "version": 1}', "format: 'csv' is not 'aftercare'"),
], ids=["text", "truncated", "array", "version", "format"])
def test_cli_refuses_unreadable_dumps(tmp_path, capsys, content, expected):
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'never.db'}"
    code, out, err = _cli(capsys, "--database", url, "import", str(bad))
    assert code == 1
    assert expected in _one_line_error(err)
    assert not (tmp_path / "never.db").exists()  # checked before the database is created


def test_cli_refuses_binary_and_missing_files(tmp_path, capsys):
    binary = tmp_path / "photo.json"
    binary.write_bytes(b"\xff\xd8\xff\xe0 not text")
    code, _, err = _cli(capsys, "import", str(binary))
    assert code == 1 and "is not UTF-8 text" in _one_line_error(err)
    code, _, err = _cli(capsys, "import", str(tmp_path / "nowhere.json"))
    assert code == 1 and "does not exist" in _one_line_error(err)


def test_cli_bad_dump_names_file_place_and_value(sqlite_url, tmp_path, capsys):
    doc = sample()
    doc["tickets"][3]["priority"] = "urgent"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    code, out, err = _cli(capsys, "--database", sqlite_url, "import", str(bad))
    assert code == 1 and out == ""
    line = _one_line_error(err)
    assert line == (f"aftercare: {bad}: tickets[3].priority: 'urgent' is not one of critical, "
                    "high, medium, low; nothing was imported")
    db = open_database(sqlite_url)
    assert row_counts(db)["tickets"] == 0
    db.dispose()


def test_cli_refuses_a_second_import(sqlite_url, capsys):
    assert _cli(capsys, "--database", sqlite_url, "import", str(SAMPLE))[0] == 0
    code, _, err = _cli(capsys, "--database", sqlite_url, "import", str(SAMPLE))
    assert code == 1
    assert "already holds 3 clients and 10 tickets" in _one_line_error(err)


def test_cli_export_to_a_missing_folder(sqlite_url, tmp_path, capsys):
    code, _, err = _cli(capsys, "--database", sqlite_url, "export",
                        str(tmp_path / "no" / "such" / "dump.json"))
    assert code == 1
    assert "does not exist" in _one_line_error(err)


BRIEF = ["wrong-format", "unknown-version", "unknown-tier", "unknown-priority", "unknown-status",
         "unknown-category", "unknown-channel", "unknown-outcome", "unknown-client",
         "duplicate-number", "instant-without-offset", "contract-ends-before-start",
         "negative-minutes", "missing-title", "number-as-text", "clients-not-a-list"]


@pytest.mark.parametrize("change,expected", [b[1:] for b in BAD if b[0] in BRIEF],
                         ids=[b[0] for b in BAD if b[0] in BRIEF])
def test_cli_bad_dump_one_line_and_database_unchanged(sqlite_url, tmp_path, capsys, change,
                                                      expected):
    db = open_database(sqlite_url)
    before = row_counts(db)
    db.dispose()
    doc = sample()
    change(doc)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    code, out, err = _cli(capsys, "--database", sqlite_url, "import", str(bad))
    assert code == 1 and out == ""
    assert expected in _one_line_error(err)
    db = open_database(sqlite_url)
    assert row_counts(db) == before
    db.dispose()


# What validation must catch because a database would refuse it half-way through the import
# (PostgreSQL: NUL in text, 32-bit integers; both: text that is not valid Unicode).
STORAGE = [
    ("nul-in-title", _set("tickets.0.title", "Contact\x00form"),
     "tickets[0].title: 'Contact\\x00form' contains a NUL character"),
    ("lone-surrogate", _set("tickets.0.description", "broken \ud800 text"),
     "tickets[0].description: 'broken \\ud800 text' is not valid Unicode text"),
    ("huge-allowance", _set("clients.1.contracts.0.content_minutes_allowance", 10**12),
     "clients[1].contracts[0].content_minutes_allowance: 1000000000000 is more than"),
    ("huge-number", _set("tickets.0.number", 2**40), "tickets[0].number: 1099511627776 is more"),
    ("year-one", _set("tickets.0.created_at", "0001-01-01T00:00:00+05:30"),
     "tickets[0].created_at: '0001-01-01T00:00:00+05:30' is out of range"),
    ("nan-in-figures", _set("maintenance.3.figures", {"score": float("nan")}),
     "maintenance[3].figures: holds NaN"),
    ("nul-in-setting-name", lambda d: d.update(settings={"agency\x00name": "x"}),
     "contains a NUL character"),
]


@pytest.mark.parametrize("change,expected", [b[1:] for b in STORAGE],
                         ids=[b[0] for b in STORAGE])
def test_values_a_database_would_refuse_are_named_first(db, change, expected):
    doc = sample()
    change(doc)
    before = row_counts(db)
    with pytest.raises(DumpError) as caught:
        import_dump(db, doc)
    assert expected in str(caught.value)
    assert row_counts(db) == before


def test_cli_prints_unprintable_values_safely(sqlite_url, tmp_path, capsys):
    bad = tmp_path / "bad.json"
    doc = sample()
    doc["tickets"][0]["title"] = "broken \ud800 text"
    bad.write_text(json.dumps(doc), encoding="utf-8")  # ASCII JSON with a \ud800 escape
    code, _, err = _cli(capsys, "--database", sqlite_url, "import", str(bad))
    assert code == 1
    assert "tickets[0].title: 'broken \\ud800 text' is not valid Unicode text" in \
        _one_line_error(err)


def test_a_database_error_while_writing_is_told_in_one_line(sqlite_url, monkeypatch):
    """Two imports racing into one database: the loser hears it plainly, nothing half-done."""
    from sqlalchemy.exc import IntegrityError

    from desktop.services import dump_load

    db = open_database(sqlite_url)
    before = row_counts(db)
    real_insert = dump_load._insert

    def racing(session, model, rows):  # noqa: ANN001, ANN202
        if model.__tablename__ == "tickets":
            raise IntegrityError("INSERT INTO tickets", {},
                                 Exception("UNIQUE constraint failed: tickets.id"))
        real_insert(session, model, rows)

    monkeypatch.setattr(dump_load, "_insert", racing)
    with pytest.raises(UserError) as caught:
        import_dump(db, sample())
    assert str(caught.value) == ("the database refused the import (UNIQUE constraint failed: "
                                 "tickets.id); nothing was imported")
    assert row_counts(db) == before
    db.dispose()
