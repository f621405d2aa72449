"""Integrity and schema check (DESIGN §6 `aftercare check`, §9)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text

from . import migrate
from .database import open_database


@dataclass
class Verdict:
    ok: bool
    line: str


def check_database(url_text: str | None) -> Verdict:
    """Run SQLite's ``PRAGMA integrity_check`` and foreign-key check (or a PostgreSQL sanity
    query) and compare the schema revision with this program's."""
    db = open_database(url_text, seed=False)
    try:
        with db.engine.connect() as connection:
            revision = migrate.current_revision(connection)
            problems: list[str] = []
            if db.is_sqlite:
                rows = [r[0] for r in connection.execute(text("PRAGMA integrity_check"))]
                if rows != ["ok"]:
                    problems.append(f"integrity check: {rows[0]}")
                fk = connection.execute(text("PRAGMA foreign_key_check")).fetchall()
                if fk:
                    problems.append(f"{len(fk)} broken foreign key reference(s) in {fk[0][0]}")
            else:
                connection.execute(text("SELECT count(*) FROM tickets"))
            head = migrate.head_revision()
            if revision != head:
                problems.append(f"schema {revision} is not the current {head}")
        name = db.display_name
    finally:
        db.dispose()
    if problems:
        return Verdict(False, f"FAILED {name}: " + "; ".join(problems))
    return Verdict(True, f"OK {name}: integrity ok, schema {revision} (current)")
