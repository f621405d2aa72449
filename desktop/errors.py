"""Errors the user is told about plainly, as opposed to bugs (STYLE.md, after qutebrowser)."""
from __future__ import annotations


class UserError(Exception):
    """A problem the user can act on: bad input, an unreachable server, a refused file.

    Its message is one plain sentence, shown as is; it never carries a password or a traceback.
    """


class StaleDataError(UserError):
    """A save against a row that someone else changed since it was read (DESIGN §3).

    ``kind`` and ``row_id`` name the row; ``mine`` and ``theirs`` hold the two versions' fields
    when the caller has them, so the user can see both and choose; ``theirs_version`` is the
    version to save a resolved edit against, and ``base`` the fields as first read.
    """

    def __init__(self, message: str, *, kind: str = "", row_id: int | str | None = None,
                 mine: dict | None = None, theirs: dict | None = None,
                 theirs_version: int | None = None, base: dict | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.row_id = row_id
        self.mine = mine or {}
        self.theirs = theirs or {}
        self.theirs_version = theirs_version
        self.base = base or {}

    @classmethod
    def changed(cls, kind: str, row_id: int | str | None = None, **versions: object) -> StaleDataError:
        """The usual refusal: the row moved on since it was opened; nothing was saved."""
        return cls(f"this {kind} was changed by someone else since you opened it; "
                   "your changes were not saved", kind=kind, row_id=row_id, **versions)


class ReadOnlyError(UserError):
    """A write attempted on the offline snapshot, which is read-only (DESIGN §3)."""
