"""aftercare calendar FILE.ics [--from DATE --to DATE] [--client NAME] (DESIGN §6).

The schedule is brought up to date first (``maintenance.regenerate``, idempotent) so the file
holds every occurrence of every contract's period; on a read-only snapshot it is exported as is.
"""
from __future__ import annotations

import argparse
from datetime import date

from desktop.errors import UserError

HELP = "write the maintenance occurrences as an iCalendar file"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE.ics")
    parser.add_argument("--from", dest="start", metavar="DATE",
                        help="first due date to include (YYYY-MM-DD)")
    parser.add_argument("--to", dest="end", metavar="DATE",
                        help="last due date to include (YYYY-MM-DD)")
    parser.add_argument("--client", metavar="NAME", help="only this client's occurrences")
    parser.add_argument("--tier", choices=("warranty", "basic", "standard", "premium"),
                        help="only contracts of this tier")


def parse_day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UserError(f"{option} {text!r} is not a date like 2026-03-31") from None


def run(args: argparse.Namespace) -> int:
    from desktop.services.ical import export_ics, find_client_id
    from desktop.services.maintenance import regenerate
    from desktop.services.settings import load_settings
    from desktop.storage.database import open_database

    start = parse_day(args.start, "--from")
    end = parse_day(args.end, "--to")
    if start and end and end < start:
        raise UserError(f"--to {end.isoformat()} is before --from {start.isoformat()}")
    if not str(args.file).strip():
        raise UserError("name the .ics file to write")
    db = open_database(getattr(args, "database", None))
    try:
        if not db.read_only:
            with db.transaction() as session:
                regenerate(session)
        with db.session() as session:
            client_id = find_client_id(session, args.client) if args.client else None
            agency = load_settings(session).agency_name
            count = export_ics(session, args.file, start, end, client_id=client_id,
                               tier=args.tier, name=f"{agency} maintenance")
    finally:
        db.dispose()
    print(f"{count} maintenance occurrence{'s' if count != 1 else ''} written to {args.file}")
    return 0
