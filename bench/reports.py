"""Benchmark of DESIGN §8's report budgets.

- the quarterly review (data + PDF) of one client with 5,000 tickets in the quarter: < 2 s;
- monthly reports for 200 clients (``export_many`` on both cores, process start-up included):
  < 60 s.

Run as ``python -m bench.reports [--clients 200] [--tickets 5000]``; the last line printed is
one JSON object with the figures and budgets.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select, update

IST = ZoneInfo("Asia/Kolkata")
PRIORITIES = [("critical", 0.03, 60, 240), ("high", 0.17, 240, 540),
              ("medium", 0.45, 540, 1620), ("low", 0.35, 1080, 2700)]
CATEGORIES = ["bug_fix", "technical_issue", "functionality", "documentation", "security_update",
              "content_update", "performance", "new_feature", "training", "third_party"]
FIGURES = {
    "backup_verification": {"latest_backup": "2026-03-29", "size_mb": 2400.0,
                            "restore_tested": True, "restore_result": "restored to staging"},
    "plugin_updates": {"components": [
        {"name": "WooCommerce", "from_version": "8.1", "to_version": "8.2", "held_back": False,
         "reason": ""},
        {"name": "Elementor", "from_version": "3.18", "to_version": "", "held_back": True,
         "reason": "theme compatibility"}]},
    "security_scan": {"findings": []},
    "security_updates": {"findings": []},
    "uptime_review": {"uptime_percent": 99.9, "incidents": []},
    "performance_check": {"score": 88, "load_time_seconds": 1.7},
}


def _tickets(rng: random.Random, client_id: int, contract_id: int, first: date, days: int,
             count: int, number: int) -> tuple[list[dict], int]:
    rows = []
    for _ in range(count):
        roll, acc = rng.random(), 0.0
        for priority, share, response, resolution in PRIORITIES:
            acc += share
            if roll <= acc:
                break
        created = datetime.combine(first + timedelta(days=rng.randrange(days)),
                                   datetime.min.time(), IST) + timedelta(
            minutes=rng.randrange(9 * 60, 18 * 60))
        created = created.astimezone(timezone.utc)
        first_response = created + timedelta(minutes=rng.randrange(5, int(response * 1.3)))
        resolved = created + timedelta(minutes=rng.randrange(30, int(resolution * 1.4)))
        open_ticket = rng.random() < 0.05
        rows.append(dict(
            number=number, client_id=client_id, contract_id=contract_id,
            title=f"Ticket {number}: {rng.choice(['Checkout', 'Login', 'Contact form', 'Menu'])}"
                  f" {rng.choice(['broken', 'slow', 'shows an error', 'needs a change'])}",
            description="", priority=priority, status="in_progress" if open_ticket else "closed",
            category=rng.choice(CATEGORIES), channel="email", created_at=created,
            updated_at=resolved, first_response_at=first_response,
            resolved_at=None if open_ticket else resolved, clock="business",
            response_due_at=created + timedelta(minutes=response),
            resolution_due_at=created + timedelta(minutes=resolution),
            response_breached=first_response > created + timedelta(minutes=response),
            resolution_breached=(not open_ticket) and resolved > created + timedelta(
                minutes=resolution),
            resolution_used_minutes=int((resolved - created).total_seconds() // 60),
            in_scope=rng.random() > 0.1, scope_reason="", override_reason="", version=1,
            resolution_paused=False))
        number += 1
    return rows, number


def build_database(url: str, clients: int, big_tickets: int, seed: int = 7) -> tuple[int, list]:
    from desktop.models import (Client, Contract, FollowUp, Occurrence, Ticket, TimeEntry)
    from desktop.services import maintenance
    from desktop.storage.database import open_database

    rng = random.Random(seed)
    db = open_database(url)
    number = 1
    with db.transaction() as session:
        client_rows = [dict(name=f"Bench Client {i:03d}", email="", phone="", website="",
                            notes="", archived=False, created_at=datetime.now(timezone.utc),
                            version=1) for i in range(clients + 1)]
        session.execute(insert(Client), client_rows)
        ids = [row.id for row in session.execute(select(Client.id).order_by(Client.id))]
        session.execute(insert(Contract), [dict(
            client_id=cid, tier_code="premium" if i == 0 else "standard", start=date(2025, 10, 1),
            end=date(2026, 9, 30), monthly_fee=Decimal("60000.00" if i == 0 else "30000.00"),
            currency="INR", content_minutes_allowance=480 if i == 0 else 240, notes="",
            version=1) for i, cid in enumerate(ids)])
        contracts = dict(session.execute(select(Contract.client_id, Contract.id)).all())
        rows, number = _tickets(rng, ids[0], contracts[ids[0]], date(2026, 1, 1), 90,
                                big_tickets, number)
        prev, number = _tickets(rng, ids[0], contracts[ids[0]], date(2025, 10, 1), 92,
                                big_tickets // 2, number)
        session.execute(insert(Ticket), rows + prev)
        for cid in ids[1:]:
            small, number = _tickets(rng, cid, contracts[cid], date(2026, 3, 1), 31,
                                     rng.randrange(10, 40), number)
            session.execute(insert(Ticket), small)
        tickets = session.execute(select(Ticket.id, Ticket.created_at, Ticket.category)).all()
        session.execute(insert(TimeEntry), [dict(
            ticket_id=t.id, work_date=t.created_at.astimezone(IST).date(),
            minutes=rng.randrange(15, 120), category=t.category, note="", version=1,
            created_at=t.created_at) for t in tickets if rng.random() < 0.3])
        session.execute(insert(FollowUp), [dict(
            ticket_id=t.id, due_at=t.created_at + timedelta(days=4),
            done_at=t.created_at + timedelta(days=5), rating=rng.randrange(3, 6), comment="",
            version=1) for t in tickets if rng.random() < 0.08])
        maintenance.regenerate(session, today=date(2026, 4, 5))
        for task, figures in FIGURES.items():
            session.execute(update(Occurrence).where(
                Occurrence.task == task, Occurrence.due < date(2026, 4, 1)).values(
                done_at=datetime(2026, 3, 30, 10, tzinfo=timezone.utc), outcome="ok",
                notes="Routine.", figures=figures))
    db.dispose()
    return ids[0], ids[1:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reports")
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--tickets", type=int, default=5000)
    args = parser.parse_args(argv)

    from desktop.services import report_export
    from desktop.services.report_quarterly import quarterly_report
    from desktop.reports.quarterly import build_quarterly
    from desktop.storage.database import open_database

    folder = Path(tempfile.mkdtemp(prefix="aftercare-bench-reports-"))
    url = f"sqlite:///{folder / 'bench.db'}"
    started = time.perf_counter()
    big, others = build_database(url, args.clients, args.tickets)
    print(f"database built in {time.perf_counter() - started:.1f} s", file=sys.stderr)

    now = datetime(2026, 4, 5, tzinfo=timezone.utc)
    db = open_database(url)
    with db.session() as session:  # warm-up: fonts, imports (a running app has them)
        build_quarterly(quarterly_report(session, big, "2025-Q4", now=now), folder / "warm.pdf")
    timings = []
    for _ in range(5):
        t0, c0 = time.perf_counter(), time.process_time()
        with db.session() as session:
            report = quarterly_report(session, big, "2026-Q1", now=now)
        t1 = time.perf_counter()
        build_quarterly(report, folder / "quarterly.pdf")
        timings.append((time.perf_counter() - t0, t1 - t0, time.process_time() - c0))
    quarter_tickets = report.tickets_opened
    with db.session() as session:
        from desktop.models import Client
        names = dict(session.execute(select(Client.id, Client.name)).all())
    db.dispose()
    best = min(timings)

    jobs = report_export.plan_files([(cid, names[cid]) for cid in others], "monthly", "2026-03",
                                    folder / "monthly")
    (folder / "monthly").mkdir()
    import os
    import resource
    load_before = os.getloadavg()[0]
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    results = report_export.export_many(url, "monthly", "2026-03", jobs, now=now, processes=2)
    monthly_seconds = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    monthly_cpu = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
    failed = [r for r in results if r.path is None]

    figures = {
        "benchmark": "reports",
        "quarterly_tickets_in_quarter": quarter_tickets,
        "quarterly_seconds": round(best[0], 3),
        "quarterly_data_seconds": round(best[1], 3),
        "quarterly_cpu_seconds": round(min(t[2] for t in timings), 3),
        "quarterly_budget_seconds": 2.0,
        "monthly_clients": len(jobs),
        "monthly_seconds": round(monthly_seconds, 2),
        "monthly_cpu_seconds": round(monthly_cpu, 2),
        "monthly_budget_seconds": 60.0,
        "monthly_failed": len(failed),
        "processes": 2,
        "load_average_at_start": round(load_before, 1),
        "within_budget": best[0] < 2.0 and monthly_seconds < 60.0 and not failed,
    }
    print(json.dumps(figures))
    return 0 if figures["within_budget"] else 1


if __name__ == "__main__":
    sys.exit(main())
