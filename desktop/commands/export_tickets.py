"""aftercare export-tickets FILE.csv [--now ISO]: tickets with computed SLA columns (DESIGN §6-7)."""
from __future__ import annotations

import argparse
from datetime import datetime, timezone

from desktop.errors import UserError

HELP = "write the tickets with their SLA states as CSV"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE.csv")
    parser.add_argument("--now", metavar="ISO",
                        help="evaluate the SLA states at this instant, ISO 8601 with an offset "
                             "(default: now)")


def parse_now(text: str | None) -> datetime:
    """The ``--now`` instant: ISO 8601 with an offset (or Z); refused with one line otherwise."""
    if text is None:
        return datetime.now(timezone.utc)
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UserError(f"--now {text!r} is not an ISO 8601 instant "
                        "(example: 2026-03-09T14:30:00+05:30)") from None
    if value.tzinfo is None or value.utcoffset() is None:
        raise UserError(f"--now {text!r} needs a UTC offset "
                        "(example: 2026-03-09T14:30:00+05:30 or 2026-03-09T09:00:00Z)")
    if not 1970 <= value.year <= 2999:
        raise UserError(f"--now {text!r} is outside the years 1970–2999")
    return value.astimezone(timezone.utc)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from desktop.services.ticket_export import write_tickets_csv
    from desktop.storage.database import open_database
    from desktop.storage.files import atomic_text

    now = parse_now(args.now)
    target = Path(args.file)
    if target.is_dir():
        raise UserError(f"cannot write {target}: it is a folder")
    if not target.parent.is_dir():
        raise UserError(f"cannot write {target}: the folder {target.parent} does not exist")
    db = open_database(getattr(args, "database", None))
    try:
        with db.session() as session, atomic_text(target, newline="") as out:
            count = write_tickets_csv(session, out, now)
    finally:
        db.dispose()
    print(f"{count} tickets written to {target}")
    return 0
