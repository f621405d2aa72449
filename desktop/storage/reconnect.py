"""A shared server that goes away mid-session (DESIGN §9): say so, keep the work, reconnect.

``ReconnectPolicy.run(fn)`` runs one unit of database work (a whole transaction: a save opens
its session inside ``fn``). When the connection to the server is lost (restart, network loss,
``pg_terminate_backend``) the transaction was rolled back by the server, so the policy reports
"lost", waits with backoff and runs ``fn`` again until the server answers; then it reports
"restored" and the pending save completes. The row versions read when the form was opened
still guard the save, so a retried save never overwrites what someone else saved meanwhile.

A write attempted on the read-only offline snapshot becomes a ``ReadOnlyError`` sentence.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import DBAPIError

from desktop.errors import ReadOnlyError, UserError

log = logging.getLogger(__name__)

# admin_shutdown, crash_shutdown, cannot_connect_now (server starting or stopping)
LOST_SQLSTATES = {"57P01", "57P02", "57P03"}


@dataclass(frozen=True)
class Backoff:
    """Waits between attempts: ``initial`` seconds, doubled each time up to ``maximum``."""

    initial: float = 0.5
    factor: float = 2.0
    maximum: float = 30.0

    def delays(self) -> Iterator[float]:
        delay = self.initial
        while True:
            yield delay
            delay = min(delay * self.factor, self.maximum)


def is_connection_lost(exc: BaseException) -> bool:
    """True when ``exc`` means the server is out of reach (not a bug, not a bad statement)."""
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return True
        exc = exc.orig if exc.orig is not None else exc
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency
        return False
    if not isinstance(exc, psycopg.OperationalError):
        return False
    sqlstate = getattr(exc, "sqlstate", None)
    return sqlstate is None or sqlstate.startswith("08") or sqlstate in LOST_SQLSTATES


def is_read_only_write(exc: BaseException) -> bool:
    text = str(getattr(exc, "orig", None) or exc).lower()
    return "readonly database" in text or "read-only" in text or "query_only" in text


class ReconnectCancelled(UserError):
    """The user gave up waiting for the server; the work was not done."""


class ReconnectPolicy:
    """Run database work, riding out a lost server (see the module docstring).

    ``on_state(state, sentence)`` is called with ``"lost"`` (with the attempt count and the next
    wait in the sentence), ``"gave_up"`` (the user stopped waiting) and ``"restored"``; it runs
    on the calling (worker) thread.
    ``max_wait`` seconds (None: until cancelled) bounds the wait for one piece of work.
    """

    def __init__(self, db, on_state: Callable[[str, str], None] | None = None,  # noqa: ANN001
                 *, backoff: Backoff | None = None, max_wait: float | None = None) -> None:
        self.db = db
        self.on_state = on_state or (lambda _state, _text: None)
        self.backoff = backoff or Backoff()
        self.max_wait = max_wait
        self._cancel = threading.Event()
        self.lost = False
        self.gave_up = False

    def cancel(self) -> None:
        """Stop waiting: the pending work fails with a plain sentence, and so does further
        work that finds the server still gone, at once, until ``resume()`` or a success."""
        self.gave_up = True
        self._cancel.set()

    def resume(self) -> None:
        """Wait for the server again."""
        self.gave_up = False

    def __call__(self, fn: Callable[[], Any]) -> Any:
        return self.run(fn)

    def run(self, fn: Callable[[], Any]) -> Any:
        from .probe import describe_connect_error

        self._cancel.clear()
        delays: Iterator[float] | None = None
        started = time.monotonic()
        attempt = 0
        while True:
            try:
                value = fn()
            except DBAPIError as exc:
                if self.db.read_only and is_read_only_write(exc):
                    raise ReadOnlyError("this is the offline snapshot, which is read-only; "
                                        "connect to the server to make changes") from None
                if self.db.is_sqlite or not is_connection_lost(exc):
                    raise
                reason = describe_connect_error(exc, self.db.url)
                if self.gave_up:
                    self.on_state("gave_up", reason)
                    raise ReconnectCancelled(
                        f"{reason} Your changes were not saved; they are still in the form."
                    ) from None
                attempt += 1
                delays = delays or self.backoff.delays()
                delay = next(delays)
                self.lost = True
                log.info("connection lost (attempt %d): %s", attempt, reason)
                self.on_state("lost", f"{reason} Next try in {delay:.0f} s (attempt {attempt})."
                              if delay >= 1 else f"{reason} Trying again (attempt {attempt}).")
                self.db.engine.pool.dispose()  # every pooled connection is suspect now
                if self.max_wait is not None and time.monotonic() - started + delay > self.max_wait:
                    raise ReconnectCancelled(
                        f"{reason} Your changes were not saved; they are still in the form."
                    ) from None
                if self._cancel.wait(delay):
                    self.on_state("gave_up", reason)
                    raise ReconnectCancelled(
                        "Stopped waiting for the server; your changes were not saved and are "
                        "still in the form.") from None
                continue
            if self.lost or self.gave_up:
                self.lost = self.gave_up = False
                self.on_state("restored", "Reconnected to the server.")
            return value
