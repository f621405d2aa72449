"""Fuzzing the dump importer (issue 8, DESIGN §9): any damage to a valid dump ends either in a
clean refusal (a one-line UserError, nothing written: every table's rows as before) or in a
successful import. Never a traceback.

Mutations of tests/data/sample_dump.json: keys dropped, values of the wrong type, enum values
that do not exist, impossible dates and instants, huge/negative/NaN numbers, unicode junk (NUL,
lone surrogates, RTL marks, emoji), duplicated rows (ticket numbers, client names), and, on the
file's text, truncation, byte flips and inserted bytes through ``aftercare import``.

tests/test_dump_format.py already replaces single values with random JSON through the Python
API; these tests add stacked mutations, the database-unchanged check and the file/CLI path.
"""
from __future__ import annotations

import copy
import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.errors import UserError

SAMPLE = Path(__file__).parent / "data" / "sample_dump.json"


def fuzz(examples: int) -> settings:
    """A fixed example budget on top of the loaded profile (deterministic under "ci")."""
    return settings(max_examples=examples, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


def _sample() -> dict:
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


# --- an empty database to copy for every example (opening + migrating once is the slow part) --
@pytest.fixture(scope="module")
def empty_db_file(tmp_path_factory) -> Path:
    from desktop.storage.database import open_database

    path = tmp_path_factory.mktemp("template") / "empty.db"
    db = open_database(f"sqlite:///{path}")
    with db.engine.connect() as connection:  # fold the WAL into the file so a copy is whole
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    return path


def _fresh_copy(template: Path, folder: Path) -> Path:
    target = folder / "f.db"
    shutil.copyfile(template, target)
    return target


def sqlite_fingerprint(path: Path) -> dict[str, tuple[int, str]]:
    """Every table's row count and a digest of its rows: what "unchanged" means."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        tables = [row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name")]
        result = {}
        for table in tables:
            # Table names come from sqlite_master, not from user input.
            rows = conn.execute(f'SELECT * FROM "{table}"').fetchall()  # noqa: S608
            digest = hashlib.sha256(repr(sorted(map(repr, rows))).encode()).hexdigest()
            result[table] = (len(rows), digest)
        return result
    finally:
        conn.close()


# --- mutations of the parsed document ---------------------------------------------------------
def _paths(value, prefix=()):  # noqa: ANN001, ANN202
    if prefix:
        yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, prefix + (index,))


def _lists(value, prefix=()):  # noqa: ANN001, ANN202
    if isinstance(value, list) and value:
        yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _lists(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _lists(item, prefix + (index,))


def _parent(document, path):  # noqa: ANN001, ANN202
    target = document
    for part in path[:-1]:
        target = target[part]
    return target


JUNK_TEXT = st.sampled_from([
    "", " ", "\x00", "a\x00b", "\ud800", "x\udfffy", "\u202eevil\u202c", "שלום עולם",
    "مرحبا", "🙂" * 50, "\u0301\u0301\u0301", "\n\r\t", "x" * 5000, "<b>&amp;</b>",
    "'; DROP TABLE tickets; --", "\ufeff", "\u2028", "NaN", "null", "true",
])
WRONG_ENUMS = st.sampled_from(["urgent", "CRITICAL", "Critical ", "open", "done", "gold",
                               "monthly ", "yearly", "business hours", "24/7", "none", "USD"])
BAD_DATES = st.sampled_from([
    "2026-13-45", "2026-02-30", "2026-02-29", "0000-01-01", "9999-12-31", "26-03-02",
    "2026-03-02T10:00:00", "2026-03-02T10:00:00+05:30", "2026-03-02T25:61:00+05:30",
    "2026-03-02T10:00:00+24:00", "9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+14:00",
    "2026-03-02 10:00:00Z", "1970-01-01T00:00:00+00:00", "2026-W10-1", "yesterday", "",
])
NUMBERS = st.sampled_from([
    -1, 0, -(10**20), 10**20, 2**31, 2**63, 2_000_000_001, 1e308, -1e308, 0.5, 1.0, -0.0,
    float("nan"), float("inf"), float("-inf"), True, False,
    "15000.005", "-1.00", "1e12", "1e-3", "Infinity", "NaN", "0x10", "₹15,000", "١٢٣",
])
SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
JSONISH = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                       | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=8)
REPLACEMENTS = st.one_of(JUNK_TEXT, WRONG_ENUMS, BAD_DATES, NUMBERS, JSONISH,
                         st.text(min_size=1, max_size=40))


@st.composite
def mutated_documents(draw, keep_header: bool = True):  # noqa: ANN001, ANN201
    """The sample with 1-4 stacked mutations (header left alone: the body is what we fuzz)."""
    document = _sample()
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["drop", "replace", "replace", "duplicate", "empty_list",
                                     "extra_key", "swap"]))
        paths = [p for p in _paths(document)
                 if not (keep_header and p[0] in ("format", "version"))]
        if kind == "duplicate":
            lists = [p for p in _lists(document) if p]
            path = draw(st.sampled_from(lists))
            target = _parent(document, path + (0,))
            item = draw(st.sampled_from(target))
            target.insert(draw(st.integers(0, len(target))), copy.deepcopy(item))
            continue
        if kind == "empty_list":
            lists = [p for p in _lists(document) if p]
            path = draw(st.sampled_from(lists))
            _parent(document, path)[path[-1]] = []
            continue
        path = draw(st.sampled_from(paths))
        parent = _parent(document, path)
        if kind == "drop":
            if isinstance(parent, dict):
                del parent[path[-1]]
            else:
                parent.pop(path[-1])
        elif kind == "replace":
            parent[path[-1]] = draw(REPLACEMENTS)
        elif kind == "extra_key" and isinstance(parent[path[-1]], dict):
            parent[path[-1]][draw(st.text(max_size=10))] = draw(REPLACEMENTS)
        elif kind == "swap":  # a value from elsewhere in the document: right type, wrong place
            other = draw(st.sampled_from(paths))
            parent[path[-1]] = copy.deepcopy(_parent(document, other)[other[-1]])
    return document


def _assert_one_line(message: str) -> None:
    assert message.strip(), "a refusal must say something"
    assert "\n" not in message.strip()
    assert "Traceback" not in message


@fuzz(70)
@given(document=mutated_documents())
def test_mutated_dump_is_refused_cleanly_or_imported(empty_db_file, tmp_path_factory, document):
    from desktop.services.dump import import_dump
    from desktop.storage.database import open_database

    path = _fresh_copy(empty_db_file, tmp_path_factory.mktemp("fz"))
    db = open_database(f"sqlite:///{path}")
    try:
        with db.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        before = sqlite_fingerprint(path)
        try:
            import_dump(db, document)
        except UserError as exc:
            _assert_one_line(str(exc))
            assert "nothing was imported" in str(exc) or "nothing" in str(exc)
            assert sqlite_fingerprint(path) == before
        else:
            after = sqlite_fingerprint(path)
            assert after["clients"][0] >= 1 or not document.get("clients")
    finally:
        db.dispose()


def test_duplicate_ticket_numbers_and_client_names_are_refused(empty_db_file, tmp_path):
    """Worked examples: the two duplicates a hand-merged dump most often has."""
    from desktop.services.dump import DumpError, import_dump
    from desktop.storage.database import open_database

    path = _fresh_copy(empty_db_file, tmp_path)
    before = sqlite_fingerprint(path)
    db = open_database(f"sqlite:///{path}")
    try:
        document = _sample()
        document["tickets"].append(copy.deepcopy(document["tickets"][0]))
        with pytest.raises(DumpError) as caught:
            import_dump(db, document)
        assert "number" in str(caught.value) and "nothing was imported" in str(caught.value)
        document = _sample()
        document["clients"].append(copy.deepcopy(document["clients"][0]))
        with pytest.raises(DumpError) as caught:
            import_dump(db, document)
        assert document["clients"][0]["name"] in str(caught.value)
    finally:
        db.dispose()
    assert sqlite_fingerprint(path) == before


# --- the file's text: truncation, byte flips, inserted bytes, through `aftercare import` -------
SAMPLE_BYTES = SAMPLE.read_bytes()


@st.composite
def damaged_bytes(draw):  # noqa: ANN201
    data = bytearray(SAMPLE_BYTES)
    kind = draw(st.sampled_from(["truncate", "flip", "insert", "splice", "number"]))
    if kind == "truncate":
        return bytes(data[:draw(st.integers(0, len(data) - 1))])
    if kind == "flip":
        for _ in range(draw(st.integers(1, 8))):
            at = draw(st.integers(0, len(data) - 1))
            data[at] ^= 1 << draw(st.integers(0, 7))
        return bytes(data)
    if kind == "insert":
        at = draw(st.integers(0, len(data)))
        junk = draw(st.sampled_from([b"\x00", b"\xff\xfe", b"\xc3", b"\\ud800", b'"', b",",
                                     b"]", b"}", b"\\u0000", b"\xef\xbb\xbf", b"NaN",
                                     b"1" * 5000, b"[" * 100_000]))
        return bytes(data[:at] + junk + data[at:])
    if kind == "splice":  # a piece of the file moved elsewhere
        a, b = sorted(draw(st.lists(st.integers(0, len(data)), min_size=2, max_size=2)))
        at = draw(st.integers(0, len(data)))
        return bytes(data[:at] + data[a:b] + data[at:])
    # a number in the file replaced by something JSON allows but a database does not hold
    text = SAMPLE_BYTES.decode()
    import re

    spots = [m.span() for m in re.finditer(r"(?<=: )-?\d+(?=[,\n])", text)]
    start, end = draw(st.sampled_from(spots))
    value = draw(st.sampled_from(["1" * 5000, "1e999", "-1e999", "NaN", "Infinity", "-0",
                                  "1" * 30, "-" + "9" * 25, "1.5", "0.0000001"]))
    return (text[:start] + value + text[end:]).encode()


def _run_cli(argv, capsys):  # noqa: ANN001, ANN202
    from desktop.cli import main

    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@fuzz(60)
@given(blob=damaged_bytes())
def test_damaged_dump_file_through_the_cli(empty_db_file, tmp_path_factory, capsys, blob):
    folder = tmp_path_factory.mktemp("cli")
    path = _fresh_copy(empty_db_file, folder)
    before = sqlite_fingerprint(path)
    dump = folder / "damaged.json"
    dump.write_bytes(blob)
    code, out, err = _run_cli(["--database", f"sqlite:///{path}", "import", str(dump)], capsys)
    assert code in (0, 1)
    if code == 1:
        _assert_one_line(err)
        assert err.startswith("aftercare: ")
        assert sqlite_fingerprint(path) == before
    else:
        assert out.startswith("imported ")


@pytest.mark.parametrize("junk", [b"1" * 5000, b"[" * 100_000, b"\xff\xfe{}", b"",
                                  b'{"format": "aftercare", "version": ' + b"9" * 5000 + b"}",
                                  b"\xef\xbb\xbf" + b"{}", b"NaN", b'"\\ud800"'])
def test_pathological_files_are_refused_in_one_line(tmp_path, capsys, junk):
    """Worked examples: a giant integer (Python refuses to parse over 4,300 digits), deep
    nesting, a UTF-16 byte-order mark, an empty file, a BOM, a bare NaN, a lone surrogate."""
    dump = tmp_path / "junk.json"
    dump.write_bytes(junk)
    database = tmp_path / "never.db"
    code, out, err = _run_cli(["--database", f"sqlite:///{database}", "import", str(dump)],
                              capsys)
    assert code == 1
    _assert_one_line(err)
    assert str(dump) in err
    assert not database.exists()  # checked before the database is opened (or created)


# --- PostgreSQL: the same refusals leave its tables as they were ------------------------------
def _pg_fingerprint(db) -> dict[str, int]:  # noqa: ANN001
    from sqlalchemy import inspect, select, func, table

    names = sorted(inspect(db.engine).get_table_names())
    with db.engine.connect() as connection:
        return {name: connection.execute(select(func.count()).select_from(table(name)))
                .scalar_one() for name in names}


@pytest.mark.pg
@fuzz(15)
@given(document=mutated_documents())
def test_mutated_dump_on_postgresql(pg_url, document):
    """One database for all examples: a refusal must leave it empty of clients and tickets,
    so the next example can still import; a success is undone by hand."""
    from sqlalchemy import text

    from desktop.services.dump import import_dump
    from desktop.storage.database import open_database

    db = open_database(pg_url)
    try:
        before = _pg_fingerprint(db)
        try:
            import_dump(db, document)
        except UserError as exc:
            _assert_one_line(str(exc))
            assert _pg_fingerprint(db) == before
        else:
            with db.engine.begin() as connection:  # back to the seeded, empty state
                names = [n for n in before if n != "alembic_version"]
                connection.execute(text("TRUNCATE " + ", ".join(f'"{n}"' for n in names)
                                        + " CASCADE"))
            db.dispose()
            open_database(pg_url).dispose()  # seeds again
    finally:
        db.dispose()
