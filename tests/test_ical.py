"""iCalendar export (DESIGN §6 ``aftercare calendar``): all-day events on the right days, stable
UIDs, the outcome in the description, atomic writes and one-line errors."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from icalendar import Calendar
from sqlalchemy import select

from desktop.cli import main
from desktop.models import Occurrence
from desktop.services import maintenance as m
from desktop.services.ical import export_ics
from desktop.storage.database import open_database

from tests.test_maintenance import NOW, add_contract, set_holidays


@pytest.fixture
def schedule(sqlite_url):
    db = open_database(sqlite_url)
    with db.transaction() as session:
        set_holidays(session)
        contract = add_contract(session, client_name="Acme <Web> & Co", tier="basic")
        add_contract(session, client_name="Other Ltd", tier="standard")
        m.regenerate(session, today=date(2026, 6, 15))
        occ = session.scalar(select(Occurrence).where(
            Occurrence.contract_id == contract.id, Occurrence.task == "backup_verification",
            Occurrence.period_key == "2026-01"))
        m.mark_done(session, occ.id, "issues_found", "Restore took 3 tries; fixed the cron",
                    {"latest_backup": "2026-01-29", "size_mb": 2400, "restore_tested": True,
                     "restore_result": "restored to staging"}, None, NOW)
    db.dispose()
    return sqlite_url


def events(path):
    cal = Calendar.from_ical(path.read_bytes())
    return [c for c in cal.walk() if c.name == "VEVENT"]


def test_cli_writes_one_all_day_event_per_occurrence(schedule, tmp_path, capsys):
    target = tmp_path / "jan.ics"
    code = main(["--database", schedule, "calendar", str(target), "--from", "2026-01-01",
                 "--to", "2026-01-31", "--client", "acme <web> & co"])
    assert code == 0
    assert "4 maintenance occurrences written" in capsys.readouterr().out
    found = events(target)
    assert len(found) == 4  # basic: four monthly tasks in January
    for event in found:
        assert event.decoded("dtstart") == date(2026, 1, 30)  # 31 Jan is a Saturday
        assert event.decoded("dtend") == date(2026, 1, 31)
        assert str(event["summary"]).endswith(" — Acme <Web> & Co")
    backup = next(e for e in found if str(e["summary"]).startswith("Backup verification"))
    assert str(backup["uid"]) == f"occ-1-backup_verification-2026-01@aftercare"
    description = str(backup["description"])
    assert "State: Done" in description
    assert "Outcome: Issues found" in description
    assert "Notes: Restore took 3 tries; fixed the cron" in description
    assert "Restore tested: yes" in description
    security = next(e for e in found if str(e["summary"]).startswith("Security scan"))
    assert "State: Overdue" in str(security["description"]) or \
        "State: Due" in str(security["description"])


def test_uids_are_stable_across_exports(schedule, tmp_path):
    first, second = tmp_path / "a.ics", tmp_path / "b.ics"
    assert main(["--database", schedule, "calendar", str(first)]) == 0
    assert main(["--database", schedule, "calendar", str(second)]) == 0
    uids_a = [str(e["uid"]) for e in events(first)]
    uids_b = [str(e["uid"]) for e in events(second)]
    assert uids_a == uids_b
    assert len(set(uids_a)) == len(uids_a) == 4 * 12 + 1 + 6 * 12 + 6 * 4 + 1


def test_export_function_respects_period_and_tier(schedule, tmp_path):
    db = open_database(schedule)
    try:
        with db.session() as session:
            count = export_ics(session, tmp_path / "q.ics", date(2026, 3, 1), date(2026, 3, 31),
                               tier="standard", today=date(2026, 6, 15),
                               now=datetime(2026, 6, 15, tzinfo=timezone.utc))
    finally:
        db.dispose()
    assert count == 6 + 6  # March: six monthly, six quarterly, all on Monday 30 March
    assert {e.decoded("dtstart") for e in events(tmp_path / "q.ics")} == {date(2026, 3, 30)}


@pytest.mark.parametrize("argv,message", [
    (["--from", "2026-13-01"], "--from '2026-13-01' is not a date"),
    (["--to", "yesterday"], "--to 'yesterday' is not a date"),
    (["--from", "2026-05-01", "--to", "2026-04-01"], "is before --from"),
    (["--client", "Nobody"], "no client is named 'Nobody'"),
])
def test_bad_input_is_one_line_and_no_file(schedule, tmp_path, capsys, argv, message):
    target = tmp_path / "out.ics"
    code = main(["--database", schedule, "calendar", str(target), *argv])
    err = capsys.readouterr().err
    assert code == 1
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert not target.exists()
    assert list(tmp_path.glob("*.part")) == []


def test_unwritable_folder_is_refused_plainly(schedule, tmp_path, capsys):
    code = main(["--database", schedule, "calendar", str(tmp_path / "missing" / "x.ics")])
    assert code == 1
    assert "does not exist" in capsys.readouterr().err


def test_existing_file_is_replaced_whole(schedule, tmp_path):
    target = tmp_path / "cal.ics"
    target.write_text("old")
    assert main(["--database", schedule, "calendar", str(target), "--from", "2026-02-01",
                 "--to", "2026-02-28"]) == 0
    assert target.read_bytes().startswith(b"BEGIN:VCALENDAR")
