"""aftercare check: integrity and schema check with a one-line verdict (DESIGN §6)."""
from __future__ import annotations

import argparse

HELP = "check the database's integrity and schema version"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    from desktop.storage.check import check_database

    verdict = check_database(args.database)
    print(verdict.line)
    return 0 if verdict.ok else 1
