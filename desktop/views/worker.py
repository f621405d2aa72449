"""One background worker for database work (STYLE.md, after Anki's taskman and Picard).

``OpRunner.run(fn, on_success, on_failure)`` runs ``fn()`` on the single worker thread and calls
one of the callbacks on the GUI thread with its result or its exception. A worker never touches
a widget; ORM objects never cross back (``fn`` returns plain data).
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

log = logging.getLogger(__name__)


class OpRunner(QObject):
    _finished = Signal(object, object, object)  # callback, value, is_error
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="aftercare-db")
        self._pending = 0
        self._finished.connect(self._deliver)
        # Wraps each piece of work when set: ``guard(fn)`` runs it (storage.reconnect's policy
        # rides out a lost server and retries; see views/connection/extension.py).
        self.guard: Callable[[Callable[[], Any]], Any] | None = None
        self._shut_down = False

    def run(self, fn: Callable[[], Any], on_success: Callable[[Any], None] | None = None,
            on_failure: Callable[[BaseException], None] | None = None) -> Future:
        self._pending += 1
        if self._pending == 1:
            self.busy_changed.emit(True)

        def job() -> None:
            try:
                value = self.guard(fn) if self.guard is not None else fn()
            except BaseException as exc:  # noqa: BLE001 - delivered to the GUI thread
                log.debug("operation failed", exc_info=True)
                self._finished.emit(on_failure, exc, True)
            else:
                self._finished.emit(on_success, value, False)

        return self._pool.submit(job)

    @Slot(object, object, object)
    def _deliver(self, callback: Callable | None, value: Any, is_error: bool) -> None:
        self._pending -= 1
        if self._pending == 0:
            self.busy_changed.emit(False)
        if self._shut_down:  # the window that asked is gone; nobody waits for this result
            return
        if callback is not None:
            callback(value)
        elif is_error:
            from .messages import dialogs

            dialogs().error(None, "Operation failed", describe_error(value))

    def wait_idle(self, timeout: float = 30.0) -> None:
        """Block until queued work finished (for shutdown and tests)."""
        self._pool.submit(lambda: None).result(timeout)

    def shutdown(self) -> None:
        self._shut_down = True
        self._pool.shutdown(wait=True, cancel_futures=True)


def describe_error(exc: BaseException) -> str:
    """A user-facing sentence for an exception: UserError text as is, anything else named."""
    from desktop.errors import UserError

    if isinstance(exc, UserError):
        return str(exc)
    return f"An unexpected error occurred ({type(exc).__name__}). Details are in the log."
