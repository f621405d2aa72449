"""Install the unhandled-exception hook: log the traceback, show the crash dialog."""
from __future__ import annotations

import logging
import sys

from desktop.logs import log_file

log = logging.getLogger("aftercare.crash")


def install(window) -> None:  # noqa: ANN001
    previous = sys.excepthook

    def hook(exc_type, exc, tb) -> None:  # noqa: ANN001
        if issubclass(exc_type, KeyboardInterrupt):
            previous(exc_type, exc, tb)
            return
        log.error("unhandled exception", exc_info=(exc_type, exc, tb))
        from desktop.errors import UserError
        from desktop.views.messages import dialogs

        if isinstance(exc, UserError):  # a known problem that escaped a handler: say it plainly
            dialogs().warning(window, "Aftercare", str(exc))
            return
        from .crash_dialog import CrashDialog, describe

        summary, details = describe(exc_type, exc, tb)
        dialog = CrashDialog(summary, details, str(log_file()), window)
        window._crash_dialog = dialog  # keep it alive; tests look at it
        dialog.open()

    sys.excepthook = hook
    window._previous_excepthook = previous
