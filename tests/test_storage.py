"""Opening, refusing and protecting databases (DESIGN §3, §9), on SQLite and PostgreSQL."""
from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select, text

from desktop.cli import main as cli
from desktop.errors import StaleDataError, UserError
from desktop.models import Client, Contract, Holiday, MaintenanceTemplate, SlaPolicy, Tier
from desktop.storage.conflicts import refuse_stale
from desktop.storage.database import open_database


def test_default_database_is_created_and_migrated_in_the_user_data_folder(isolated_data_dir):
    db = open_database()
    try:
        assert Path(db.url.database) == isolated_data_dir / "aftercare.db"
        assert db.mode == "local" and not db.read_only
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
    finally:
        db.dispose()


def test_seeded_policy_follows_the_design_tables(db):
    with db.session() as s:
        fees = {t.code: t.monthly_fee for t in s.scalars(select(Tier))}
        assert fees == {"warranty": Decimal("0.00"), "basic": Decimal("15000.00"),
                        "standard": Decimal("30000.00"), "premium": Decimal("60000.00")}
        policy = {(p.tier_code, p.priority): (p.clock, p.response_minutes, p.resolution_minutes)
                  for p in s.scalars(select(SlaPolicy))}
        assert policy[("premium", "critical")] == ("24x7", 60, 240)
        assert policy[("premium", "high")] == ("business", 240, 540)
        assert policy[("standard", "medium")] == ("business", 540, 1620)  # 1 and 3 business days
        assert policy[("basic", "low")] == ("business", 1080, 2700)  # 2 and 5 business days
        assert policy[("none", "critical")] == ("business", 60, 240)
        standard = s.scalars(select(MaintenanceTemplate)
                             .where(MaintenanceTemplate.tier_code == "standard")).all()
        cadences = sorted(t.cadence for t in standard)
        assert cadences.count("monthly") == 6 and cadences.count("quarterly") == 6
        assert [t.days_before_end for t in standard if t.task == "contract_renewal"] == [30]
        warranty = s.scalars(select(MaintenanceTemplate)
                             .where(MaintenanceTemplate.tier_code == "warranty")).all()
        assert [(t.task, t.days_before_end) for t in warranty] == [("warranty_expiry_review", 7)]
        year = datetime.now().year
        republic_day = s.get(Holiday, datetime(year, 1, 26).date())
        assert republic_day is not None and "Republic" in republic_day.name


def test_reopening_does_not_seed_twice_or_undo_edits(sqlite_url):
    db = open_database(sqlite_url)
    with db.transaction() as s:
        s.get(Tier, "basic").monthly_fee = Decimal("16500.00")
    db.dispose()
    db = open_database(sqlite_url)
    with db.session() as s:
        assert s.get(Tier, "basic").monthly_fee == Decimal("16500.00")
        assert len(s.scalars(select(SlaPolicy)).all()) == 20
    db.dispose()


def _digest(path: Path) -> bytes:
    return path.read_bytes()


def test_a_file_that_is_not_sqlite_is_refused_untouched(tmp_path):
    path = tmp_path / "notes.db"
    path.write_bytes(b"Dear diary, this is not a database.\n" * 50)
    before = _digest(path)
    with pytest.raises(UserError, match="not an SQLite database"):
        open_database(f"sqlite:///{path}")
    assert _digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.db"]


