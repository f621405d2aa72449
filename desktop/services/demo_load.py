"""Bulk loading of demo rows: sqlite3 ``executemany`` or PostgreSQL ``COPY`` on the raw DB-API
connection, inside the caller's transaction (DESIGN §8: a million tickets in under 2 minutes).

Rows come from ``services.demo_tickets`` already in the stored form: instants as UTC text (with
``+00`` for PostgreSQL), booleans as bools, JSON as text. Table, column and index names in the
SQL below are this module's constants or the database's own catalogue, never user input.
"""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.engine import Connection

from .demo_tickets import (EVENT_COLUMNS, FOLLOW_UP_COLUMNS, TICKET_COLUMNS, TIME_ENTRY_COLUMNS,
                           ChunkRows)

TABLES = (
    ("tickets", TICKET_COLUMNS, "tickets"),
    ("ticket_events", EVENT_COLUMNS, "events"),
    ("time_entries", TIME_ENTRY_COLUMNS, "time_entries"),
    ("follow_ups", FOLLOW_UP_COLUMNS, "follow_ups"),
)
SERIAL_TABLES = ("clients", "contacts", "contracts", "staff_users", "tickets", "ticket_events",
                 "time_entries", "follow_ups", "occurrences")


class BulkWriter:
    """Writes chunks of rows through the connection's DB-API connection."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.dialect = connection.dialect.name
        self.raw = connection.connection.driver_connection
        self.suspended: list[tuple[str, str]] = []

    def write(self, rows: ChunkRows) -> None:
        for table, columns, attribute in TABLES:
            data = getattr(rows, attribute)
            if data:
                self._write(table, columns, data)

    def _write(self, table: str, columns: Sequence[str], data: list[tuple]) -> None:
        names = ", ".join(columns)
        if self.dialect == "sqlite":
            marks = ", ".join("?" * len(columns))
            self.raw.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", data)
        elif self.dialect == "postgresql":
            with self.raw.cursor() as cursor:
                with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    write_row = copy.write_row
                    for row in data:
                        write_row(row)
        else:  # pragma: no cover - only SQLite and PostgreSQL are supported
            raise NotImplementedError(self.dialect)

    def suspend_indexes(self) -> None:
        """Drop the secondary indexes of the bulk tables for the load; ``finish`` recreates
        them from their own definitions, in the same transaction."""
        tables = tuple(table for table, _, _ in TABLES)
        if self.dialect == "sqlite":
            marks = ", ".join("?" * len(tables))
            rows = self.raw.execute(
                f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                f"AND tbl_name IN ({marks}) ORDER BY name", tables).fetchall()
        else:
            with self.raw.cursor() as cursor:
                cursor.execute(
                    "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = "
                    "current_schema() AND i.tablename = ANY(%s) AND NOT EXISTS (SELECT 1 FROM "
                    "pg_constraint c WHERE c.conname = i.indexname) ORDER BY i.indexname",
                    (list(tables),))
                rows = cursor.fetchall()
        self.suspended = [(name, sql) for name, sql in rows]
        for name, _ in self.suspended:
            self._execute(f'DROP INDEX "{name}"')

    def _execute(self, sql: str) -> None:
        if self.dialect == "sqlite":
            self.raw.execute(sql)
        else:
            with self.raw.cursor() as cursor:
                cursor.execute(sql)

    def finish(self) -> None:
        for _, sql in self.suspended:
            self._execute(sql)
        self.suspended = []

        # after explicit ids: move PostgreSQL's sequences past them
        if self.dialect != "postgresql":
            return
        with self.raw.cursor() as cursor:
            for table in SERIAL_TABLES:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)")
