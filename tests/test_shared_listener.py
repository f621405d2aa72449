"""Live updates (issue 7): a NOTIFY from one connection reaches a listener, which survives its
backend being terminated; SQLite changes by another connection are noticed."""
from __future__ import annotations

import queue
import sqlite3

import pytest
from sqlalchemy import text

from desktop.storage.changes import record_change
from desktop.storage.database import open_database
from desktop.storage.listener import EVERYTHING, PostgresListener, SqliteWatcher, listener_for
from desktop.storage.reconnect import Backoff


def collecting():
    changes: queue.Queue = queue.Queue()
    states: queue.Queue = queue.Queue()
    return changes, states, (lambda k, i: changes.put((k, i))), (lambda s, t: states.put((s, t)))


def next_matching(q: queue.Queue, predicate, timeout: float = 2.0):
    """The first item satisfying ``predicate`` that arrives within ``timeout`` seconds."""
    while True:
        item = q.get(timeout=timeout)
        if predicate(item):
            return item


@pytest.fixture
def pg_db(pg_url):
    db = open_database(pg_url)
    yield db
    db.dispose()


@pytest.mark.pg
def test_notify_from_another_connection_reaches_the_listener_within_two_seconds(pg_db, pg_url):
    changes, states, on_change, on_state = collecting()
    listener = PostgresListener(pg_db.url, on_change, on_state)
    listener.start()
    try:
        assert listener.connected.wait(5)
        other = open_database(pg_url)
        try:
            with other.transaction() as session:
                record_change(session, "ticket", 42)
        finally:
            other.dispose()
        assert changes.get(timeout=2.0) == ("ticket", 42)
    finally:
        listener.stop()
    assert not listener.running


@pytest.mark.pg
def test_nothing_is_announced_for_a_rolled_back_write(pg_db):
    changes, _states, on_change, on_state = collecting()
    listener = PostgresListener(pg_db.url, on_change, on_state)
    listener.start()
    try:
        assert listener.connected.wait(5)
        with pytest.raises(RuntimeError):
            with pg_db.transaction() as session:
                record_change(session, "contract", 7)
                raise RuntimeError("the save failed")
        with pg_db.transaction() as session:
            record_change(session, "occurrence", 8)
        assert changes.get(timeout=2.0) == ("occurrence", 8)
    finally:
        listener.stop()


@pytest.mark.pg
def test_the_listener_reconnects_after_its_backend_is_terminated(pg_db):
    changes, states, on_change, on_state = collecting()
    listener = PostgresListener(pg_db.url, on_change, on_state,
                                backoff=Backoff(initial=0.05, maximum=0.2), poll_seconds=0.1)
    listener.start()
    try:
        assert listener.connected.wait(5)
        old_pid = listener.backend_pid
        with pg_db.engine.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": old_pid})
        state, sentence = next_matching(states, lambda s: s[0] == "lost", timeout=5)
        assert "lost" in sentence or "connect" in sentence.lower()
        next_matching(states, lambda s: s[0] == "restored", timeout=5)
        # notifications sent while it was away are gone: it reports a change of everything
        assert next_matching(changes, lambda c: True, timeout=5) == (EVERYTHING, None)
        assert listener.backend_pid != old_pid
        with pg_db.transaction() as session:
            record_change(session, "ticket", 5)
        assert next_matching(changes, lambda c: c != (EVERYTHING, None)) == ("ticket", 5)
    finally:
        listener.stop()


@pytest.mark.pg
def test_our_own_notifications_are_skipped_by_the_app_listener(pg_db, pg_url):
    """The view that wrote announces its change itself; the app's listener hears only others."""
    changes, _states, on_change, _ = collecting()
    listener = listener_for(pg_db, on_change)
    listener.start()
    try:
        assert listener.connected.wait(5)
        with pg_db.transaction() as session:
            record_change(session, "ticket", 1)
        other = open_database(pg_url)
        try:
            with other.transaction() as session:
                record_change(session, "ticket", 2)
        finally:
            other.dispose()
        assert changes.get(timeout=2.0) == ("ticket", 2)
        assert changes.empty()
    finally:
        listener.stop()


def test_sqlite_changes_by_another_connection_are_noticed(sqlite_url):
    db = open_database(sqlite_url)
    changes, _states, on_change, _ = collecting()
    watcher = SqliteWatcher(db.url.database, on_change, poll_seconds=0.05)
    watcher.start()
    try:
        assert watcher.connected.wait(5)
        other = sqlite3.connect(db.url.database)
        other.execute("INSERT INTO clients (name, email, phone, website, notes, archived, "
                      "created_at, version) VALUES ('Beta', '', '', '', '', 0, "
                      "'2026-11-02 10:00:00', 1)")
        other.commit()
        other.close()
        assert changes.get(timeout=2.0) == (EVERYTHING, None)
    finally:
        watcher.stop()
        db.dispose()


def test_the_offline_snapshot_has_no_listener(sqlite_url):
    open_database(sqlite_url).dispose()
    snapshot = open_database(sqlite_url, read_only=True)
    try:
        assert listener_for(snapshot, lambda k, i: None) is None
    finally:
        snapshot.dispose()
