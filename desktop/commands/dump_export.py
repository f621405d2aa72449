"""aftercare export FILE.json: the whole database as a portable dump (DESIGN §6-7)."""
from __future__ import annotations

import argparse

HELP = "write the whole database as a portable dump (JSON)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE.json", help="where to write the dump")


def run(args: argparse.Namespace) -> int:
    from desktop.services.dump import export_dump
    from desktop.storage.database import open_database

    db = open_database(getattr(args, "database", None))
    try:
        summary = export_dump(db, args.file)
        print(f"exported {summary.line()} from {db.display_name} to {args.file}")
    finally:
        db.dispose()
    return 0
