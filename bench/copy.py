"""``aftercare copy`` and the offline snapshot on a realistic database (issue 7).

``python -m bench.copy [--tickets N] [--clients N]`` copies a cached demo SQLite database to a
fresh PostgreSQL database (``AFTERCARE_TEST_PG_URL`` names the server), refreshes the offline
snapshot from it, and copies it back to SQLite, verifying counts each time. There is no budget
in DESIGN §8 for these; the line carries a working one: the snapshot of a 100,000-ticket
database should take well under a minute, so refreshing it after each connection is invisible.
Prints one JSON line last.
"""
from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
import uuid
from pathlib import Path

BUDGET_SNAPSHOT_S = 60


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.copy")
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=40)
    args = parser.parse_args(argv)
    server = os.environ.get("AFTERCARE_TEST_PG_URL", "postgresql://postgres@127.0.0.1/postgres")

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from bench.demo import cached_demo_db
    from desktop.storage.copy import copy_database
    from desktop.storage.database import open_database

    source = cached_demo_db(tickets=args.tickets, clients=args.clients)
    admin_url = make_url(server).set(drivername="postgresql+psycopg")
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"aftercare_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    pg_url = make_url(server).set(database=name).render_as_string(hide_password=False)
    figures: dict = {"tickets": args.tickets, "clients": args.clients}
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["AFTERCARE_DATA_DIR"] = tmp
        try:
            started = time.perf_counter()
            report = copy_database(f"sqlite:///{source}", pg_url)
            figures["sqlite_to_pg_s"] = round(time.perf_counter() - started, 2)
            figures["rows"] = sum(report.counts.values())

            from desktop.storage.snapshot import refresh_snapshot

            db = open_database(pg_url)
            started = time.perf_counter()
            info = refresh_snapshot(db)
            figures["snapshot_s"] = round(time.perf_counter() - started, 2)
            figures["snapshot_mb"] = round(info.path.stat().st_size / 1e6, 1)
            db.dispose()

            started = time.perf_counter()
            copy_database(pg_url, f"sqlite:///{Path(tmp) / 'back.db'}")
            figures["pg_to_sqlite_s"] = round(time.perf_counter() - started, 2)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    figures["budget_snapshot_s"] = BUDGET_SNAPSHOT_S
    figures["ok"] = figures["snapshot_s"] <= BUDGET_SNAPSHOT_S
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    figures["load_avg_1m"] = round(load, 2) if load is not None else None
    print(json.dumps(figures))
    return 0 if figures["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
