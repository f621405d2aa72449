"""aftercare export-tickets FILE.csv [--now ISO] (DESIGN §6-7), tried as a new user would: import
the sample dump, export the CSV, and check tickets by hand against the calendar.

The dump's holidays include Tue 24 Nov 2026 (Guru Nanak's Birthday). 12 Jan, 23 Nov 2026 are
Mondays; 13 Jun 2026 is a Saturday; 20 Nov 2026 a Friday. IST is UTC+05:30.
"""
from __future__ import annotations

import csv
import io
from datetime import datetime, timezone
from pathlib import Path

import pytest

from desktop.cli import main

SAMPLE = Path(__file__).parent / "data" / "sample_dump.json"
NOW = "2026-11-26T12:00:00+05:30"  # Thursday noon in Kolkata
HEADER = ["number", "client", "title", "priority", "status", "category", "channel", "in_scope",
          "created_at", "first_response_at", "resolved_at", "response_due_at",
          "resolution_due_at", "response_state", "resolution_state"]


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == HEADER
    return [dict(zip(HEADER, row, strict=True)) for row in rows[1:]]


@pytest.fixture
def imported(db_url, capsys):
    assert main(["--database", db_url, "import", str(SAMPLE)]) == 0
    capsys.readouterr()
    return db_url


def test_the_sample_dump_exports_with_hand_checked_rows(imported, tmp_path, capsys):
    out = tmp_path / "tickets.csv"
    assert main(["--database", imported, "export-tickets", str(out), "--now", NOW]) == 0
    assert "10 tickets" in capsys.readouterr().out
    rows = {int(r["number"]): r for r in read_csv(out)}
    assert list(rows) == list(range(1001, 1011))

    # 1001: warranty, high (4 h / 9 h business), Mon 12 Jan 10:20 IST; acknowledged 11:05,
    # resolved 15:45, closed a week later. Response due 14:20; resolution: 7 h 40 on Monday,
    # 1 h 20 on Tuesday → Tue 13 Jan 10:20 IST.
    assert rows[1001] == {
        "number": "1001", "client": "Sharma Textiles",
        "title": "Contact form not sending enquiries", "priority": "high", "status": "closed",
        "category": "functionality", "channel": "email", "in_scope": "true",
        "created_at": "2026-01-12T04:50:00+00:00",
        "first_response_at": "2026-01-12T05:35:00+00:00",
        "resolved_at": "2026-01-12T10:15:00+00:00",
        "response_due_at": "2026-01-12T08:50:00+00:00",
        "resolution_due_at": "2026-01-13T04:50:00+00:00",
        "response_state": "met", "resolution_state": "met"}

    # 1006: standard, high, Mon 23 Nov 16:30 IST; acknowledged 17:00, in progress since.
    # Tuesday is a holiday. Response: 1 h 30 Monday + 2 h 30 Wednesday → Wed 11:30 IST.
    # Resolution: 1 h 30 Monday + 7 h 30 Wednesday → Wed 16:30 IST; by Thursday noon
    # 1.5 + 9 + 3 = 13.5 h are used: breached, still running.
    r = rows[1006]
    assert (r["status"], r["in_scope"], r["channel"]) == ("in_progress", "true", "portal")
    assert r["first_response_at"] == "2026-11-23T11:30:00+00:00"
    assert r["response_due_at"] == "2026-11-25T06:00:00+00:00"
    assert r["resolution_due_at"] == "2026-11-25T11:00:00+00:00"
    assert (r["response_state"], r["resolution_state"]) == ("met", "breached")
    assert r["resolved_at"] == ""

    # 1003: basic, low (18 h / 45 h), Fri 20 Nov 17:15 IST, untouched. Response: 45 min
    # Friday, 9 h Monday, 8 h 15 Wednesday → Wed 25 Nov 17:15 IST, breached by Thursday noon.
    # Resolution: 0.75 + 9 (Mon) + 9 (Wed) + 9 (Thu) + 9 (Fri) + 8.25 (Mon 30) → 17:15 IST;
    # 21.75 of 45 h used: running.
    r = rows[1003]
    assert r["response_due_at"] == "2026-11-25T11:45:00+00:00"
    assert r["resolution_due_at"] == "2026-11-30T11:45:00+00:00"
    assert (r["response_state"], r["resolution_state"]) == ("breached", "running")
    assert (r["status"], r["first_response_at"]) == ("new", "")

    # 1008: premium critical on a Saturday night → 24/7: due 03:10 and 06:10 IST, both met.
    r = rows[1008]
    assert (r["response_due_at"], r["resolution_due_at"]) == \
        ("2026-06-12T21:40:00+00:00", "2026-06-13T00:40:00+00:00")
    assert (r["response_state"], r["resolution_state"], r["in_scope"]) == ("met", "met", "true")

    # 1010: training by phone under premium: out of scope; waiting on the client: paused,
    # with no resolution due instant while paused.
    r = rows[1010]
    assert (r["in_scope"], r["status"], r["resolution_state"]) == ("false", "waiting_on_client",
                                                                   "paused")
    assert r["resolution_due_at"] == ""
    # 1002: content update under basic: out of scope
    assert rows[1002]["in_scope"] == "false"


