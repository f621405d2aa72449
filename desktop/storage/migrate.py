"""Schema versions through Alembic (DESIGN §3): applied at start-up; a newer schema is refused."""
from __future__ import annotations

import threading
from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from desktop.errors import UserError

MIGRATIONS = Path(__file__).with_name("migrations")
# Alembic's ``context`` is a module-level proxy: two threads migrating at once (the offline
# snapshot being built while another database opens) would run against each other's connection.
_UPGRADE_LOCK = threading.Lock()


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def script() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    return script().get_current_head()


def known_revisions() -> set[str]:
    return {rev.revision for rev in script().walk_revisions()}


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def check_revision(revision: str | None, where: str) -> None:
    """Refuse a database whose schema this program does not know (it is newer)."""
    if revision is not None and revision not in known_revisions():
        raise UserError(f"{where} was written by a newer version of Aftercare (schema {revision}); "
                        "update Aftercare to open it. The database was not changed.")


def upgrade(connection: Connection) -> None:
    from alembic import command

    check_revision(current_revision(connection), "the database")
    with _UPGRADE_LOCK:
        if connection.dialect.name == "sqlite":
            # Python's sqlite3 runs DDL outside any transaction, so a kill -9 half-way through
            # would leave half a schema. An explicit BEGIN makes the whole upgrade one
            # transaction, committed with the caller's (DESIGN §9).
            raw = connection.connection.driver_connection
            if not raw.in_transaction:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
        command.upgrade(alembic_config(connection), "head")
