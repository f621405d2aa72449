"""All SQL goes through bound parameters (issue 8, DESIGN §9).

1. A scan of desktop/: every string that looks like SQL and is built by f-string, ``%`` or
   ``.format`` is listed with what is interpolated into it. Each interpolated expression must
   be on the allow-list below, with the reason it can never carry a user's value (a module
   constant, a name from the models' metadata or the database's own catalogue, a count of
   ``?`` marks, an int). A new one fails this test until someone looks at it.
2. Hostile text through the paths that take user text into queries (the queue's search, the
   global search, a client's name in a dump and in a report lookup) on SQLite and PostgreSQL:
   no error, and every table still there with its rows.
"""
from __future__ import annotations

import ast
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

DESKTOP = Path(__file__).resolve().parent.parent / "desktop"

SQL_WORDS = re.compile(
    r"\b(SELECT|INSERT INTO|UPDATE|DELETE FROM|DROP|CREATE|PRAGMA|ALTER|WHERE|VALUES|LISTEN|"
    r"NOTIFY|TRUNCATE|COPY|MATCH|SET|FROM|VACUUM|ATTACH)\b|@@|to_tsquery|setval")

CONSTANT = "a module constant (never user text)"
MODEL_NAME = "a table/column name from the models' metadata or a fixed table list"
CATALOGUE = "an index/trigger name read from the database's own catalogue or a fixed list"
MARKS = "a run of '?' placeholders, one per column"
INTEGER = "an int() / numeric constant"
PARAM_NAME = "the index of a bind parameter's name (:fts_0, :tsq_1)"

# (file relative to desktop/, interpolated expression as ast.unparse gives it) -> why it is safe
ALLOWED: dict[tuple[str, str], str] = {
    ("services/demo.py", "int(timeout)"): INTEGER,
    ("services/demo_load.py", "table"): MODEL_NAME,
    ("services/demo_load.py", "names"): MODEL_NAME,
    ("services/demo_load.py", "marks"): MARKS,
    ("services/demo_load.py", "name"): CATALOGUE,
    ("services/dump_load.py", "table.name"): MODEL_NAME,
    ("services/dump_load.py", "columns"): MODEL_NAME,
    ("services/dump_load.py", "', '.join('?' * len(names))"): MARKS,
    ("services/dump_load.py", "-LOAD_CACHE_KIB"): INTEGER,
    ("services/dump_load.py", "int(cache_size)"): INTEGER,
    ("services/dump_load.py", "table"): MODEL_NAME,
    ("services/search.py", "FTS_TABLE"): CONSTANT,
    ("services/search.py", "PG_INDEX"): CONSTANT,
    ("services/search.py", "PG_DOCUMENT"): CONSTANT,
    ("services/search.py", "name"): CATALOGUE,
    ("services/search.py", "i"): PARAM_NAME,
    ("storage/copy.py", "table_name"): MODEL_NAME,
    ("storage/copy.py", "names"): MODEL_NAME,
    ("storage/copy.py", "marks"): MARKS,
    ("storage/copy.py", "table.name"): MODEL_NAME,
    ("storage/database.py", "BUSY_TIMEOUT_MS"): CONSTANT,
    ("storage/listener.py", "CHANNEL"): CONSTANT,
}


