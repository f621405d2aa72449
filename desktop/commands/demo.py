"""aftercare demo: fill an empty database with realistic demo data (DESIGN §6)."""
from __future__ import annotations

import argparse
import sys
from typing import TextIO

HELP = "fill an empty database with realistic demo data"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--clients", type=int, default=40, metavar="N",
                        help="number of clients (default 40)")
    parser.add_argument("--tickets", type=int, default=5000, metavar="N",
                        help="number of tickets over the last 18 months (default 5000)")
    parser.add_argument("--seed", type=int, default=1, metavar="S",
                        help="the same seed gives the same data (default 1)")


class TerminalProgress:
    """Progress on stderr: a line redrawn in place on a terminal, else a plain line per 10%."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.last_step = -1
        self.width = 0

    def __call__(self, fraction: float, message: str) -> None:
        percent = int(fraction * 100)
        if self.tty:
            line = f"demo: {percent:3d}%  {message}"
            self.stream.write("\r" + line.ljust(self.width))
            self.width = len(line)
            self.stream.flush()
        elif percent // 10 > self.last_step:
            self.last_step = percent // 10
            self.stream.write(f"demo: {percent}%\n")
            self.stream.flush()

    def close(self) -> None:
        if self.tty and self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()


def run(args: argparse.Namespace) -> int:
    from desktop.services.demo import generate_demo
    from desktop.storage.database import open_database

    db = open_database(getattr(args, "database", None))
    progress = TerminalProgress(sys.stderr)
    try:
        summary = generate_demo(db, clients=args.clients, tickets=args.tickets, seed=args.seed,
                                progress=progress)
    finally:
        progress.close()
        db.dispose()
    print(summary.line)
    return 0
