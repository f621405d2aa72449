"""Dashboard, client and contract lists on a big SQLite database (DESIGN §4, §8).

``python -m bench.dashboard [--tickets N] [--database PATH]``: builds (or reuses) a demo database
with N tickets (default 1,000,000), then times the dashboard's figures and charts as the view
asks for them (a fresh session each, cold caches of the program, warm OS file cache), and the
client and contract lists. Prints one JSON line last: the figures and the budget ("well under a
second" for the dashboard: figures + charts within 1 s).
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

BUDGET_S = 1.0


def build(tickets: int, clients: int) -> Path:
    try:
        from bench.demo import cached_demo_db  # the demo benchmark's shared cache
    except ImportError:
        cached_demo_db = None
    if cached_demo_db is not None:
        return Path(cached_demo_db(tickets, clients))
    from desktop.services.demo import generate_demo
    from desktop.storage.database import open_database

    path = Path(tempfile.mkdtemp(prefix="aftercare-bench-")) / "dashboard.db"
    db = open_database(f"sqlite:///{path}")
    try:
        generate_demo(db, clients=clients, tickets=tickets, seed=1)
    finally:
        db.dispose()
    return path


def timed(fn, runs: int = 5) -> tuple[float, object]:  # noqa: ANN001
    """The median of ``runs`` timings of ``fn()`` (seconds) and its last result."""
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dashboard")
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=40)
    parser.add_argument("--database", help="an existing demo database file to use")
    args = parser.parse_args(argv)

    from desktop.services.clients import client_detail, list_clients
    from desktop.services.contracts import list_contracts
    from desktop.services.dashboard import dashboard_charts, dashboard_figures
    from desktop.storage.database import open_database

    path = Path(args.database) if args.database else build(args.tickets, args.clients)
    db = open_database(f"sqlite:///{path}")
    try:
        def figures():  # noqa: ANN202
            with db.session() as session:
                return dashboard_figures(session)

        def charts():  # noqa: ANN202
            with db.session() as session:
                return dashboard_charts(session)

        def clients():  # noqa: ANN202
            with db.session() as session:
                return list_clients(session)

        def contracts():  # noqa: ANN202
            with db.session() as session:
                return list_contracts(session)

        figures_s, f = timed(figures)
        charts_s, _ = timed(charts)
        clients_s, rows = timed(clients)
        contracts_s, _ = timed(contracts)

        def detail():  # noqa: ANN202
            with db.session() as session:
                return client_detail(session, rows[0].id)

        detail_s, _ = timed(detail)
        with db.session() as session:
            from sqlalchemy import func, select

            from desktop.models import Ticket

            tickets = session.scalar(select(func.count()).select_from(Ticket))
    finally:
        db.dispose()
    print(f"open {f.open_total}, at risk {f.at_risk}, breached {f.breached}, "
          f"overdue maintenance {f.overdue_maintenance}, MRR {f.mrr_text}", file=sys.stderr)
    print(json.dumps({"benchmark": "dashboard", "tickets": tickets,
                      "figures_s": round(figures_s, 4), "charts_s": round(charts_s, 4),
                      "dashboard_s": round(figures_s + charts_s, 4),
                      "client_list_s": round(clients_s, 4),
                      "client_page_s": round(detail_s, 4),
                      "contract_list_s": round(contracts_s, 4),
                      "budget_s": BUDGET_S,
                      "within_budget": figures_s + charts_s <= BUDGET_S}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