def formatted_sql(source: str) -> list[tuple[int, str, list[str]]]:
    """(line, SQL text without the interpolations, interpolated expressions) for every
    SQL-looking string built by f-string, % or .format in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.JoinedStr):
            constant = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
            expressions = [ast.unparse(v.value) for v in node.values
                           if isinstance(v, ast.FormattedValue)]
        elif (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod)
              and isinstance(node.left, ast.Constant) and isinstance(node.left.value, str)):
            constant = node.left.value
            expressions = [ast.unparse(node.right)]
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr == "format" and isinstance(node.func.value, ast.Constant)
              and isinstance(node.func.value.value, str)):
            constant = node.func.value.value
            expressions = [ast.unparse(a) for a in [*node.args, *node.keywords]]
        else:
            continue
        if SQL_WORDS.search(constant) and expressions:
            found.append((node.lineno, constant, expressions))
    return found


def test_the_scanner_sees_the_ways_sql_gets_built():
    """Worked examples: it must find all three spellings, and not plain messages."""
    source = '''
conn.execute(f"SELECT * FROM tickets WHERE title = '{title}'")
cursor.execute("DELETE FROM clients WHERE name = '%s'" % name)
session.execute(text("UPDATE tickets SET title = '{}'".format(title)))
raise UserError(f"cannot open {path}: the file is damaged")
conn.execute(text("SELECT * FROM tickets WHERE title = :t"), {"t": title})
'''
    found = formatted_sql(source)
    assert [(line, exprs) for line, _, exprs in found] == [(2, ["title"]), (3, ["name"]),
                                                          (4, ["title"])]


def test_no_user_value_is_formatted_into_sql():
    unexplained = []
    for path in sorted(DESKTOP.rglob("*.py")):
        relative = path.relative_to(DESKTOP).as_posix()
        for line, constant, expressions in formatted_sql(path.read_text(encoding="utf-8")):
            for expression in expressions:
                if (relative, expression) not in ALLOWED:
                    unexplained.append(f"desktop/{relative}:{line}: {{{expression}}} in "
                                       f"{constant[:60]!r}")
    assert unexplained == [], ("SQL built from values: use bound parameters (:name), or add "
                               "the expression to ALLOWED with the reason it is never user "
                               "text:\n" + "\n".join(unexplained))


def test_the_identifiers_allowed_are_what_the_reasons_say():
    """The constants on the list are plain identifiers / numbers, checked at run time."""
    from desktop.services import dump_load, search
    from desktop.storage import changes, database

    for value in (search.FTS_TABLE, search.PG_INDEX, changes.CHANNEL):
        assert re.fullmatch(r"[a-z_][a-z0-9_]*", value), value
    assert re.fullmatch(r"[a-z_(), |']+", search.PG_DOCUMENT.replace("coalesce", "")
                        .replace("to_tsvector", "").replace("simple", "")), search.PG_DOCUMENT
    assert isinstance(database.BUSY_TIMEOUT_MS, int) and isinstance(dump_load.LOAD_CACHE_KIB,
                                                                     int)
    from desktop.services.search import TRIGGERS

    assert all(re.fullmatch(r"[a-z_][a-z0-9_]*", name) for name in TRIGGERS)


# --- hostile text where users type it -----------------------------------------------------
HOSTILE = st.one_of(
    st.sampled_from([
        "'; DROP TABLE tickets; --", "\" OR 1=1 --", "%", "_", "\\", "%_\\%", "'", "''", '"',
        '"*', "NEAR(a b)", "title:x", "a OR b", "a AND NOT b", "-x", "^x", "x*", "(", ")",
        "{x}", ":q", ":n", "?", "$1", "%s", "%(q)s", "&", "|", "!", "a:*", "'':*", "<->",
        "#1; DELETE FROM clients", "#99999999999999999999", "😀", "Ünïcödé", "\u202e",
        "x" * 300, "\t\n", "a\x01b",
    ]),
    st.text(max_size=30).filter(lambda s: "\x00" not in s),
)


def _row_counts(db) -> dict[str, int]:  # noqa: ANN001
    from sqlalchemy import func, inspect, select, table

    with db.engine.connect() as connection:
        names = sorted(inspect(connection).get_table_names())
        return {name: connection.execute(select(func.count()).select_from(table(name)))
                .scalar_one() for name in names}


@pytest.fixture
def loaded_db(db):
    from desktop.services.dump import import_dump

    import_dump(db, Path(__file__).parent / "data" / "sample_dump.json",
                now=datetime(2026, 11, 27, 6, 0, tzinfo=timezone.utc))
    return db


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(typed=st.lists(HOSTILE, min_size=1, max_size=3).map(" ".join))
@example(typed="#99999999999999999999")  # beyond any integer column: a word, not a number
@example(typed="#² 99999999999999999999")
def test_hostile_search_text_is_only_ever_data(loaded_db, typed):
    from desktop.services.queue import QueueFilter, QueueSort, fetch_page
    from desktop.services.search import global_search

    before = _row_counts(loaded_db)
    with loaded_db.session() as session:
        page = fetch_page(session, QueueFilter(text=typed), QueueSort(), 0, 50)
        assert page.total >= 0
        global_search(session, typed)
    assert _row_counts(loaded_db) == before


def test_injection_looking_names_are_stored_and_found_as_typed(loaded_db):
    """Worked example: a client named like an injection is saved, searched and reported on
    by name; nothing else is touched."""
    from sqlalchemy import select

    from desktop.models import Client
    from desktop.services.queue import QueueFilter, QueueSort, fetch_page
    from desktop.services.report_data import find_client
    from desktop.services.search import global_search

    name = "Robert'); DROP TABLE clients; -- & 100% _Co_"
    with loaded_db.transaction() as session:
        session.scalars(select(Client).order_by(Client.id)).first().name = name
    before = _row_counts(loaded_db)
    with loaded_db.session() as session:
        assert find_client(session, name).name == name
        hits = global_search(session, "DROP TABLE clients")
        assert [h.title for h in hits if h.kind == "client"] == [name]
        # LIKE wildcards in the text are literal: "_Co_" matches, "_Cx_" does not
        assert [h.title for h in global_search(session, "Robert _Co_") if h.kind == "client"]
        assert not [h for h in global_search(session, "Robert _Cx_") if h.kind == "client"]
        page = fetch_page(session, QueueFilter(text="Robert'); DROP"), QueueSort(), 0, 50)
        assert page.total >= 1 and all(row.client == name for row in page.rows)
    assert _row_counts(loaded_db) == before
