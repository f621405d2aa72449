"""Errors the user is told about plainly, as opposed to bugs (STYLE.md, after qutebrowser)."""


class UserError(Exception):
    """A problem the user can act on: bad input, an unreachable server, a refused file.

    Its message is one plain sentence, shown as is; it never carries a password or a traceback.
    """


class StaleDataError(UserError):
    """A save against a row that someone else changed since it was read (DESIGN §3).

    ``kind`` and ``row_id`` name the row; ``mine`` and ``theirs`` hold the two versions' fields
    when the caller has them, so the user can see both and choose.
    """

    def __init__(self, message: str, *, kind: str = "", row_id: int | str | None = None,
                 mine: dict | None = None, theirs: dict | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.row_id = row_id
        self.mine = mine or {}
        self.theirs = theirs or {}


class ReadOnlyError(UserError):
    """A write attempted on the offline snapshot, which is read-only (DESIGN §3)."""
