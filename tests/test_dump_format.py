"""The dump's text (DESIGN §7): exactly json.dumps(indent=2, ensure_ascii=False), written in
pieces; and export → import → export identical for any ticket history."""
from __future__ import annotations

import io
import json
from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.services.dump_write import (Raw, Stream, _quoted_instant, _quoted_sqlite_instant,
                                         to_json, write_document)

json_scalars = (st.none() | st.booleans() | st.integers(-10**12, 10**12)
                | st.floats(allow_nan=False, allow_infinity=False) | st.text())
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=4),
    max_leaves=20)


@given(json_values)
def test_to_json_is_json_dumps_with_indent_2(value):
    assert to_json(value) == json.dumps(value, indent=2, ensure_ascii=False)


@given(st.dictionaries(st.text(max_size=6), json_values, max_size=5),
       st.lists(st.dictionaries(st.text(max_size=6), json_values, max_size=3), max_size=4))
def test_streamed_document_is_json_dumps(head, items):
    buffer = io.StringIO()
    parts = [*head.items(), ("\u0000streamed", Stream(iter(items)))]
    write_document(buffer, parts)
    expected = dict(head)
    expected["\u0000streamed"] = items
    assert buffer.getvalue() == json.dumps(expected, indent=2, ensure_ascii=False) + "\n"


def test_empty_document_and_raw_items():
    buffer = io.StringIO()
    write_document(buffer, [])
    assert buffer.getvalue() == "{}\n"
    buffer = io.StringIO()
    write_document(buffer, [("t", Stream([Raw('{\n      "a": 1\n    }'), {"a": 2}]))])
    assert json.loads(buffer.getvalue()) == {"t": [{"a": 1}, {"a": 2}]}
    assert buffer.getvalue() == json.dumps({"t": [{"a": 1}, {"a": 2}]}, indent=2) + "\n"


@given(st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1)))
def test_sqlite_stored_text_becomes_the_same_iso_instant(naive_utc):
    stored = naive_utc.isoformat(" ", "microseconds")  # as SQLAlchemy's SQLite DATETIME
    expected = _quoted_instant(naive_utc.replace(tzinfo=timezone.utc))
    assert _quoted_sqlite_instant(stored) == expected
    assert _quoted_sqlite_instant(naive_utc.isoformat()) == expected  # other spellings


# --- any ticket history survives the round trip ------------------------------------------------
# Text a database can store: no NUL, no lone surrogate (those are refused by name instead).
stored_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",),
                                             blacklist_characters="\x00"), max_size=30)
STATUSES = ["acknowledged", "in_progress", "waiting_on_client", "resolved", "closed"]
PRIORITIES = ["critical", "high", "medium", "low"]


