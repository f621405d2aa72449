"""A migration interrupted half-way leaves no half schema behind (DESIGN §9)."""
import sqlite3

import pytest
from alembic.operations import Operations

from desktop.storage.database import open_database


def test_an_interrupted_first_migration_leaves_an_empty_file_that_opens_later(tmp_path, monkeypatch):
    path = tmp_path / "aftercare.db"
    real_create_table = Operations.create_table
    calls = {"n": 0}

    def failing_create_table(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        calls["n"] += 1
        if calls["n"] == 5:  # several tables exist by now
            raise RuntimeError("power cut")
        return real_create_table(self, *args, **kwargs)

    monkeypatch.setattr(Operations, "create_table", failing_create_table)
    with pytest.raises(RuntimeError, match="power cut"):
        open_database(f"sqlite:///{path}")
    conn = sqlite3.connect(path)
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    conn.close()
    assert tables == []
    monkeypatch.setattr(Operations, "create_table", real_create_table)
    db = open_database(f"sqlite:///{path}")  # the next start migrates from scratch
    db.dispose()
