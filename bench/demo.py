"""``aftercare demo --tickets 1000000`` against its budget (DESIGN §8: under 2 minutes).

``python -m bench.demo [--tickets N] [--clients N] [--seed S] [--keep]`` runs the real command in
a fresh interpreter (start-up, migration and seeding included) into a temporary SQLite file and
prints one JSON line last: ``{"tickets": N, "seconds": s, "budget_s": 120, ...}``. The machine's
load average before and after is part of the line: on a shared machine other work slows the run
(the demo needs about two minutes of CPU in all, spread over the main process and two workers).

Other benchmarks reuse a demo database through :func:`cached_demo_db`, built once into
``bench/_cache/`` (gitignored).
"""
from __future__ import annotations

import argparse
import fcntl
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BUDGET_S = 120
CACHE = Path(__file__).resolve().parent / "_cache"
ROOT = Path(__file__).resolve().parent.parent


def cached_demo_db(tickets: int = 1_000_000, clients: int = 40, seed: int = 1) -> Path:
    """A demo SQLite database with that many tickets and clients, built once into
    ``bench/_cache/`` and reused afterwards (a lock keeps two benchmarks from building it at the
    same time; a half-built file is never returned)."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"demo-t{tickets}-c{clients}-s{seed}.db"
    with open(CACHE / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if path.exists():
            return path
        from desktop.services.demo import generate_demo
        from desktop.storage.database import open_database

        partial = path.with_suffix(".building.db")
        for leftover in CACHE.glob(partial.name + "*"):
            leftover.unlink()
        db = open_database(f"sqlite:///{partial}")
        try:
            generate_demo(db, clients=clients, tickets=tickets, seed=seed)
        finally:
            db.dispose()
        os.replace(partial, path)
        return path


def _load() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.demo")
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the database file")
    args = parser.parse_args(argv)

    folder = Path(tempfile.mkdtemp(prefix="aftercare-bench-demo-"))
    path = folder / "demo.db"
    command = [sys.executable, "-m", "desktop", "--database", f"sqlite:///{path}", "demo",
               "--tickets", str(args.tickets), "--clients", str(args.clients),
               "--seed", str(args.seed)]
    load_before = _load()
    started = time.perf_counter()
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if completed.returncode != 0:
        print(completed.stderr.strip(), file=sys.stderr)
        return 1
    print(completed.stdout.strip())
    size_mb = path.stat().st_size / 1e6
    if not args.keep:
        for file in folder.iterdir():
            file.unlink()
        folder.rmdir()
    print(json.dumps({"tickets": args.tickets, "seconds": round(seconds, 1),
                      "budget_s": BUDGET_S, "clients": args.clients,
                      "database_mb": round(size_mb),
                      "cpus": os.cpu_count(), "load_before": load_before,
                      "load_after": _load(), "within_budget": seconds < BUDGET_S}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
