"""Full-text search over tickets (DESIGN §4 queue "text" filter, §8 budgets).

SQLite: an FTS5 external-content table ``tickets_fts`` over ``tickets(title, description)``, kept
in step by triggers. A bulk loader may drop the triggers (``drop_search_triggers``), insert, then
call ``rebuild_search_index``, which re-indexes every ticket and puts the triggers back.
PostgreSQL: a GIN index on ``to_tsvector('simple', title || ' ' || description)``; being an
expression index it is always in step, and ``rebuild_search_index`` is a no-op there.

A query is split into words; each word must match (as a prefix) the title or description, or
the client's name; a word like ``#1234`` or ``1234`` also matches the ticket number.
"""
from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import and_, bindparam, literal_column, or_, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from desktop.models import Client, Ticket

FTS_TABLE = "tickets_fts"
PG_INDEX = "ix_tickets_search"
PG_DOCUMENT = "to_tsvector('simple', coalesce(title, '') || ' ' || coalesce(description, ''))"
TRIGGERS = ("tickets_fts_ai", "tickets_fts_ad", "tickets_fts_au")

SQLITE_TABLE_DDL = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "title, description, content='tickets', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2', prefix='2 3')")
SQLITE_TRIGGER_DDL = (
    f"""CREATE TRIGGER IF NOT EXISTS tickets_fts_ai AFTER INSERT ON tickets BEGIN
        INSERT INTO {FTS_TABLE}(rowid, title, description)
        VALUES (new.id, new.title, new.description);
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS tickets_fts_ad AFTER DELETE ON tickets BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, description)
        VALUES ('delete', old.id, old.title, old.description);
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS tickets_fts_au AFTER UPDATE OF title, description ON tickets
    BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, description)
        VALUES ('delete', old.id, old.title, old.description);
        INSERT INTO {FTS_TABLE}(rowid, title, description)
        VALUES (new.id, new.title, new.description);
    END""",
)
PG_INDEX_DDL = f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON tickets USING gin ({PG_DOCUMENT})"


def is_search_object(name: str | None) -> bool:
    """Schema objects that belong to the search index rather than to the ORM model (the
    migration-vs-model comparison skips them)."""
    return bool(name) and (name.startswith(FTS_TABLE) or name == PG_INDEX)


