"""Opening the database at start-up (issue 7): the one named on the command line or in
AFTERCARE_DATABASE_URL, else the one used last (File → Connect), else the local file. When a
shared server cannot be reached, the offline snapshot is offered and opened read-only."""
from __future__ import annotations

import os

from PySide6.QtWidgets import QWidget

from desktop.errors import UserError
from desktop.storage.database import Database, open_database
from desktop.storage.urls import ENV_VAR, display_url, parse_url

from ..messages import dialogs
from .target import LAST_KEY


def start_url(url_text: str | None, ui) -> str | None:  # noqa: ANN001
    return url_text or os.environ.get(ENV_VAR) or ui.document(LAST_KEY, None) or None


def offer_snapshot(url, reason: str, parent: QWidget | None = None) -> Database:  # noqa: ANN001
    """The server is out of reach: offer its offline snapshot; raise UserError if there is
    none or the user declines."""
    from desktop.storage.snapshot import find_snapshot, open_snapshot

    info = find_snapshot(url)
    if info is None:
        raise UserError(f"{reason} There is no offline copy of {display_url(url)} on this "
                        "computer yet.")
    local = info.taken_at.astimezone().strftime("%d %b %Y %H:%M")
    if not dialogs().question(
            parent, "The shared server is out of reach",
            f"{reason}\n\nOpen the offline snapshot of {info.source} taken {info.age()} "
            f"({local}) to read contracts, tickets and maintenance? Nothing can be changed "
            "in it."):
        raise UserError(reason)
    return open_snapshot(info)


def open_at_start(url_text: str | None, ui, parent: QWidget | None = None) -> Database:  # noqa: ANN001
    """The database to start with (see the module docstring); UserError when there is none."""
    text = start_url(url_text, ui)
    url = parse_url(text)
    if url.get_backend_name() == "postgresql":
        from desktop.storage.probe import server_unreachable

        reason = server_unreachable(url)
        if reason is not None:
            return offer_snapshot(url, reason, parent)
    return open_database(text)
