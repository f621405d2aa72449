"""Automatic daily backups with 7 daily / 4 weekly / 12 monthly retention, and restore."""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from desktop.cli import main as cli
from desktop.errors import UserError
from desktop.models import Client
from desktop.storage.auto_backup import daily_backup, keep
from desktop.storage.database import open_database
from desktop.storage.restore import restore_backup


def test_retention_worked_example():
    today = date(2026, 11, 27)  # a Friday
    days = [today - timedelta(days=n) for n in range(400)]
    kept = keep(days, today)
    daily = {date(2026, 11, d) for d in range(21, 28)}
    weekly = {date(2026, 11, 22), date(2026, 11, 15), date(2026, 11, 8)}  # + this week's 27th
    monthly = {date(2026, 10, 31), date(2026, 9, 30), date(2026, 8, 31), date(2026, 7, 31),
               date(2026, 6, 30), date(2026, 5, 31), date(2026, 4, 30), date(2026, 3, 31),
               date(2026, 2, 28), date(2026, 1, 31), date(2025, 12, 31)}
    assert kept == daily | weekly | monthly
    assert len(kept) == 20


@given(st.sets(st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 11, 27)), max_size=60))
def test_retention_never_keeps_more_than_23_and_always_the_newest(days):
    today = date(2026, 11, 27)
    kept = keep(sorted(days), today)
    assert kept <= set(days)
    assert len(kept) <= 7 + 4 + 12
    if days:
        assert max(days) in kept


def test_daily_backup_once_a_day_and_pruned(sqlite_url, tmp_path):
    db = open_database(sqlite_url)
    folder = tmp_path / "backups"
    folder.mkdir()
    for n in range(1, 40):  # old backups from earlier days
        (folder / f"aftercare-{(date(2026, 11, 27) - timedelta(days=n)).isoformat()}.db").write_bytes(b"x")
    made = daily_backup(db, date(2026, 11, 27), folder)
    assert made == folder / "aftercare-2026-11-27.db"
    assert daily_backup(db, date(2026, 11, 27), folder) is None  # once a day
    names = sorted(p.name for p in folder.iterdir())
    assert "aftercare-2026-11-21.db" in names and "aftercare-2026-11-20.db" not in names
    assert "aftercare-2026-10-31.db" in names  # the month's newest
    db.dispose()
    assert cli(["check", "--database", f"sqlite:///{made}"]) == 0


def test_restore_sets_the_current_database_aside(sqlite_url, tmp_path, capsys):
    db = open_database(sqlite_url)
    with db.transaction() as s:
        s.add(Client(name="Before Backup Pvt Ltd"))
    db.dispose()
    backup = tmp_path / "b.db"
    assert cli(["backup", str(backup), "--database", sqlite_url]) == 0
    db = open_database(sqlite_url)
    with db.transaction() as s:
        s.add(Client(name="After Backup Pvt Ltd"))
    db.dispose()
    assert cli(["restore", str(backup), "--database", sqlite_url]) == 0
    out = capsys.readouterr().out
    assert "previous database was kept as" in out
    db = open_database(sqlite_url)
    with db.session() as s:
        assert s.scalars(select(Client.name)).all() == ["Before Backup Pvt Ltd"]
    db.dispose()
    target = Path(sqlite_url.removeprefix("sqlite:///"))
    aside = [p for p in target.parent.iterdir() if ".replaced-" in p.name and p.suffix != ".db-wal"]
    old = open_database(f"sqlite:///{aside[0]}", read_only=True)
    with old.session() as s:
        assert sorted(s.scalars(select(Client.name))) == ["After Backup Pvt Ltd",
                                                          "Before Backup Pvt Ltd"]
    old.dispose()


def test_restore_refuses_a_damaged_backup_and_changes_nothing(sqlite_url, tmp_path, capsys):
    db = open_database(sqlite_url)
    db.dispose()
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"not a backup at all")
    target = Path(sqlite_url.removeprefix("sqlite:///"))
    before = target.read_bytes()
    assert cli(["restore", str(bad), "--database", sqlite_url]) == 1
    assert "not an SQLite database" in capsys.readouterr().err
    assert target.read_bytes() == before
    with pytest.raises(UserError, match="does not exist"):
        restore_backup(tmp_path / "missing.db", target)