def create_search_objects(connection: Connection) -> None:
    """Create the index structures (called by the 0001 migration)."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(SQLITE_TABLE_DDL)
        for ddl in SQLITE_TRIGGER_DDL:
            connection.exec_driver_sql(ddl)
    else:
        connection.exec_driver_sql(PG_INDEX_DDL)


def drop_search_objects(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        drop_search_triggers(connection)
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {FTS_TABLE}")
    else:
        connection.exec_driver_sql(f"DROP INDEX IF EXISTS {PG_INDEX}")


class _RawSqlite:
    """A DB-API ``sqlite3.Connection`` (as bulk loaders use) seen through the few calls used here."""

    class dialect:  # noqa: N801 - mimics Connection.dialect.name
        name = "sqlite"

    def __init__(self, raw: sqlite3.Connection) -> None:
        self.raw = raw

    def exec_driver_sql(self, sql: str):  # noqa: ANN201
        return self.raw.execute(sql)


def _connection(bind: Session | Connection | sqlite3.Connection) -> Connection:
    if isinstance(bind, sqlite3.Connection):
        return _RawSqlite(bind)  # type: ignore[return-value]
    return bind.connection() if isinstance(bind, Session) else bind


def drop_search_triggers(bind: Session | Connection | sqlite3.Connection) -> None:
    """Before a bulk load on SQLite: stop per-row indexing (call ``rebuild_search_index`` after)."""
    connection = _connection(bind)
    if connection.dialect.name == "sqlite":
        for name in TRIGGERS:
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")


def rebuild_search_index(bind: Session | Connection | sqlite3.Connection) -> None:
    """Re-index every ticket and make sure the triggers that keep the index in step exist."""
    connection = _connection(bind)
    if connection.dialect.name != "sqlite":
        connection.exec_driver_sql(PG_INDEX_DDL)
        return
    connection.exec_driver_sql(SQLITE_TABLE_DDL)
    connection.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
    for ddl in SQLITE_TRIGGER_DDL:
        connection.exec_driver_sql(ddl)


def search_index_intact(bind: Session | Connection | sqlite3.Connection) -> bool:
    """False when a bulk load was interrupted between dropping and restoring the triggers."""
    connection = _connection(bind)
    if connection.dialect.name != "sqlite":
        return True
    names = {row[0] for row in connection.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")}
    return FTS_TABLE in names and all(t in names for t in TRIGGERS)


# --- queries --------------------------------------------------------------------------------
_WORD = re.compile(r"[#]?\w[\w'-]*", re.UNICODE)


@dataclass(frozen=True)
class SearchQuery:
    words: tuple[str, ...]
    number: int | None

    @property
    def empty(self) -> bool:
        return not self.words and self.number is None


TICKET_NUMBER_MAX = 2_147_483_647  # the largest number an integer column holds


def _ticket_number(digits: str) -> int | None:
    """The ticket number a word names, if it can name one: ASCII digits within the column's
    range (``#99999999999999999999`` or ``#²`` are words, not numbers)."""
    if digits.isascii() and digits.isdigit():
        number = int(digits)
        if number <= TICKET_NUMBER_MAX:
            return number
    return None


def parse_query(text_: str) -> SearchQuery:
    """Words of the user's text; ``#123`` or a bare number also names a ticket number."""
    words: list[str] = []
    number = None
    for match in _WORD.finditer(text_ or ""):
        word = match.group(0)
        if word.startswith("#") and _ticket_number(word[1:]) is not None:
            number = _ticket_number(word[1:])
            continue
        if number is None:
            number = _ticket_number(word)
        words.append(word.lstrip("#"))
    return SearchQuery(tuple(w for w in words if w), number)


def _fts_word(word: str) -> str:
    return '"' + word.replace('"', '""') + '"*'


def _like_escape(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def text_condition(dialect: str, text_: str,
                   client_matches: Callable[[str], list[int]] | None = None
                   ) -> ColumnElement[bool] | None:
    """A WHERE condition on ``tickets`` for the user's search text (None: no condition).

    Every word must match the title or description (full-text, as a prefix) or the client's
    name; a number alone also matches the ticket with that number. ``client_matches(word)``
    gives the ids of clients whose name contains the word (the caller looks at the small
    clients table first): words that name no client go into ONE full-text query, so the index
    intersects their matches itself instead of the database joining a set per word.
    """
    query = parse_query(text_)
    if query.empty:
        return None
    number_match = Ticket.number == query.number if query.number is not None else None
    if not query.words:
        return number_match
    plain: list[str] = []
    conditions = []
    for word in query.words:
        if client_matches is None:
            clients = select(Client.id).where(
                Client.name.ilike(f"%{_like_escape(word)}%", escape="\\"))
            conditions.append(or_(_fulltext(dialect, [word], len(conditions)),
                                  Ticket.client_id.in_(clients)))
            continue
        ids = client_matches(word)
        if ids:
            conditions.append(or_(_fulltext(dialect, [word], len(conditions)),
                                  Ticket.client_id.in_(ids)))
        else:
            plain.append(word)
    if plain:
        conditions.append(_fulltext(dialect, plain, len(conditions)))
    words_match = and_(*conditions)
    return or_(words_match, number_match) if number_match is not None else words_match


def fts_count(connection, text_: str,  # noqa: ANN001
              client_matches: Callable[[str], list[int]]) -> int | None:
    """The number of tickets matching ``text_`` counted in the FTS5 index alone (SQLite), when
    the search is nothing but words naming no client; None otherwise. Counting the index is
    several times cheaper than joining its matches to the tickets."""
    if connection.dialect.name != "sqlite":
        return None
    query = parse_query(text_)
    if query.empty or query.number is not None or not query.words:
        return None
    if any(client_matches(w) for w in query.words):
        return None
    expression = " AND ".join(_fts_word(w) for w in query.words)
    return int(connection.execute(
        text(f"SELECT count(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :q"),
        {"q": expression}).scalar() or 0)


def _fulltext(dialect: str, words: Sequence[str], i: int) -> ColumnElement[bool]:
    """Tickets whose title or description contain every word (as a prefix)."""
    if dialect == "sqlite":
        expression = " AND ".join(_fts_word(w) for w in words)
        matches = select(literal_column("rowid")).select_from(text(FTS_TABLE)).where(
            text(f"{FTS_TABLE} MATCH :fts_{i}").bindparams(bindparam(f"fts_{i}", expression)))
        return Ticket.id.in_(matches)
    expression = " & ".join(_pg_word(w) for w in words)
    return text(f"{PG_DOCUMENT} @@ to_tsquery('simple', :tsq_{i})").bindparams(
        bindparam(f"tsq_{i}", expression))


def client_matcher(connection) -> Callable[[str], list[int]]:  # noqa: ANN001
    """``word -> ids of clients whose name contains it`` over one read of the clients table."""
    names = [(i, (n or "").casefold()) for i, n in connection.execute(
        select(Client.id, Client.name))]

    def matches(word: str) -> list[int]:
        folded = word.casefold()
        return [i for i, n in names if folded in n]

    return matches


def _pg_word(word: str) -> str:
    cleaned = re.sub(r"[^\w]", " ", word).split()
    return " & ".join(f"{part}:*" for part in cleaned) or "''"


# --- the global search (Ctrl+K) ---------------------------------------------------------------
@dataclass(frozen=True)
class SearchHit:
    kind: str  # "ticket" or "client"
    id: int
    title: str
    detail: str
    priority: str | None = None


def _ticket_ids(session: Session, query: SearchQuery, limit: int) -> list[int]:
    """Newest tickets whose title or description match every word (prefixes)."""
    if not query.words:
        return []
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        expression = " AND ".join(_fts_word(w) for w in query.words)
        rows = session.execute(text(
            f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :q "
            "ORDER BY rowid DESC LIMIT :n"), {"q": expression, "n": limit})
    else:
        expression = " & ".join(_pg_word(w) for w in query.words)
        rows = session.execute(text(
            f"SELECT id FROM tickets WHERE {PG_DOCUMENT} @@ to_tsquery('simple', :q) "
            "ORDER BY id DESC LIMIT :n"), {"q": expression, "n": limit})
    return [int(r[0]) for r in rows]


def global_search(session: Session, text_: str, limit: int = 8) -> list[SearchHit]:
    """Tickets (a number first, then the newest matching tickets) and clients by name."""
    from desktop.models.enums import Status

    from .queue import QueueFilter, QueueQuery, QueueSort

    query = parse_query(text_)
    if query.empty:
        return []
    ids: list[int] = []
    if query.number is not None:
        found = session.scalar(select(Ticket.id).where(Ticket.number == query.number))
        if found is not None:
            ids.append(found)
    words = tuple(w for w in query.words
                  if query.number is None or _ticket_number(w) != query.number)
    for ticket_id in _ticket_ids(session, SearchQuery(words, None), limit):
        if ticket_id not in ids:
            ids.append(ticket_id)
    ids = ids[:limit]
    hits: list[SearchHit] = []
    clients: list[tuple[int, str]] = []
    if words:
        condition = and_(*[Client.name.ilike(f"%{_like_escape(w)}%", escape="\\")
                           for w in words])
        clients = [(i, n) for i, n in session.execute(
            select(Client.id, Client.name).where(condition).order_by(Client.name).limit(5))]
    from datetime import datetime, timezone

    rows = QueueQuery(session, QueueFilter(), QueueSort("number"),
                      datetime.now(timezone.utc)).rows(ids)
    labels = {s.value: s.value.replace("_", " ") for s in Status}
    for client_id, name in clients:
        hits.append(SearchHit("client", client_id, name, "Client"))
    for row in rows:
        hits.append(SearchHit("ticket", row.id, f"#{row.number}  {row.title}",
                              f"{row.client} · {labels.get(row.status, row.status)}",
                              row.priority))
    return hits
