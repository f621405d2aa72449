"""Change notification (DESIGN §3 "Shared mode refreshes open views").

Every service that writes a row calls ``record_change(session, kind, row_id)`` inside its
transaction. On PostgreSQL that is a ``NOTIFY aftercare_changes, 'kind:id'`` (delivered on commit,
carrying the row's kind and id, never its data); on SQLite other processes notice through
``PRAGMA data_version`` instead, so nothing is sent.
"""
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

CHANNEL = "aftercare_changes"
KINDS = ("ticket", "client", "contract", "occurrence", "settings", "staff", "report")


def record_change(session: Session, kind: str, row_id: int | str | None = None) -> None:
    if session.get_bind().dialect.name != "postgresql":
        return
    session.execute(text("SELECT pg_notify(:channel, :payload)"),
                    {"channel": CHANNEL, "payload": f"{kind}:{'' if row_id is None else row_id}"})


def parse_payload(payload: str) -> tuple[str, int | None]:
    kind, _, row = payload.partition(":")
    return kind, int(row) if row.isdigit() else None
