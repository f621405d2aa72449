"""Stale saves become a domain error the views can show side by side (DESIGN §3)."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm.exc import StaleDataError as OrmStaleDataError

from desktop.errors import StaleDataError


@contextmanager
def refuse_stale(kind: str, row_id: int | str | None = None,
                 mine: dict | None = None) -> Iterator[None]:
    """Wrap a flush/commit: a row whose version moved on raises ``StaleDataError``."""
    try:
        yield
    except OrmStaleDataError:
        raise StaleDataError.changed(kind, row_id, mine=mine) from None
