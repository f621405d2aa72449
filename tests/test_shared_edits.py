"""Concurrent edits (DESIGN §3, issue 7): the second save of the same ticket is refused with
both versions; a backend terminated or a network cut mid-edit, and the save completes after
reconnection."""
from __future__ import annotations

import subprocess
import sys
import threading
import queue

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from desktop.errors import ReadOnlyError, StaleDataError
from desktop.models import Ticket
from desktop.storage.database import open_database
from desktop.storage.edits import read_for_edit, save_fields
from desktop.storage.reconnect import (Backoff, ReconnectCancelled, ReconnectPolicy,
                                       is_connection_lost)

from tests.shared_helpers import TcpProxy, make_ticket

FAST = Backoff(initial=0.05, maximum=0.2)


def test_the_second_save_of_the_same_ticket_is_refused_with_both_versions(db):
    ticket_id = make_ticket(db)
    with db.session() as anita_session:
        anita = read_for_edit(anita_session, Ticket, ticket_id)
    with db.session() as ravi_session:
        ravi = read_for_edit(ravi_session, Ticket, ticket_id)

    new_version = save_fields(db, Ticket, "ticket", ticket_id, ravi.version,
                              {"title": "Contact form: SMTP password expired",
                               "priority": "critical"}, base=ravi.fields)
    assert new_version == ravi.version + 1

    with pytest.raises(StaleDataError) as refused:
        save_fields(db, Ticket, "ticket", ticket_id, anita.version,
                    {"title": "Contact form broken since the plugin update"}, base=anita.fields)
    error = refused.value
    assert "changed by someone else" in str(error)
    assert error.mine == {"title": "Contact form broken since the plugin update"}
    assert error.theirs["title"] == "Contact form: SMTP password expired"
    assert error.theirs["priority"] == "critical"
    assert error.base["title"] == "Contact form returns 500"
    assert error.theirs_version == new_version
    with db.session() as session:  # nothing of Anita's was written
        ticket = session.get(Ticket, ticket_id)
        assert ticket.title == "Contact form: SMTP password expired"
        assert ticket.version == new_version

    # she chooses her title and keeps their priority: saved against their version
    save_fields(db, Ticket, "ticket", ticket_id, error.theirs_version,
                {"title": "Contact form broken since the plugin update"})
    with db.session() as session:
        ticket = session.get(Ticket, ticket_id)
        assert (ticket.title, ticket.priority) == ("Contact form broken since the plugin update",
                                                   "critical")


SAVE_IN_ANOTHER_PROCESS = """
import sys
from desktop.models import Ticket
from desktop.storage.database import open_database
from desktop.storage.edits import save_fields
db = open_database(sys.argv[1])
print(save_fields(db, Ticket, "ticket", int(sys.argv[2]), int(sys.argv[3]),
                  {"title": "Saved by the other desk"}))
db.dispose()
"""


