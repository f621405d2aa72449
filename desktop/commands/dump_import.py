"""aftercare import FILE.json: load a portable dump into an empty database (DESIGN §6-7)."""
from __future__ import annotations

import argparse

HELP = "load a portable dump (JSON) into an empty database"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE.json", help="the dump to load")


def run(args: argparse.Namespace) -> int:
    from desktop.services.dump import DumpError, import_dump, read_dump_file
    from desktop.services.dump_validate import check_header
    from desktop.storage.database import open_database

    # Read and check the file before the database is opened (and perhaps created).
    document = read_dump_file(args.file)
    check_header(document, args.file)
    db = open_database(getattr(args, "database", None))
    try:
        try:
            summary = import_dump(db, document)
        except DumpError as exc:  # name the file in the one line the user sees
            if exc.source is None:
                raise DumpError(exc.problems, exc.total, source=args.file) from None
            raise
        print(f"imported {summary.line()} from {args.file} into {db.display_name}")
    finally:
        db.dispose()
    return 0
