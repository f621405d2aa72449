"""Moving a whole database (issue 7 "Outgrowing one machine"): ``aftercare copy --from URL --to
URL``, for example the local SQLite file to a new PostgreSQL database.

Every table of the model is copied row by row with SQLAlchemy Core, ids and versions included,
so the copy is the same database rather than a re-import of it (the dump of both is identical).
The source is read in one transaction (a consistent picture even while others write). The
target must hold no clients or tickets; its seeded rows are replaced, and all of it happens in one
transaction whose row counts are verified before the commit: all or nothing. A new SQLite file
that could not be filled is removed again.

The offline snapshot (``snapshot.py``) reuses ``copy_tables``.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Table, func, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from desktop.errors import UserError

from .database import open_database
from .urls import display_url, parse_url

log = logging.getLogger(__name__)

BATCH = 5000
Progress = Callable[[str, int], None]  # table name, rows copied so far in it


def model_tables() -> list[Table]:
    """The model's tables, parents before children."""
    from desktop.models import Base

    return list(Base.metadata.sorted_tables)


def _copyable_columns(table: Table) -> list:
    return [c for c in table.columns if c.computed is None]


@dataclass
class CopyReport:
    source: str
    target: str
    counts: dict[str, int] = field(default_factory=dict)

    def line(self) -> str:
        c = self.counts
        return (f"copied {self.source} to {self.target}: {c.get('clients', 0)} clients, "
                f"{c.get('contracts', 0)} contracts, {c.get('tickets', 0)} tickets "
                f"({c.get('ticket_events', 0)} events), {c.get('occurrences', 0)} maintenance "
                f"occurrences, {sum(c.values())} rows in {len(c)} tables; counts verified")


@contextmanager
def consistent_reader(source: Engine) -> Iterator[Connection]:
    """A connection reading every table in one transaction, so the copy is of one moment."""
    if source.dialect.name == "sqlite":
        with source.connect().execution_options(isolation_level="AUTOCOMMIT") as reader:
            reader.exec_driver_sql("BEGIN")
            try:
                yield reader
            finally:
                reader.exec_driver_sql("COMMIT")
    else:
        with source.connect().execution_options(isolation_level="REPEATABLE READ",
                                                postgresql_readonly=True) as reader:
            with reader.begin():
                yield reader


def _holds_data(connection: Connection) -> bool:
    from desktop.models import Client, Ticket

    return bool(connection.scalar(select(func.count()).select_from(Client.__table__))
                or connection.scalar(select(func.count()).select_from(Ticket.__table__)))


def copy_tables(source: Engine, target: Connection, progress: Progress | None = None) -> dict:
    """Copy every model table from ``source`` into ``target`` (inside the caller's
    transaction; the target's rows are deleted first) and return the verified counts."""
    try:
        from desktop.services import search
    except ImportError:  # the full-text index is optional
        search = None

    tables = model_tables()
    for table in reversed(tables):
        target.execute(table.delete())
    if search is not None:
        search.drop_search_objects(target)  # rebuilt once at the end: faster than per row
    counts: dict[str, int] = {}
    with consistent_reader(source) as reader:
        for table in tables:
            columns = _copyable_columns(table)
            expected = reader.scalar(select(func.count()).select_from(table))
            done = 0
            for chunk in _batches(reader, table, columns):
                _insert_rows(target, table, columns, chunk)
                done += len(chunk)
                if progress is not None:
                    progress(table.name, done)
            written = target.scalar(select(func.count()).select_from(table))
            if not (expected == done == written):
                raise UserError(f"the copy of table {table.name} does not add up (source "
                                f"{expected} rows, read {done}, written {written}); "
                                "nothing was copied")
            counts[table.name] = written
    if search is not None:
        search.rebuild_search_index(target)
    if target.dialect.name == "postgresql":
        _reset_sequences(target, tables)
    return counts


def _insert_rows(target: Connection, table: Table, columns: list, rows: list) -> None:
    """Bulk insert below the ORM: values go through each column type's bind processing
    (instants to UTC, JSON to text, money to exact decimals), then PostgreSQL's COPY or one
    SQLite ``executemany``, the fastest way in for each."""
    dialect = target.dialect
    processors = [c.type.dialect_impl(dialect).bind_processor(dialect) for c in columns]
    # column by column: one map() per column is much cheaper than a call per cell
    by_column = list(zip(*rows))
    values = list(zip(*[column if process is None else list(map(process, column))
                        for process, column in zip(processors, by_column)]))
    quote = dialect.identifier_preparer.quote
    names = ", ".join(quote(c.name) for c in columns)
    table_name = dialect.identifier_preparer.format_table(table)
    raw = target.connection.dbapi_connection
    cursor = raw.cursor()
    try:
        if dialect.name == "postgresql":
            with cursor.copy(f"COPY {table_name} ({names}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in columns)
            cursor.executemany(f"INSERT INTO {table_name} ({names}) VALUES ({marks})", values)
    finally:
        cursor.close()


def _batches(reader: Connection, table: Table, columns: list) -> Iterator[list]:
    """The table's rows in primary-key order, ``BATCH`` at a time, by keyset (``pk > last``):
    plain client-side queries, so nothing is left open if the connection dies mid-copy."""
    (pk,) = table.primary_key.columns  # every model table has a one-column key
    last = None
    while True:
        query = select(*columns).order_by(pk).limit(BATCH)
        if last is not None:
            query = query.where(pk > last)
        rows = reader.execute(query).fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1]._mapping[pk.key]
        if len(rows) < BATCH:
            return


def _reset_sequences(target: Connection, tables: list[Table]) -> None:
    """Explicit ids were inserted: move each id sequence past the largest one."""
    for table in tables:
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or pk[0].name != "id":
            continue
        target.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608 - model names
            f"COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {table.name}"))


def copy_database(from_url: str, to_url: str, progress: Progress | None = None) -> CopyReport:
    """Copy the whole database at ``from_url`` into ``to_url`` (DESIGN §3, issue 7)."""
    source_url, target_url = parse_url(from_url), parse_url(to_url)
    if display_url(source_url) == display_url(target_url) and \
            source_url.get_backend_name() == target_url.get_backend_name():
        raise UserError("the source and the target are the same database")
    if source_url.get_backend_name() == "sqlite" and \
            not Path(source_url.database or "").expanduser().exists():
        raise UserError(f"{source_url.database} does not exist; nothing to copy")
    new_file: Path | None = None
    if target_url.get_backend_name() == "sqlite":
        path = Path(target_url.database or "").expanduser()
        if not path.exists():
            new_file = path
    source = open_database(from_url, seed=False)
    try:
        target = None
        try:
            target = open_database(to_url, seed=False)
            report = CopyReport(source.display_name, target.display_name)
            with target.engine.begin() as connection:
                if _holds_data(connection):
                    raise UserError(f"{target.display_name} already holds clients or tickets; "
                                    "copy into a new, empty database")
                report.counts = copy_tables(source.engine, connection, progress)
        except SQLAlchemyError as exc:
            orig = getattr(exc, "orig", None) or exc
            first = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
            raise UserError(f"the copy failed and nothing was copied: {first}") from None
        finally:
            if target is not None:
                target.dispose()
    except BaseException:
        if new_file is not None:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{new_file}{suffix}").unlink(missing_ok=True)
        raise
    finally:
        source.dispose()
    log.info("%s", report.line())
    return report
