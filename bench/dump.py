"""Benchmark: import and export a portable dump of 100,000 tickets (DESIGN §7; issue 2).

Builds a seeded dump in the shape of ``tests/data/sample_dump.json`` (40 clients over all four
tiers, tickets over 18 months with 2–8 events each and some time entries), writes it to a
temporary file, then times ``aftercare import`` into a fresh database and ``aftercare export``
back out, and checks that the export imports again. Prints one JSON line last:
{"tickets", "events", "import_s", "export_s", "import_cpu_s", "export_cpu_s", "file_mb",
"budget_s"}.

    python -m bench.dump [--tickets N] [--database postgresql://postgres@127.0.0.1/DB]
"""
from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

BUDGET_S = 30.0  # each way: "seconds, not minutes"
IST = timezone(timedelta(hours=5, minutes=30))
TIERS = ["warranty", "basic", "standard", "premium"]
FEES = {"warranty": "0.00", "basic": "15000.00", "standard": "30000.00", "premium": "60000.00"}
PRIORITIES = ["critical", "high", "medium", "low"]
CATEGORIES = ["bug_fix", "technical_issue", "functionality", "documentation", "security_update",
              "content_update", "performance", "new_feature", "training", "third_party"]
CHANNELS = ["email", "email", "email", "portal", "phone", "emergency"]
STAFF = ["priya", "rahul", "anita", "vikram", "meera"]


def build_dump(tickets: int, clients: int = 40, seed: int = 7) -> dict:
    rng = random.Random(seed)
    start = datetime(2025, 6, 1, 9, 0, tzinfo=IST)
    client_docs = []
    for i in range(clients):
        tier = TIERS[i % 4]
        client_docs.append({
            "name": f"Client {i:03d} Pvt Ltd", "email": f"it@client{i:03d}.in",
            "phone": f"+91 98{i:03d} 00000",
            "contacts": [{"name": f"Contact {i}", "email": f"owner@client{i:03d}.in",
                          "phone": "+91 90000 00000", "role": "Owner"}],
            "contracts": [{"tier": tier, "start": "2025-06-01", "end": "2027-05-31",
                           "monthly_fee": FEES[tier], "currency": "INR"}]})
    ticket_docs = []
    for n in range(tickets):
        created = start + timedelta(minutes=rng.randrange(0, 540 * 24 * 60))
        at = created
        events = []
        for status in ("acknowledged", "in_progress", "waiting_on_client", "in_progress",
                       "resolved", "closed")[:rng.randint(1, 6)]:
            at += timedelta(minutes=rng.randint(5, 600))
            events.append({"at": at.isoformat(), "type": "status", "author": rng.choice(STAFF),
                           "status": status})
            if rng.random() < 0.3:
                at += timedelta(minutes=1)
                events.append({"at": at.isoformat(), "type": "reply",
                               "author": rng.choice(STAFF), "body": "We are on it."})
        category = rng.choice(CATEGORIES)
        ticket_docs.append({
            "number": n + 1, "client": client_docs[rng.randrange(clients)]["name"],
            "title": f"Issue {n + 1}: contact form not sending", "description": "Details.",
            "priority": rng.choice(PRIORITIES), "category": category,
            "channel": rng.choice(CHANNELS), "created_at": created.isoformat(),
            "assignee": rng.choice(STAFF), "events": events,
            "time_entries": [{"date": created.date().isoformat(), "minutes": rng.randint(10, 120),
                              "category": category, "note": "", "author": rng.choice(STAFF)}]
            if rng.random() < 0.5 else []})
    return {"format": "aftercare", "version": 1, "clients": client_docs, "tickets": ticket_docs,
            "maintenance": []}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--database", help="an empty database URL (default: a temporary "
                                           "SQLite file)")
    args = parser.parse_args(argv)

    from desktop.services.dump import export_dump, import_dump
    from desktop.storage.database import open_database

    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        source = folder / "source.json"
        document = build_dump(args.tickets)
        source.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        events = sum(len(t["events"]) for t in document["tickets"])
        del document
        db = open_database(args.database or f"sqlite:///{folder / 'bench.db'}")
        # Wall time, and this process's CPU time (the machine may be shared; the CPU time
        # does not count the PostgreSQL server's work).
        began, began_cpu = time.perf_counter(), time.process_time()
        summary = import_dump(db, source)
        import_s = time.perf_counter() - began
        import_cpu_s = time.process_time() - began_cpu
        target = folder / "export.json"
        began, began_cpu = time.perf_counter(), time.process_time()
        export_dump(db, target)
        export_s = time.perf_counter() - began
        export_cpu_s = time.process_time() - began_cpu
        db.dispose()
        again = open_database(f"sqlite:///{folder / 'again.db'}")
        import_dump(again, target)
        again.dispose()
        print(json.dumps({"benchmark": "dump", "tickets": summary.tickets, "events": events,
                          "import_s": round(import_s, 2), "export_s": round(export_s, 2),
                          "import_cpu_s": round(import_cpu_s, 2),
                          "export_cpu_s": round(export_cpu_s, 2),
                          "file_mb": round(target.stat().st_size / 1e6, 1),
                          "database": "postgresql" if args.database else "sqlite",
                          "budget_s": BUDGET_S}))


if __name__ == "__main__":
    main()