@st.composite
def ticket_histories(draw):  # noqa: ANN001, ANN201
    start = datetime(2026, 3, 2, 9, 0, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    tickets = []
    for number in range(1, draw(st.integers(1, 4)) + 1):
        offset = timezone(timedelta(minutes=draw(st.sampled_from([-300, 0, 330, 345, 600]))))
        created = start + timedelta(minutes=draw(st.integers(0, 200_000)))
        at = created
        events = []
        for _ in range(draw(st.integers(0, 7))):
            at += timedelta(minutes=draw(st.integers(0, 3000)),
                            microseconds=draw(st.sampled_from([0, 0, 1, 250000])))
            kind = draw(st.sampled_from(["status", "reply", "note", "priority"]))
            event = {"at": at.astimezone(offset).isoformat(), "type": kind,
                     "author": draw(st.sampled_from(["priya", "rahul", None]))}
            if kind == "status":
                event["status"] = draw(st.sampled_from(STATUSES))
            elif kind == "priority":
                event["priority"] = draw(st.sampled_from(PRIORITIES))
            else:
                event["body"] = draw(stored_text)
            events.append({k: v for k, v in event.items() if v is not None})
        tickets.append({
            "number": number, "client": draw(st.sampled_from(["Sharma Textiles",
                                                               "Nilgiri Travels"])),
            "title": draw(stored_text.filter(str.strip)),
            "description": draw(stored_text),
            "priority": draw(st.sampled_from(PRIORITIES)),
            "category": draw(st.sampled_from(["bug_fix", "content_update", "training"])),
            "channel": draw(st.sampled_from(["email", "phone", "emergency"])),
            "created_at": created.astimezone(offset).isoformat(), "events": events,
            "time_entries": [{"date": created.date().isoformat(),
                              "minutes": draw(st.integers(0, 600)),
                              "category": "bug_fix", "note": ""}]})
    return tickets


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(tickets=ticket_histories())
def test_any_history_round_trips_byte_identical(tmp_path_factory, tickets):
    from sqlalchemy import select

    from desktop.models import Ticket
    from desktop.services.dump import export_dump, import_dump
    from desktop.storage.database import open_database

    folder = tmp_path_factory.mktemp("rt")
    now = datetime(2026, 11, 27, 6, 0, tzinfo=timezone.utc)
    document = {"format": "aftercare", "version": 1,
                "clients": [{"name": "Sharma Textiles", "contracts": [
                    {"tier": "basic", "start": "2026-01-01", "end": "2026-12-31",
                     "monthly_fee": "15000.00", "currency": "INR"}]},
                            {"name": "Nilgiri Travels", "contracts": [
                                {"tier": "premium", "start": "2026-04-01", "end": "2027-03-31",
                                 "monthly_fee": "60000.00", "currency": "INR"}]}],
                "tickets": tickets}
    first_db = open_database(f"sqlite:///{folder / 'a.db'}")
    import_dump(first_db, document, now=now)
    with first_db.session() as session:
        for ticket_doc in tickets:
            ticket = session.scalars(select(Ticket).where(
                Ticket.number == ticket_doc["number"])).one()
            ordered = sorted(ticket_doc["events"], key=lambda e: datetime.fromisoformat(e["at"]))
            statuses = [e["status"] for e in ordered if e["type"] == "status"]
            priorities = [e["priority"] for e in ordered if e["type"] == "priority"]
            assert ticket.status == (statuses[-1] if statuses else "new")
            assert ticket.priority == (priorities[-1] if priorities else ticket_doc["priority"])
    export_dump(first_db, folder / "1.json")
    first_db.dispose()
    second_db = open_database(f"sqlite:///{folder / 'b.db'}")
    import_dump(second_db, folder / "1.json", now=now)
    export_dump(second_db, folder / "2.json")
    second_db.dispose()
    assert (folder / "1.json").read_bytes() == (folder / "2.json").read_bytes()


# --- any damage to a dump is refused in words, never with a crash ------------------------------
def _paths(value, prefix=()):  # noqa: ANN001, ANN202
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, prefix + (index,))


def _damaged(document: dict, path: tuple, replacement) -> dict:  # noqa: ANN001
    import copy

    damaged = copy.deepcopy(document)
    target = damaged
    for part in path[:-1]:
        target = target[part]
    if replacement is _REMOVE and isinstance(target, dict):
        del target[path[-1]]
    elif replacement is _REMOVE:
        target.pop(path[-1])
    else:
        target[path[-1]] = replacement
    return damaged


_REMOVE = object()


def _sample_document() -> dict:
    from pathlib import Path

    return json.loads((Path(__file__).parent / "data" / "sample_dump.json")
                      .read_text(encoding="utf-8"))


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_damaged_dumps_are_refused_in_words_or_imported(tmp_path_factory, data):
    from desktop.errors import UserError
    from desktop.services import dump_load, dump_validate
    from desktop.services.dump import DumpError, import_dump
    from desktop.storage.database import open_database

    document = _sample_document()
    paths = [p for p in _paths(document) if p]
    path = data.draw(st.sampled_from(paths))
    replacement = data.draw(st.one_of(st.just(_REMOVE), json_values,
                                      st.sampled_from(["", " ", "2026-13-45", "-1", "urgent",
                                                       "2026-02-30T10:00:00+05:30"])))
    damaged = _damaged(document, path, replacement)
    try:
        dump_validate.check_header(damaged)
        with_db = True
    except DumpError as exc:
        assert "\n" not in str(exc)
        with_db = False
    if not with_db:
        return
    db = open_database(f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'f.db'}")
    try:
        with db.session() as session:
            context = dump_load.validation_context(session)
        try:
            dump_validate.validate(damaged, context)
        except DumpError as exc:
            assert "\n" not in str(exc) and exc.problems
            return
        try:
            import_dump(db, damaged)  # whatever passed validation must load
        except UserError as exc:  # noqa: PERF203 - only a named problem is acceptable
            assert "\n" not in str(exc)
    finally:
        db.dispose()
