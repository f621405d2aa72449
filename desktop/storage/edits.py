"""Saving a form's field edits against the version it was opened with (DESIGN §3 "Concurrent
edits": a stale save is refused and the user sees both versions and chooses).

A form reads ``read_for_edit`` (the fields and the row's version), lets the user type, then calls
``save_fields`` with only the fields the user changed and the version it read. If anyone saved
the row in between, nothing is written and ``StaleDataError`` carries ``mine`` (the user's
values), ``theirs`` (the row as it is now), ``base`` (as the form read it) and
``theirs_version``; the conflict dialog (views/conflicts) lets the user choose per field and
saves the result against ``theirs_version``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from desktop.errors import StaleDataError, UserError

from .changes import record_change
from .conflicts import refuse_stale

NOT_FIELDS = {"id", "version"}


def row_fields(row: Any) -> dict[str, Any]:
    """The row's column values by attribute name (without id and version)."""
    mapper = inspect(type(row))
    return {attr.key: getattr(row, attr.key) for attr in mapper.column_attrs
            if attr.key not in NOT_FIELDS}


@dataclass(frozen=True)
class EditBase:
    """What a form read: the fields and the version they belong to."""

    fields: dict[str, Any]
    version: int


def read_for_edit(session: Session, model: type, row_id: Any) -> EditBase:
    row = session.get(model, row_id, populate_existing=True)
    if row is None:
        raise UserError(f"that {model.__name__.lower()} no longer exists")
    return EditBase(row_fields(row), row.version)


def _stale(db, model: type, kind: str, row_id: Any, changes: dict,  # noqa: ANN001
           base: dict | None) -> StaleDataError:
    with db.session() as session:
        row = session.get(model, row_id)
        if row is None:
            return StaleDataError(f"this {kind} was deleted by someone else since you opened it; "
                                  "your changes were not saved", kind=kind, row_id=row_id,
                                  mine=dict(changes))
        theirs, version = row_fields(row), row.version
    return StaleDataError.changed(kind, row_id, mine=dict(changes), theirs=theirs,
                                  theirs_version=version, base=dict(base or {}))


def save_fields(db, model: type, kind: str, row_id: Any, expected_version: int,  # noqa: ANN001
                changes: dict[str, Any], *, base: dict | None = None,
                now: datetime | None = None) -> int:
    """Write ``changes`` to the row if it is still at ``expected_version``; return the new
    version. Otherwise raise ``StaleDataError`` with both versions and write nothing."""
    unknown = set(changes) - set(c.key for c in inspect(model).column_attrs) | (
        set(changes) & NOT_FIELDS)
    if unknown:
        raise ValueError(f"not editable fields of {model.__name__}: {sorted(unknown)}")
    try:
        with db.transaction() as session:
            row = session.get(model, row_id, populate_existing=True)
            if row is None or row.version != expected_version:
                raise _Stale
            for key, value in changes.items():
                setattr(row, key, value)
            if hasattr(row, "updated_at") and changes:
                row.updated_at = now or datetime.now(timezone.utc)
            with refuse_stale(kind, row_id, mine=changes):
                session.flush()
            record_change(session, kind, row_id)
            new_version = row.version
    except (_Stale, StaleDataError):
        raise _stale(db, model, kind, row_id, changes, base) from None
    return new_version


class _Stale(Exception):
    pass