@pytest.mark.pg
def test_two_processes_on_postgresql_the_later_save_is_refused(pg_url):
    db = open_database(pg_url)
    try:
        ticket_id = make_ticket(db)
        with db.session() as session:
            mine = read_for_edit(session, Ticket, ticket_id)
        done = subprocess.run([sys.executable, "-c", SAVE_IN_ANOTHER_PROCESS, pg_url,
                               str(ticket_id), str(mine.version)],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        with pytest.raises(StaleDataError) as refused:
            save_fields(db, Ticket, "ticket", ticket_id, mine.version,
                        {"description": "Mine: the SMTP relay rejects the login."})
        assert refused.value.theirs["title"] == "Saved by the other desk"
        assert refused.value.theirs["description"] == "Submitting the form shows an error page."
        assert refused.value.mine == {"description": "Mine: the SMTP relay rejects the login."}
    finally:
        db.dispose()


def test_a_deleted_row_is_refused_plainly(db):
    ticket_id = make_ticket(db)
    with db.session() as session:
        mine = read_for_edit(session, Ticket, ticket_id)
    with db.transaction() as session:
        session.delete(session.get(Ticket, ticket_id))
    with pytest.raises(StaleDataError, match="deleted by someone else"):
        save_fields(db, Ticket, "ticket", ticket_id, mine.version, {"title": "x"})


def terminate_others(url: str) -> int:
    """pg_terminate_backend for every other connection to that database."""
    server = make_url(url)
    with psycopg.connect(host=server.host, port=server.port or 5432, user=server.username,
                         dbname=server.database, autocommit=True) as admin:
        rows = admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                             "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                             ).fetchall()
    return len(rows)


@pytest.mark.pg
def test_a_backend_terminated_mid_save_and_the_save_completes_after_reconnection(pg_url):
    db = open_database(pg_url)
    try:
        ticket_id = make_ticket(db)
        with db.session() as session:
            form = read_for_edit(session, Ticket, ticket_id)
        states: list[tuple[str, str]] = []
        policy = ReconnectPolicy(db, lambda s, t: states.append((s, t)), backoff=FAST)
        attempts = []

        def save() -> int:
            attempts.append(1)
            with db.transaction() as session:
                ticket = session.get(Ticket, ticket_id, populate_existing=True)
                assert ticket.version == form.version
                if len(attempts) == 1:  # the server goes away in the middle of the save
                    assert terminate_others(pg_url) >= 1
                ticket.title = "Typed before the server restarted"
                session.flush()
                return ticket.version

        assert policy.run(save) == form.version + 1
        assert len(attempts) == 2
        assert [s for s, _ in states] == ["lost", "restored"]
        assert states[0][1].endswith("(attempt 1).")
        with db.session() as session:
            ticket = session.get(Ticket, ticket_id)
            assert (ticket.title, ticket.version) == ("Typed before the server restarted",
                                                      form.version + 1)
    finally:
        db.dispose()


@pytest.mark.pg
def test_a_network_cut_waits_with_backoff_and_the_pending_save_completes(pg_url):
    setup = open_database(pg_url)
    ticket_id = make_ticket(setup)
    setup.dispose()
    proxy = TcpProxy()
    url = make_url(pg_url).set(host="127.0.0.1", port=proxy.port).render_as_string(False)
    db = open_database(url)
    try:
        with db.session() as session:
            form = read_for_edit(session, Ticket, ticket_id)
        states: queue.Queue = queue.Queue()
        policy = ReconnectPolicy(db, lambda s, t: states.put((s, t)), backoff=FAST)
        proxy.cut()
        outcome: queue.Queue = queue.Queue()

        def save_in_worker() -> None:
            try:
                outcome.put(policy.run(lambda: save_fields(
                    db, Ticket, "ticket", ticket_id, form.version,
                    {"description": "Unsaved words survive the outage."})))
            except BaseException as exc:  # noqa: BLE001
                outcome.put(exc)

        worker = threading.Thread(target=save_in_worker)
        worker.start()
        state, sentence = states.get(timeout=10)
        assert state == "lost"
        assert "Nothing is accepting connections" in sentence or "lost" in sentence
        assert outcome.empty()  # still waiting, the save is pending
        proxy.restore()
        worker.join(30)
        assert outcome.get_nowait() == form.version + 1
        while (item := states.get(timeout=5))[0] == "lost":
            pass
        assert item[0] == "restored"
        with db.session() as session:
            assert session.get(Ticket, ticket_id).description == "Unsaved words survive the outage."
    finally:
        db.dispose()
        proxy.close()


@pytest.mark.pg
def test_giving_up_on_the_server_keeps_the_words_in_the_form(pg_url):
    proxy = TcpProxy()
    url = make_url(pg_url).set(port=proxy.port).render_as_string(False)
    db = open_database(url)
    try:
        proxy.cut()
        policy = ReconnectPolicy(db, backoff=FAST, max_wait=0.3)
        with pytest.raises(ReconnectCancelled, match="not saved"):
            policy.run(lambda: db.session().execute(text("SELECT 1")).scalar())
    finally:
        db.dispose()
        proxy.close()


def test_writes_to_the_offline_snapshot_become_a_plain_sentence(sqlite_url):
    open_database(sqlite_url).dispose()
    snapshot = open_database(sqlite_url, read_only=True)
    try:
        policy = ReconnectPolicy(snapshot)

        def write() -> None:
            with snapshot.transaction() as session:
                session.execute(text("UPDATE clients SET name = 'x'"))

        with pytest.raises(ReadOnlyError, match="offline snapshot"):
            policy.run(write)
    finally:
        snapshot.dispose()


def test_which_errors_mean_the_server_is_gone():
    refused = psycopg.OperationalError("connection failed: Connection refused")
    assert is_connection_lost(refused)
    assert is_connection_lost(psycopg.errors.AdminShutdown("terminating connection"))
    assert not is_connection_lost(psycopg.errors.SerializationFailure("retry"))
    assert not is_connection_lost(psycopg.errors.UniqueViolation("duplicate"))
    assert not is_connection_lost(ValueError("a bug"))
    wrapped = OperationalError("SELECT 1", {}, refused)
    assert is_connection_lost(wrapped)


def test_backoff_doubles_up_to_its_maximum():
    delays = Backoff(initial=0.5, factor=2, maximum=4).delays()
    assert [next(delays) for _ in range(6)] == [0.5, 1, 2, 4, 4, 4]
