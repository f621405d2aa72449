"""aftercare restore FILE: put a backup back in place of the local database."""
from __future__ import annotations

import argparse
from pathlib import Path

from desktop.errors import UserError

HELP = "restore the local database from a backup (the current one is set aside, not deleted)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="a backup written by 'aftercare backup'")


def run(args: argparse.Namespace) -> int:
    from desktop.storage.restore import restore_backup
    from desktop.storage.urls import parse_url

    url = parse_url(getattr(args, "database", None))
    if url.get_backend_name() != "sqlite":
        raise UserError("restore works on a local SQLite database; for PostgreSQL use "
                        "'aftercare import' into an empty database")
    target = Path(url.database)
    set_aside = restore_backup(Path(args.file), target)
    print(f"restored {target} from {args.file}"
          + (f"; the previous database was kept as {set_aside}" if set_aside else ""))
    return 0