def test_a_foreign_sqlite_file_is_refused_untouched(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.execute("INSERT INTO recipes VALUES ('dal')")
    conn.commit()
    conn.close()
    before = _digest(path)
    with pytest.raises(UserError, match="not an Aftercare one"):
        open_database(f"sqlite:///{path}")
    assert _digest(path) == before


def test_a_newer_schema_is_refused_untouched_on_sqlite(sqlite_url):
    db = open_database(sqlite_url)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    db.dispose()
    path = Path(sqlite_url.removeprefix("sqlite:///"))
    before = _digest(path)
    with pytest.raises(UserError, match="newer version of Aftercare"):
        open_database(sqlite_url)
    assert _digest(path) == before


@pytest.mark.pg
def test_a_newer_schema_is_refused_on_postgresql(pg_url):
    db = open_database(pg_url)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
        conn.execute(text("INSERT INTO clients (name, email, phone, website, notes, archived, "
                          "created_at, version) VALUES ('Kept', '', '', '', '', false, now(), 1)"))
    db.dispose()
    with pytest.raises(UserError, match="newer version"):
        open_database(pg_url)
    from sqlalchemy import create_engine

    from desktop.storage.urls import parse_url

    engine = create_engine(parse_url(pg_url))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "9999_future"
        assert conn.execute(text("SELECT name FROM clients")).scalars().all() == ["Kept"]
    engine.dispose()


def test_a_url_with_a_password_is_refused_and_the_password_is_not_repeated():
    with pytest.raises(UserError) as info:
        open_database("postgresql://alice:hunter2@db.example/aftercare")
    message = str(info.value)
    assert "keyring" in message and "aftercare password set" in message
    assert "hunter2" not in message


def test_an_unreachable_server_is_one_sentence_without_the_password(memory_keyring):
    memory_keyring.set_password("aftercare", "alice@127.0.0.1:1/aftercare", "s3cret-pw")
    with pytest.raises(UserError) as info:
        open_database("postgresql://alice@127.0.0.1:1/aftercare")
    message = str(info.value)
    assert message.startswith("cannot connect to alice@127.0.0.1:1/aftercare")
    assert "s3cret-pw" not in message and "\n" not in message


@pytest.mark.pg
def test_the_keyring_password_is_used_for_postgresql(pg_url, memory_keyring):
    from desktop.storage.urls import keyring_user, parse_url, stored_password

    url = parse_url(pg_url)
    memory_keyring.set_password("aftercare", keyring_user(url), "trust-ignores-it")
    assert stored_password(url) == "trust-ignores-it"
    db = open_database(pg_url)  # trust authentication accepts any password
    assert db.mode == "shared"
    db.dispose()


def test_instants_are_stored_in_utc_and_read_back_aware(db):
    ist = timezone(timedelta(hours=5, minutes=30))
    created = datetime(2026, 3, 2, 9, 30, tzinfo=ist)
    with db.transaction() as s:
        s.add(Client(name="Kaveri Ayurveda", created_at=created))
    with db.session() as s:
        client = s.scalar(select(Client))
        assert client.created_at == created
        assert client.created_at.utcoffset() == timedelta(0)
        assert client.created_at.hour == 4
    with pytest.raises(Exception, match="naive datetime"):
        with db.transaction() as s:
            s.add(Client(name="Naive Ltd", created_at=datetime(2026, 3, 2, 9, 30)))


def test_money_round_trips_exactly(db):
    with db.transaction() as s:
        client = Client(name="Sharma Textiles")
        s.add(client)
        s.flush()
        s.add(Contract(client_id=client.id, tier_code="standard", start=datetime(2026, 1, 1).date(),
                       end=datetime(2026, 12, 31).date(), monthly_fee=Decimal("30000.10")))
    with db.session() as s:
        fee = s.scalar(select(Contract.monthly_fee))
        assert isinstance(fee, Decimal) and fee == Decimal("30000.10")
    with pytest.raises(Exception, match="not a float"):
        with db.transaction() as s:
            s.scalar(select(Contract)).monthly_fee = 0.1


def test_a_stale_save_is_refused(db):
    with db.transaction() as s:
        s.add(Client(name="Patel Hardware", email="old@patel.in"))
    first, second = db.session(), db.session()
    try:
        mine = first.scalar(select(Client))
        theirs = second.scalar(select(Client))
        theirs.email = "theirs@patel.in"
        second.commit()
        mine.email = "mine@patel.in"
        with pytest.raises(StaleDataError) as info:
            with refuse_stale("client", mine.id, mine={"email": "mine@patel.in"}):
                first.commit()
        assert info.value.kind == "client" and info.value.mine == {"email": "mine@patel.in"}
        first.rollback()
    finally:
        first.close()
        second.close()
    with db.session() as s:
        client = s.scalar(select(Client))
        assert client.email == "theirs@patel.in" and client.version == 2


def test_check_and_backup_commands(sqlite_url, tmp_path, capsys):
    assert cli(["--database", sqlite_url, "check"]) == 0
    assert capsys.readouterr().out.startswith("OK ")
    target = tmp_path / "copy.db"
    assert cli(["backup", str(target), "--database", sqlite_url]) == 0
    assert cli(["check", "--database", f"sqlite:///{target}"]) == 0
    assert "integrity ok" in capsys.readouterr().out


def test_backup_into_a_missing_folder_is_one_line_and_leaves_nothing(sqlite_url, tmp_path, capsys):
    assert cli(["--database", sqlite_url, "backup", str(tmp_path / "nope" / "b.db")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "does not exist" in err and "Traceback" not in err
    assert not (tmp_path / "nope").exists()


def test_check_reports_a_damaged_file(tmp_path, capsys):
    path = tmp_path / "broken.db"
    db = open_database(f"sqlite:///{path}")
    db.dispose()
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # clobber the first page's b-tree
    path.write_bytes(bytes(data))
    code = cli(["--database", f"sqlite:///{path}", "check"])
    captured = capsys.readouterr()
    assert code == 1
    assert "Traceback" not in captured.err + captured.out


def test_domain_layers_import_without_qt():
    code = ("import sys, desktop.models, desktop.services, desktop.storage, desktop.reports, "
            "desktop.storage.database, desktop.services.seed, desktop.cli; "
            "import pkgutil, importlib\n"
            "for pkg in ('desktop.services', 'desktop.storage', 'desktop.reports', 'desktop.models'):\n"
            "    mod = importlib.import_module(pkg)\n"
            "    for info in pkgutil.iter_modules(mod.__path__):\n"
            "        importlib.import_module(pkg + '.' + info.name)\n"
            "assert not [m for m in sys.modules if m.startswith('PySide6')], 'PySide6 loaded'")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
