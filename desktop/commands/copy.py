"""aftercare copy --from URL --to URL: move a whole database, all-or-nothing, counts verified."""
from __future__ import annotations

import argparse

HELP = "copy a whole database to another one (e.g. the local file to PostgreSQL), all or nothing"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="source", metavar="URL", default=None,
                        help="the database to copy (default: --database, "
                             "AFTERCARE_DATABASE_URL or the local file)")
    parser.add_argument("--to", dest="target", metavar="URL", required=True,
                        help="a new or empty database: sqlite:///path or postgresql://user@host/db")
    parser.add_argument("--quiet", action="store_true", help="print only the summary line")


def run(args: argparse.Namespace) -> int:
    import sys

    from desktop.storage.copy import copy_database

    source = args.source or getattr(args, "database", None)
    last: dict[str, int] = {}

    def progress(table: str, done: int) -> None:
        if args.quiet or not sys.stderr.isatty():
            return
        last[table] = done
        print(f"\r{table}: {done:,} rows", end="", file=sys.stderr, flush=True)

    report = copy_database(source, args.target, progress=progress)
    if last:
        print(file=sys.stderr)
    print(report.line())
    return 0