def test_states_are_evaluated_at_now(imported, tmp_path):
    out = tmp_path / "early.csv"
    # Monday 23 Nov 16:45 IST: ticket 1006 was 15 minutes old and not yet acknowledged
    assert main(["--database", imported, "export-tickets", str(out),
                 "--now", "2026-11-23T11:15:00Z"]) == 0
    r = {row["number"]: row for row in read_csv(out)}["1006"]
    assert (r["response_state"], r["resolution_state"], r["first_response_at"]) == \
        ("running", "running", "")


def test_default_now_is_the_current_instant(imported, tmp_path):
    out = tmp_path / "today.csv"
    assert main(["--database", imported, "export-tickets", str(out)]) == 0
    rows = read_csv(out)
    assert len(rows) == 10
    assert all(r["response_state"] in {"met", "breached", "at_risk", "running", "paused"}
               for r in rows)


@pytest.mark.parametrize("now", ["yesterday", "2026-13-01T00:00:00+00:00",
                                 "2026-11-26T12:00:00", "9999-12-31T00:00:00Z"])
def test_a_bad_now_is_one_line_exit_1_and_no_file(sqlite_url, tmp_path, capsys, now):
    out = tmp_path / "tickets.csv"
    assert main(["--database", sqlite_url, "export-tickets", str(out), "--now", now]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--now" in err and "Traceback" not in err
    assert not out.exists()
    assert not (tmp_path / "aftercare.db").exists()  # not even the database was created


def test_an_unwritable_path_is_one_line_exit_1_and_no_file(imported, tmp_path, capsys):
    missing = tmp_path / "no" / "such" / "folder" / "tickets.csv"
    assert main(["--database", imported, "export-tickets", str(missing), "--now", NOW]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot write" in err
    assert not missing.exists()
    assert main(["--database", imported, "export-tickets", str(tmp_path), "--now", NOW]) == 1
    assert "folder" in capsys.readouterr().err


def test_a_failed_export_leaves_the_previous_file_untouched(imported, tmp_path, monkeypatch,
                                                           capsys):
    out = tmp_path / "tickets.csv"
    out.write_text("previous export\n", encoding="utf-8")
    from desktop.errors import UserError
    from desktop.services import ticket_export

    def broken(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        yield ["1001"] + [""] * 14
        raise UserError("the database went away")

    monkeypatch.setattr(ticket_export, "iter_ticket_rows", broken)
    assert main(["--database", imported, "export-tickets", str(out), "--now", NOW]) == 1
    assert out.read_text(encoding="utf-8") == "previous export\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".tickets")] == []


def test_paging_streams_every_ticket_once_in_order_and_quotes_user_text(db):
    from desktop.models import Client, Ticket
    from desktop.services.coverage import apply_coverage
    from desktop.services.ticket_export import iter_ticket_rows, write_tickets_csv

    created = datetime(2026, 3, 9, 4, 0, tzinfo=timezone.utc)
    with db.transaction() as session:
        client = Client(name='Quote "&" Co, <Ltd>')
        session.add(client)
        session.flush()
        for number in (5, 3, 11, 7, 1, 2, 13):
            ticket = Ticket(number=number, client_id=client.id,
                            title=f'Title, with "quotes"\nand a newline #{number}',
                            priority="medium", category="bug_fix", channel="email",
                            created_at=created, updated_at=created)
            apply_coverage(ticket)
            session.add(ticket)
    now = datetime(2026, 3, 9, 6, 0, tzinfo=timezone.utc)
    with db.session() as session:
        rows = list(iter_ticket_rows(session, now, page=3))
        assert [r[0] for r in rows] == ["1", "2", "3", "5", "7", "11", "13"]
        out = io.StringIO(newline="")
        assert write_tickets_csv(session, out, now) == 7
    parsed = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    assert parsed[1][1] == 'Quote "&" Co, <Ltd>'
    assert parsed[1][2] == 'Title, with "quotes"\nand a newline #1'
    # no contract: out of scope (the stored verdict); business clock from Mon 09:30 IST,
    # medium response 9 h = 8 h 30 on Monday + 30 min on Tuesday → Tue 10 Mar 09:30 IST
    assert parsed[1][7] == "false"
    assert parsed[1][11] == "2026-03-10T04:00:00+00:00"
