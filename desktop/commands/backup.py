"""aftercare backup FILE: an online backup of the database (DESIGN §6)."""
from __future__ import annotations

import argparse

HELP = "write an online backup of the database to FILE"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE")


def run(args: argparse.Namespace) -> int:
    from desktop.storage.backup import backup
    from desktop.storage.database import open_database

    db = open_database(args.database)
    try:
        path = backup(db, args.file)
    finally:
        db.dispose()
    print(f"backup written to {path}")
    return 0
