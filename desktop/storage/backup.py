"""Online backup (DESIGN §6 `aftercare backup FILE`): SQLite's backup API into a temporary file
then a rename; PostgreSQL databases are backed up as a portable dump."""
from __future__ import annotations

import sqlite3
from pathlib import Path

from desktop.errors import UserError

from .database import Database
from .files import atomic_path


def backup_sqlite_file(source: Path, target: Path) -> None:
    with atomic_path(target) as tmp:
        src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
        try:
            dst = sqlite3.connect(tmp)
            try:
                src.backup(dst)
                dst.execute("PRAGMA journal_mode = DELETE")
            finally:
                dst.close()
        except sqlite3.Error as exc:
            raise UserError(f"backup of {source} failed: {exc}") from None
        finally:
            src.close()


def backup(db: Database, target: str | Path) -> Path:
    target = Path(target)
    if db.is_sqlite:
        backup_sqlite_file(Path(db.url.database), target)
    else:
        from desktop.services.dump import export_dump

        export_dump(db, target)
    return target
