"""A full disk during a write (issue 8, DESIGN §9): the user is told so in one sentence, the
database is as it was, and ``aftercare check`` passes once there is room again.

Two ways to fill the disk, each test runs on both:
- ``page_limit``: ``PRAGMA max_page_count`` on every connection makes SQLite answer
  SQLITE_FULL ("database or disk is full") as soon as the file would grow; works everywhere.
- ``tmpfs``: the database on a real 4 MB tmpfs filled up with a ballast file, so the write
  fails with ENOSPC from the kernel (needs the right to mount; skipped otherwise).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import event, select
from sqlalchemy.engine import Engine

from desktop.errors import UserError
from test_fuzz_dump import SAMPLE, sqlite_fingerprint

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=timezone.utc)


class FullDisk:
    """A folder whose database can be made to run out of space, and given room again."""

    def __init__(self, folder: Path, mode: str) -> None:
        self._limit = None
        self.folder = folder
        self.mode = mode
        self.ballast = folder / "ballast.bin"
        self.path = folder / "aftercare.db"
        self.url = f"sqlite:///{self.path}"

    def fill(self, db) -> None:  # noqa: ANN001
        """From now on, the database cannot grow."""
        with db.engine.connect() as connection:  # the WAL folded in: the file is the data
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        if self.mode == "page_limit":
            # On every engine (the CLI opens its own), for connections to this file only.
            target = str(self.path.resolve())

            def _limit(dbapi_connection, _record):  # noqa: ANN001
                if not hasattr(dbapi_connection, "create_function"):
                    return  # not SQLite
                cursor = dbapi_connection.cursor()
                files = [row[2] for row in cursor.execute("PRAGMA database_list")]
                if target in files:
                    pages = cursor.execute("PRAGMA page_count").fetchone()[0]
                    cursor.execute(f"PRAGMA max_page_count = {int(pages)}")
                cursor.close()

            self._limit = _limit
            event.listen(Engine, "connect", _limit)
            db.engine.dispose()  # pooled connections get the limit when they reconnect
            return
        free = shutil.disk_usage(self.folder).free
        try:
            with open(self.ballast, "wb") as fh:  # leave 8 KiB: too little for a real write
                fh.write(b"\0" * max(free - 8192, 0))
                fh.flush()
                os.fsync(fh.fileno())
        except OSError:  # full a little earlier than measured: all the better
            pass

    def make_room(self) -> None:
        if self.mode == "page_limit":
            if self._limit is not None:
                event.remove(Engine, "connect", self._limit)
                self._limit = None
        else:
            self.ballast.unlink(missing_ok=True)


@pytest.fixture(params=["page_limit", "tmpfs"])
def full_disk(request, tmp_path):
    if request.param == "page_limit":
        disk = FullDisk(tmp_path, "page_limit")
        yield disk
        disk.make_room()  # never leave the limit on for other tests
        return
    mount_point = tmp_path / f"tiny-{uuid.uuid4().hex[:6]}"
    mount_point.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount_point)],
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {result.stderr.strip()}")
    try:
        yield FullDisk(mount_point, "tmpfs")
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def _check_passes(url: str, capsys) -> None:  # noqa: ANN001
    from desktop.cli import main

    code = main(["--database", url, "check"])
    out = capsys.readouterr().out
    assert code == 0, out


def _big_dump(folder: Path) -> Path:
    """The sample dump with 300 more tickets (about 700 KB of text): an import that must
    grow the file, whatever free room the empty database's pages have."""
    import copy
    import json

    document = json.loads(SAMPLE.read_text(encoding="utf-8"))
    template = document["tickets"][0]
    top = max(t["number"] for t in document["tickets"])
    for offset in range(1, 301):
        ticket = copy.deepcopy(template)
        ticket["number"] = top + offset
        ticket["description"] = f"Ticket {offset}: " + "details of the problem. " * 100
        document["tickets"].append(ticket)
    path = folder.parent / f"big-{uuid.uuid4().hex[:6]}.json"  # outside the full disk
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_dump_import_on_a_full_disk(full_disk, capsys, tmp_path):
    from desktop.cli import main
    from desktop.storage.database import open_database

    dump = _big_dump(tmp_path / "x")

    db = open_database(full_disk.url)
    full_disk.fill(db)
    before = sqlite_fingerprint(full_disk.path)
    try:
        code = main(["--database", full_disk.url, "import", str(dump)])
    finally:
        captured = capsys.readouterr()
    assert code == 1
    err = captured.err.strip()
    assert "\n" not in err and "Traceback" not in err
    assert "disk" in err and "full" in err, err
    assert "nothing was" in err
    full_disk.make_room()
    db.dispose()
    assert sqlite_fingerprint(full_disk.path) == before
    _check_passes(full_disk.url, capsys)
    # with room again, the same import goes through: the failure left nothing half-done
    assert main(["--database", full_disk.url, "import", str(dump)]) == 0
    capsys.readouterr()


