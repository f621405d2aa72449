"""Hearing about other people's changes (DESIGN §3 "Shared mode refreshes open views").

PostgreSQL: a thread holds its own connection that ``LISTEN``s on ``aftercare_changes``; each
notification carries ``kind:id`` (never the row's data, see ``changes.record_change``). When that
connection is lost the thread says so, reconnects with backoff and, because notifications sent
meanwhile are gone, reports a change of everything (kind ``"*"``).

SQLite: a thread polls ``PRAGMA data_version`` on a connection of its own; the number moves when
another connection (another process, or this program's other connections) commits. SQLite does
not say what changed, so that is a change of everything too.

Callbacks run on the listener's thread: the GUI bridges them to its own thread with a queued
signal (``views/connection/extension.py``). No Qt here.
"""
from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import URL, Engine

from .changes import CHANNEL, parse_payload
from .probe import connect_params, describe_connect_error
from .reconnect import Backoff

log = logging.getLogger(__name__)

EVERYTHING = "*"
ChangeCallback = Callable[[str, "int | None"], None]
# state is "connected", "lost" or "restored"; the second argument a plain sentence
StateCallback = Callable[[str, str], None]


class _ListenerThread:
    """Start/stop plumbing shared by both listeners."""

    name = "aftercare-listener"

    def __init__(self, on_change: ChangeCallback, on_state: StateCallback | None = None) -> None:
        self.on_change = on_change
        self.on_state = on_state or (lambda _state, _text: None)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.connected = threading.Event()

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._guarded_run, name=self.name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _guarded_run(self) -> None:
        try:
            self._run()
        except Exception:  # noqa: BLE001 - a listener must never take the app down
            log.exception("change listener stopped")

    def _run(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def _deliver(self, kind: str, row_id: int | None) -> None:
        try:
            self.on_change(kind, row_id)
        except Exception:  # noqa: BLE001
            log.exception("change callback failed")


class PostgresListener(_ListenerThread):
    """LISTEN on ``aftercare_changes`` in a thread, reconnecting with backoff when lost.

    ``ignore_pids`` returns the backend process ids of this program's own connections: their
    notifications are skipped because the view that wrote has already announced its change.
    """

    name = "aftercare-listen"

    def __init__(self, url: URL, on_change: ChangeCallback, on_state: StateCallback | None = None,
                 *, backoff: Backoff | None = None,
                 ignore_pids: Callable[[], set[int]] | None = None,
                 poll_seconds: float = 0.5) -> None:
        super().__init__(on_change, on_state)
        self.url = url
        self.backoff = backoff or Backoff()
        self.ignore_pids = ignore_pids or (lambda: set())
        self.poll_seconds = poll_seconds
        self.backend_pid: int | None = None

    def _run(self) -> None:
        import psycopg

        was_lost = False
        delays: Iterator[float] = iter(())
        while not self._stop.is_set():
            try:
                conn = psycopg.connect(**connect_params(self.url), autocommit=True)
            except psycopg.Error as exc:
                if not was_lost:
                    was_lost = True
                    delays = self.backoff.delays()
                    self.on_state("lost", describe_connect_error(exc, self.url))
                self._stop.wait(next(delays))
                continue
            try:
                conn.execute(f"LISTEN {CHANNEL}")
                self.backend_pid = conn.info.backend_pid
                self.connected.set()
                if was_lost:
                    was_lost = False
                    self.on_state("restored", "The connection to the server is back.")
                    self._deliver(EVERYTHING, None)  # what was sent meanwhile is lost
                else:
                    self.on_state("connected", "Listening for changes.")
                self._listen(conn)
            except psycopg.Error as exc:
                if self._stop.is_set():
                    break
                self.connected.clear()
                was_lost = True
                delays = self.backoff.delays()
                self.on_state("lost", describe_connect_error(exc, self.url))
                log.info("change listener lost its connection: %s", type(exc).__name__)
                self._stop.wait(next(delays))
            finally:
                conn.close()

    def _listen(self, conn) -> None:  # noqa: ANN001
        while not self._stop.is_set():
            for notify in conn.notifies(timeout=self.poll_seconds):
                if notify.pid in self.ignore_pids():
                    continue
                kind, row_id = parse_payload(notify.payload)
                self._deliver(kind, row_id)
            # notifies() returns quietly on a dead socket in some cases; ask the server.
            if conn.closed or conn.broken:
                raise psycopg_operational("the listening connection closed")


def psycopg_operational(message: str) -> Exception:
    import psycopg

    return psycopg.OperationalError(message)


class SqliteWatcher(_ListenerThread):
    """Poll ``PRAGMA data_version`` of an SQLite file; report a change of everything when it
    moves (DESIGN §3: another process's changes are picked up)."""

    name = "aftercare-watch"

    def __init__(self, path: str | Path, on_change: ChangeCallback,
                 on_state: StateCallback | None = None, *, poll_seconds: float = 0.5) -> None:
        super().__init__(on_change, on_state)
        self.path = Path(path)
        self.poll_seconds = poll_seconds

    def _run(self) -> None:
        conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True,
                               check_same_thread=False)
        try:
            conn.execute("PRAGMA busy_timeout = 2000")
            last = conn.execute("PRAGMA data_version").fetchone()[0]
            self.connected.set()
            while not self._stop.wait(self.poll_seconds):
                try:
                    current = conn.execute("PRAGMA data_version").fetchone()[0]
                except sqlite3.Error:
                    log.debug("data_version poll failed", exc_info=True)
                    continue
                if current != last:
                    last = current
                    self._deliver(EVERYTHING, None)
        finally:
            conn.close()


class OwnBackends:
    """The PostgreSQL backend pids of an engine's connections (to skip our own NOTIFYs)."""

    def __init__(self, engine: Engine) -> None:
        self._pids: set[int] = set()
        self._lock = threading.Lock()
        event.listen(engine, "checkout", self._on_checkout)
        self.engine = engine

    def _on_checkout(self, dbapi_connection, record, _proxy) -> None:  # noqa: ANN001
        pid = record.info.get("aftercare_backend_pid")
        if pid is None:
            pid = getattr(getattr(dbapi_connection, "info", None), "backend_pid", None)
            if pid is None:
                return
            record.info["aftercare_backend_pid"] = pid
        with self._lock:
            self._pids.add(pid)

    def __call__(self) -> set[int]:
        with self._lock:
            return set(self._pids)

    def detach(self) -> None:
        if event.contains(self.engine, "checkout", self._on_checkout):
            event.remove(self.engine, "checkout", self._on_checkout)


def listener_for(db, on_change: ChangeCallback, on_state: StateCallback | None = None,  # noqa: ANN001
                 *, skip_own: bool = True) -> _ListenerThread | None:
    """The right listener for an open ``Database`` (None for the offline snapshot, which
    nobody changes)."""
    if db.mode == "offline":
        return None
    if db.is_sqlite:
        return SqliteWatcher(db.url.database, on_change, on_state)
    own = OwnBackends(db.engine) if skip_own else None
    return PostgresListener(db.url, on_change, on_state, ignore_pids=own)
