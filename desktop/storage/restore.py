"""Restoring a backup (issue 8): the backup is checked first; the replaced database is set
aside, never deleted."""
from __future__ import annotations

import shutil
import sqlite3
from datetime import datetime
from pathlib import Path

from desktop.errors import UserError

from . import migrate
from .database import SQLITE_HEADER
from .files import atomic_path


def verify_backup(path: Path) -> str:
    """Integrity and schema of a backup file; returns its schema revision."""
    if not path.is_file():
        raise UserError(f"{path} does not exist")
    with path.open("rb") as fh:
        if fh.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise UserError(f"{path} is not an SQLite database file")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            result = conn.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            revision = (conn.execute("SELECT version_num FROM alembic_version").fetchone() or [None])[0] \
                if "alembic_version" in tables else None
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise UserError(f"{path} is damaged: {exc}") from None
    if result != "ok":
        raise UserError(f"{path} fails the integrity check: {result}")
    if revision is None:
        raise UserError(f"{path} is not an Aftercare backup")
    migrate.check_revision(revision, str(path))
    return revision


def restore_backup(backup: Path, target: Path, now: datetime | None = None) -> Path | None:
    """Replace ``target`` by ``backup``; the old database (with its -wal/-shm) is renamed to
    ``<name>.replaced-YYYYmmdd-HHMMSS``. Returns where the old one went, or None if none."""
    verify_backup(backup)
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    set_aside = None
    if target.exists():
        # fold the WAL into the main file first so the set-aside copy is whole on its own
        try:
            conn = sqlite3.connect(target)
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.close()
        except sqlite3.DatabaseError:
            pass
        set_aside = target.with_name(f"{target.name}.replaced-{stamp}")
        target.rename(set_aside)
        for suffix in ("-wal", "-shm"):
            side = target.with_name(target.name + suffix)
            if side.exists():
                side.rename(set_aside.with_name(set_aside.name + suffix))
    with atomic_path(target) as tmp:
        shutil.copyfile(backup, tmp)
    return set_aside