def test_ticket_write_on_a_full_disk(full_disk, capsys):
    from desktop.models import Ticket, TicketEvent
    from desktop.services import tickets
    from desktop.services.dump import import_dump
    from desktop.storage.database import DISK_FULL, open_database

    db = open_database(full_disk.url)
    import_dump(db, SAMPLE, now=NOW)
    with db.session() as session:
        ticket_id = session.scalars(select(Ticket.id).order_by(Ticket.number)).first()
    full_disk.fill(db)
    before = sqlite_fingerprint(full_disk.path)
    body = "A long investigation note. " * 20_000  # about 540 KB: needs new pages
    with pytest.raises(UserError) as caught:
        with db.transaction() as session:
            tickets.add_note(session, ticket_id, body, author_id=None, now=NOW)
    assert str(caught.value) == DISK_FULL
    # what the GUI shows for a failed save (views.worker.describe_error): the same sentence
    from desktop.views.worker import describe_error

    assert describe_error(caught.value) == DISK_FULL
    with pytest.raises(UserError):
        with db.transaction() as session:
            tickets.create_ticket(session, _new_ticket(session, body), author_id=None, now=NOW)
    full_disk.make_room()
    db.dispose()
    assert sqlite_fingerprint(full_disk.path) == before
    _check_passes(full_disk.url, capsys)
    db = open_database(full_disk.url)
    try:
        with db.transaction() as session:  # and the same note saves once there is room
            tickets.add_note(session, ticket_id, "short note", author_id=None, now=NOW)
        with db.session() as session:
            assert session.scalars(select(TicketEvent.body).where(
                TicketEvent.ticket_id == ticket_id, TicketEvent.type == "note")).all()[-1] \
                == "short note"
    finally:
        db.dispose()


def _new_ticket(session, title):  # noqa: ANN001, ANN202
    from desktop.models import Client
    from desktop.services.tickets import NewTicket

    client_id = session.scalars(select(Client.id).order_by(Client.id)).first()
    return NewTicket(client_id=client_id, title=title[:400], description=title,
                     priority="low", category="bug_fix", channel="email")


def test_disk_full_is_recognised_on_both_databases():
    """The translation's worked examples: SQLite's code and message, PostgreSQL's SQLSTATE."""
    import sqlite3

    from sqlalchemy.exc import OperationalError

    from desktop.storage.database import is_disk_full

    full = sqlite3.OperationalError("database or disk is full")
    full.sqlite_errorcode = sqlite3.SQLITE_FULL
    assert is_disk_full(OperationalError("INSERT", {}, full))

    class PgDiskFull(Exception):
        sqlstate = "53100"

    assert is_disk_full(OperationalError("INSERT", {}, PgDiskFull("could not extend file")))
    assert not is_disk_full(OperationalError("INSERT", {}, sqlite3.OperationalError(
        "database is locked")))


@pytest.fixture
def full_folder(tmp_path):
    """A 256 KB tmpfs with 4 KB left: where the user asked an export to go."""
    mount_point = tmp_path / "tiny-out"
    mount_point.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs",
                             str(mount_point)], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {result.stderr.strip()}")
    try:
        free = shutil.disk_usage(mount_point).free
        try:
            (mount_point / "ballast.bin").write_bytes(b"\0" * max(free - 4096, 0))
        except OSError:
            pass
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


@pytest.mark.parametrize("argv", [
    ["export", "{out}/dump.json"],
    ["report", "monthly", "--client", "Sharma Textiles", "--month", "2026-03",
     "-o", "{out}/march.pdf"],
    ["report", "quarterly", "--client", "Sharma Textiles", "--quarter", "2026-Q1",
     "-o", "{out}/q1.pdf"],
    ["calendar", "{out}/maintenance.ics"],
], ids=["dump", "monthly", "quarterly", "calendar"])
def test_an_export_to_a_full_disk_is_one_sentence_and_leaves_no_part_file(
        full_folder, tmp_path, capsys, argv):
    """A report PDF to a full disk was a traceback (ReportLab's OSError); now all say so."""
    from desktop.cli import main
    from desktop.services.dump import import_dump
    from desktop.storage.database import open_database

    url = f"sqlite:///{tmp_path / 'data.db'}"
    db = open_database(url)
    import_dump(db, SAMPLE, now=NOW)
    db.dispose()
    code = main(["--database", url, *[a.format(out=full_folder) for a in argv]])
    err = capsys.readouterr().err.strip()
    assert code == 1
    assert "\n" not in err and "Traceback" not in err
    assert err.startswith("aftercare: cannot write ") and "No space left on device" in err, err
    assert sorted(p.name for p in full_folder.iterdir()) == ["ballast.bin"]
