"""Opening a database: SQLite (local, default) or PostgreSQL (shared), migrated and seeded.

DESIGN §3: SQLite runs with WAL, foreign keys and a busy timeout; PostgreSQL through psycopg 3 with
the password from the OS keyring. A file that is not SQLite, an SQLite file that is not an Aftercare
database and a database of a newer schema are refused before anything is written to them.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from desktop.errors import UserError

from . import migrate
from .urls import display_url, parse_url, stored_password

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 10_000


@dataclass
class Database:
    """An open database: its engine, a session factory and how the user reaches it."""

    url: URL
    engine: Engine
    mode: str  # "local", "shared" or "offline"
    read_only: bool = False
    sessions: sessionmaker = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def display_name(self) -> str:
        return display_url(self.url)

    @property
    def mode_label(self) -> str:
        return {"local": "local", "shared": "shared",
                "offline": "offline snapshot, read-only"}[self.mode]

    def session(self) -> Session:
        return self.sessions()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session for one user action: committed when the block ends, rolled back on error.
        A full disk becomes a UserError saying so (the transaction is rolled back)."""
        try:
            with self.sessions() as session, session.begin():
                yield session
        except OperationalError as exc:
            if is_disk_full(exc):
                raise UserError(DISK_FULL) from None
            raise

    def dispose(self) -> None:
        self.engine.dispose()


DISK_FULL = ("the disk holding the database is full, so nothing was saved; "
             "free some space and try again")


def is_disk_full(exc: BaseException) -> bool:
    """SQLite's SQLITE_FULL ("database or disk is full") or PostgreSQL's disk_full (53100)."""
    orig = getattr(exc, "orig", None) or exc
    if getattr(orig, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL:
        return True
    if getattr(orig, "sqlstate", None) == "53100":
        return True
    message = str(orig).lower()
    return "database or disk is full" in message or "no space left on device" in message


def open_database(url_text: str | None = None, *, read_only: bool = False,
                  seed: bool = True) -> Database:
    """Open (creating and migrating if needed) the database named by ``url_text``.

    ``None`` means ``AFTERCARE_DATABASE_URL`` or the default local file. Raises ``UserError``
    with one plain sentence when the database cannot be used; nothing is written in that case.
    """
    url = parse_url(url_text)
    if url.get_backend_name() == "sqlite":
        db = _open_sqlite(url, read_only=read_only)
    else:
        db = _open_postgresql(url)
    if not read_only:
        try:
            with db.engine.begin() as connection:
                migrate.upgrade(connection)
            if seed:
                from desktop.services.seed import ensure_seeded

                with db.transaction() as session:
                    ensure_seeded(session)
        except UserError:
            db.dispose()
            raise
        except SQLAlchemyError as exc:
            db.dispose()
            raise UserError(f"could not prepare the database {db.display_name}: "
                            f"{_first_line(exc)}") from None
    return db


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()
    return text[0] if text else type(orig).__name__


def _inspect_sqlite_file(path: Path) -> None:
    """Refuse, without writing a byte, a file that is not an Aftercare SQLite database."""
    if not path.exists() or path.stat().st_size == 0:
        return
    if path.is_dir():
        raise UserError(f"{path} is a folder, not a database file")
    with path.open("rb") as fh:
        header = fh.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise UserError(f"{path} is not an SQLite database file; it was left untouched")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            tables = {row[0] for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table'")}
            revision = None
            if "alembic_version" in tables:
                row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = row[0] if row else None
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise UserError(f"{path} is damaged or not a database ({exc}); it was left untouched") from None
    if tables and "alembic_version" not in tables:
        raise UserError(f"{path} is an SQLite database but not an Aftercare one; "
                        "it was left untouched")
    migrate.check_revision(revision, str(path))


def sqlite_engine(path: Path | str, *, read_only: bool = False) -> Engine:
    """An engine on an SQLite file with Aftercare's connection settings."""
    path = Path(path)
    if read_only:
        engine = create_engine(f"sqlite:///{path.resolve().as_uri()}?mode=ro&uri=true")
    else:
        engine = create_engine(URL.create("sqlite", database=str(path)))

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # noqa: ANN001
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if read_only:
            cursor.execute("PRAGMA query_only = ON")
        else:
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    return engine


def _open_sqlite(url: URL, *, read_only: bool) -> Database:
    if not url.database or url.database == ":memory:":
        raise UserError("an in-memory SQLite database cannot hold Aftercare data; name a file")
    path = Path(url.database).expanduser()
    if read_only and not path.exists():
        raise UserError(f"{path} does not exist")
    _inspect_sqlite_file(path)
    if not read_only:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserError(f"cannot create the folder for {path}: {exc.strerror}") from None
    engine = sqlite_engine(path, read_only=read_only)
    try:
        with engine.connect():
            pass
    except OperationalError as exc:
        engine.dispose()
        raise UserError(f"cannot open {path}: {_first_line(exc)}") from None
    return Database(URL.create("sqlite", database=str(path)), engine,
                    mode="offline" if read_only else "local", read_only=read_only)


def postgresql_engine(url: URL) -> Engine:
    password = stored_password(url)
    connect_args = {"connect_timeout": 5, "application_name": "aftercare"}
    if password:
        connect_args["password"] = password
    return create_engine(url, connect_args=connect_args, pool_pre_ping=True,
                         hide_parameters=True)


def _open_postgresql(url: URL) -> Database:
    engine = postgresql_engine(url)
    try:
        with engine.connect() as connection:
            migrate.check_revision(migrate.current_revision(connection),
                                   f"the database {display_url(url)}")
    except OperationalError as exc:
        engine.dispose()
        raise UserError(f"cannot connect to {display_url(url)}: {_first_line(exc)}") from None
    except BaseException:
        engine.dispose()
        raise
    return Database(url, engine, mode="shared")
