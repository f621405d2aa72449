"""The writer that bench.crash kills: commits small changes forever and reports each commit.

Each line on stdout, flushed after the commit returned, is a promise: ``COMMIT <kind> <marker>``.
"""
from __future__ import annotations

import random
import sys
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select

from desktop.models import Client, Contract, Occurrence, Ticket, TicketEvent
from desktop.storage.database import open_database


def prepare(url: str) -> None:
    """A small database: one client, a contract, 50 tickets, 12 occurrences."""
    db = open_database(url)
    now = datetime(2026, 11, 2, 10, 0, tzinfo=timezone.utc)
    with db.transaction() as s:
        client = Client(name="Crash Test Industries", email="ops@crashtest.in")
        s.add(client)
        s.flush()
        contract = Contract(client_id=client.id, tier_code="standard", start=date(2026, 1, 1),
                            end=date(2026, 12, 31), monthly_fee=30000, currency="INR",
                            content_minutes_allowance=240)
        s.add(contract)
        s.flush()
        for n in range(1, 51):
            s.add(Ticket(number=n, client_id=client.id, contract_id=contract.id,
                         title=f"Ticket {n}", priority="medium", status="new",
                         category="bug_fix", channel="email", created_at=now, updated_at=now))
        for month in range(1, 13):
            s.add(Occurrence(contract_id=contract.id, client_id=client.id, task="backup_verification",
                             name="Backup verification", cadence="monthly",
                             period_key=f"2026-{month:02d}", due=date(2026, month, 28)))
    db.dispose()


def write_forever(url: str, seed: int) -> None:
    rng = random.Random(seed)
    db = open_database(url)
    counter = 0
    while True:
        counter += 1
        marker = f"{seed}-{counter}"
        kind = rng.choice(["ticket", "occurrence", "client"])
        with db.transaction() as s:
            if kind == "ticket":
                ticket = s.scalar(select(Ticket).where(Ticket.number == rng.randint(1, 50)))
                at = datetime.now(timezone.utc)
                s.add(TicketEvent(ticket_id=ticket.id, at=at, type="note", body=marker))
                ticket.updated_at = at
                ticket.status = rng.choice(["acknowledged", "in_progress", "waiting_on_client"])
            elif kind == "occurrence":
                occ = s.scalar(select(Occurrence).where(
                    Occurrence.period_key == f"2026-{rng.randint(1, 12):02d}"))
                occ.done_at = datetime.now(timezone.utc) - timedelta(minutes=counter)
                occ.outcome = "ok"
                occ.notes = marker
                occ.figures = {"marker": marker, "restore_tested": True}
            else:
                s.add(Client(name=f"Client {marker}", notes=marker * 20))
        print(f"COMMIT {kind} {marker}", flush=True)


def import_forever(url_pattern: str, dump_path: str, seed: int) -> None:
    """Import the same dump into fresh databases; report each import that returned."""
    from desktop.services.dump import import_dump

    n = 0
    while True:
        n += 1
        url = url_pattern.format(n=n)
        db = open_database(url)
        print(f"START import {n}", flush=True)
        import_dump(db, dump_path)
        db.dispose()
        print(f"COMMIT import {n}", flush=True)


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "prepare":
        prepare(sys.argv[2])
    elif mode == "write":
        write_forever(sys.argv[2], int(sys.argv[3]))
    elif mode == "import":
        import_forever(sys.argv[2], sys.argv[3], int(sys.argv[4]))
