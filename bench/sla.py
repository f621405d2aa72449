"""Benchmark: evaluate the SLA of 100,000 demo-like tickets (DESIGN §8; issue 3).

Builds plain tickets in memory (a seeded random mix of tiers, priorities and timelines over two
years: replies, waits on the client, reopenings, priority changes), then times ``evaluate`` on
all of them. Prints one JSON line last: {"tickets", "seconds", "tickets_per_s", "budget_s"}.

    python -m bench.sla [--tickets N] [--seed S]
"""
from __future__ import annotations

import argparse
import json
import random
import time
from datetime import date, datetime, timedelta, timezone

from desktop.services.business_calendar import BusinessCalendar
from desktop.services.seed import india_holidays
from desktop.services.sla import SlaEvent, SlaPolicyTable, evaluate

BUDGET_S = 5.0
TIERS = [None, "warranty", "basic", "standard", "premium"]
PRIORITIES = ["critical", "high", "medium", "low"]


def demo_tickets(count: int, seed: int) -> list[tuple]:
    """(created_at, priority, tier, events) tuples, like the demo generator's."""
    rng = random.Random(seed)
    start = datetime(2025, 1, 1, tzinfo=timezone.utc)
    span = 2 * 365 * 24 * 3600
    tickets = []
    for _ in range(count):
        created = start + timedelta(seconds=rng.randrange(span))
        priority = rng.choices(PRIORITIES, weights=[5, 20, 45, 30])[0]
        tier = rng.choices(TIERS, weights=[5, 10, 25, 35, 25])[0]
        events = []
        at = created
        step = lambda: timedelta(minutes=rng.randrange(5, 60 * 30))  # noqa: E731
        if rng.random() < 0.3:
            at += step()
            events.append(SlaEvent(at, "note"))
        if rng.random() < 0.1:
            at += step()
            events.append(SlaEvent(at, "priority", priority=rng.choice(PRIORITIES)))
        at += step()
        events.append(SlaEvent(at, "reply", public=True) if rng.random() < 0.5
                      else SlaEvent(at, "status", status="acknowledged"))
        if rng.random() < 0.8:
            at += step()
            events.append(SlaEvent(at, "status", status="in_progress"))
            if rng.random() < 0.3:
                at += step()
                events.append(SlaEvent(at, "status", status="waiting_on_client"))
                at += step()
                events.append(SlaEvent(at, "status", status="in_progress"))
            if rng.random() < 0.85:
                at += step()
                events.append(SlaEvent(at, "status", status="resolved"))
                if rng.random() < 0.1:
                    at += step()
                    events.append(SlaEvent(at, "status", status="in_progress"))
                    at += step()
                    events.append(SlaEvent(at, "status", status="resolved"))
                if rng.random() < 0.6:
                    at += step()
                    events.append(SlaEvent(at, "status", status="closed"))
        tickets.append((created, priority, tier, events))
    return tickets


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args(argv)
    tickets = demo_tickets(args.tickets, args.seed)
    holidays = [d for d, _ in india_holidays([2025, 2026, 2027])]
    calendar = BusinessCalendar(holidays=holidays)
    policies = SlaPolicyTable()
    now = datetime(2027, 1, 15, 12, tzinfo=timezone.utc)
    states: dict[str, int] = {}
    began = time.perf_counter()
    for created, priority, tier, events in tickets:
        result = evaluate(created, priority, tier, events, policies, calendar, now)
        states[result.resolution.state] = states.get(result.resolution.state, 0) + 1
    seconds = time.perf_counter() - began
    print(f"resolution states: {dict(sorted(states.items()))}")
    print(json.dumps({"tickets": args.tickets, "seconds": round(seconds, 3),
                      "tickets_per_s": round(args.tickets / seconds),
                      "budget_s": BUDGET_S, "within_budget": seconds < BUDGET_S}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
