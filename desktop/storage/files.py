"""Writing output files whole or not at all: a temporary file beside the target, then a rename."""
from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from desktop.errors import UserError


@contextmanager
def atomic_path(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; on success it replaces ``target``, on any
    error it is removed, so a reader sees the old file or the new one, never half of one."""
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise UserError(f"cannot write {target}: the folder {folder} does not exist")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise UserError(f"cannot write {target}: {exc.strerror}") from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextmanager
def atomic_text(target: str | os.PathLike, newline: str | None = None) -> Iterator:
    """An open text file (UTF-8) that becomes ``target`` only when the block succeeds."""
    with atomic_path(target) as tmp:
        try:
            with open(tmp, "w", encoding="utf-8", newline=newline) as fh:
                yield fh
        except OSError as exc:
            raise UserError(f"cannot write {target}: {exc.strerror}") from None
