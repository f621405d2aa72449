"""Crash safety (DESIGN §9): kill -9 writers at random moments and prove nothing committed is lost.

``python -m bench.crash [--trials 30]``: each trial starts a writer process (ticket edits,
maintenance updates, new clients; every few trials a dump import), kills it with SIGKILL after a
random delay, then checks that ``aftercare check`` passes, every commit the writer reported is
present, and an interrupted import left all or nothing. One JSON line last.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parent.parent


def _writer(*args: str) -> subprocess.Popen:
    env = dict(os.environ, AFTERCARE_NO_BACKUP="1")
    return subprocess.Popen([sys.executable, "-m", "bench.crash_writer", *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)


def _kill_after(proc: subprocess.Popen, delay: float) -> list[str]:
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    out, _ = proc.communicate()
    return out.splitlines()


def _check(url: str) -> bool:
    from desktop.storage.check import check_database

    return check_database(url).ok


def _commits_present(url: str, lines: list[str]) -> list[str]:
    from desktop.models import Client, Occurrence, TicketEvent
    from desktop.storage.database import open_database

    db = open_database(url)
    missing = []
    try:
        with db.session() as s:
            notes = set(s.scalars(select(TicketEvent.body).where(TicketEvent.type == "note")))
            clients = set(s.scalars(select(Client.name)))
            occurrence_notes = {o.notes: o for o in s.scalars(select(Occurrence))}
        last_per_occurrence = {}
        for line in lines:
            parts = line.split()
            if len(parts) != 3 or parts[0] != "COMMIT":
                continue
            _, kind, marker = parts
            if kind == "ticket" and marker not in notes:
                missing.append(line)
            elif kind == "client" and f"Client {marker}" not in clients:
                missing.append(line)
            elif kind == "occurrence":
                last_per_occurrence[marker] = line
        # an occurrence may be overwritten by a later commit; the newest promised one must be there
        if last_per_occurrence:
            newest = list(last_per_occurrence)[-1]
            if newest not in occurrence_notes and not any(
                    int(n.split("-")[1]) > int(newest.split("-")[1])
                    for n in occurrence_notes if n.count("-") == 1 and n.split("-")[1].isdigit()):
                missing.append(last_per_occurrence[newest])
    finally:
        db.dispose()
    return missing


def _import_all_or_nothing(folder: Path, lines: list[str], expected_clients: int) -> list[str]:
    from desktop.models import Client
    from desktop.storage.database import open_database

    problems = []
    committed = {int(l.split()[2]) for l in lines if l.startswith("COMMIT import")}
    for path in sorted(folder.glob("import-*.db")):
        n = int(path.stem.split("-")[2])  # import-<trial>-<n>.db
        db = open_database(f"sqlite:///{path}")
        with db.session() as s:
            count = s.scalar(select(func.count()).select_from(Client))
        db.dispose()
        if n in committed and count != expected_clients:
            problems.append(f"import {n} committed but has {count} clients")
        if count not in (0, expected_clients):
            problems.append(f"import {n} is half-applied: {count} clients")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    dump = ROOT / "tests" / "data" / "sample_dump.json"
    trials = clean = lost = commits = 0
    failures: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'crash.db'}"
        subprocess.run([sys.executable, "-m", "bench.crash_writer", "prepare", url], cwd=ROOT,
                       check=True)
        start = time.perf_counter()
        for trial in range(args.trials):
            trials += 1
            if dump.exists() and trial % 5 == 4:
                pattern = f"sqlite:///{folder}/import-{trial}-{{n}}.db"
                lines = _kill_after(_writer("import", pattern, str(dump), str(trial)),
                                    rng.uniform(0.8, 4.0))
                expected = len(json.loads(dump.read_text(encoding="utf-8"))["clients"])
                problems = [p for p in _import_all_or_nothing(folder, lines, expected)]
                for path in folder.glob("import-*.db"):
                    if not _check(f"sqlite:///{path}"):
                        problems.append(f"{path.name} fails the check")
                    for side in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                        side.unlink(missing_ok=True)
            else:
                lines = _kill_after(_writer("write", url, str(trial)), rng.uniform(0.6, 2.5))
                problems = [] if _check(url) else ["aftercare check failed"]
                problems += [f"lost: {m}" for m in _commits_present(url, lines)]
            commits += sum(1 for line in lines if line.startswith("COMMIT"))
            if problems:
                lost += sum(1 for p in problems if p.startswith("lost") or "committed" in p)
                failures.extend(f"trial {trial}: {p}" for p in problems)
            else:
                clean += 1
        seconds = time.perf_counter() - start
    for failure in failures[:20]:
        print(failure)
    print(json.dumps({"benchmark": "crash", "trials": trials, "clean": clean, "lost": lost,
                      "commits_verified": commits,
                      "seconds": round(seconds, 1), "budget": {"lost": 0, "min_trials": 30}}))
    return 0 if lost == 0 and clean == trials else 1


if __name__ == "__main__":
    sys.exit(main())
