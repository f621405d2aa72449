"""Demo data: a realistic Indian web agency's support desk (issue 2, DESIGN §6 ``aftercare demo``).

``generate_demo(db, clients=40, tickets=5000, seed=1)`` fills an empty database with staff,
clients with their contacts, warranty and paid contracts renewed over two years, maintenance
occurrences (mostly done, with outcomes, notes and figures) and tickets over the last 18 months
with their histories, time entries and satisfaction follow-ups. Every ticket's SLA fields and
coverage come from the SLA engine and coverage rules, evaluated at ``now``.

Same seed and same ``now`` give the same data, whatever the number of worker processes.

Speed (DESIGN §8: a million tickets in under 2 minutes on 2 cores): tickets are generated as
plain tuples in chunks of consecutive days by a pool of worker processes and written with
sqlite3 ``executemany`` or PostgreSQL ``COPY`` in one transaction; memory stays bounded because
only a few chunks are in flight at a time.
"""
from __future__ import annotations

import multiprocessing
import os
import random
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from desktop.errors import UserError
from desktop.models import Client, Contact, Contract, Holiday, Occurrence, ReportNote, Tier
from desktop.storage.changes import record_change
from desktop.storage.database import Database

from . import demo_text as text
from .demo_clients import TIER_ACTIVITY, ClientPlan, plan_clients
from .demo_load import BulkWriter
from .demo_maintenance import MaintenanceWork
from .demo_tickets import (DAY, IST_OFFSET, ChunkContext, ChunkRows, Segment, generate_chunk,
                           init_worker)
from .search import drop_search_objects, rebuild_search_index
from .seed import india_holidays
from .sla import SlaContext
from .staff import get_or_create_staff

UTC = timezone.utc
HISTORY_DAYS = 548  # tickets over the last 18 months
CHUNK_TICKETS = 50_000
POOL_THRESHOLD = 20_000  # below this many tickets a pool costs more than it saves
MAX_CLIENTS = 10_000
MAX_TICKETS = 10_000_000

Progress = Callable[[float, str], "bool | None"]


class DemoCancelled(UserError):
    """The user cancelled the demo generation; nothing was written."""


@dataclass(frozen=True)
class DemoSummary:
    clients: int
    contracts: int
    staff: int
    tickets: int
    events: int
    time_entries: int
    follow_ups: int
    occurrences: int
    seconds: float

    @property
    def line(self) -> str:
        return (f"demo data: {self.clients:,} clients, {self.contracts:,} contracts, "
                f"{self.tickets:,} tickets ({self.events:,} events, {self.time_entries:,} time "
                f"entries, {self.follow_ups:,} follow-ups), {self.occurrences:,} maintenance "
                f"occurrences, {self.staff} staff in {self.seconds:.1f} s")


def generate_demo(db: Database, clients: int = 40, tickets: int = 5000, seed: int = 1,
                  progress: Progress | None = None, now: datetime | None = None,
                  workers: int | None = None) -> DemoSummary:
    """Fill the empty database ``db`` with demo data (module docstring) and say what was made.

    Refuses, with a UserError and without writing anything, a database that already has
    clients. ``progress(fraction, message)`` is called now and then; returning False cancels
    (nothing is written). ``workers``: processes generating tickets (None: 2 for big runs, 0
    for small ones; the data does not depend on it). Workers start as fresh interpreters, so a
    script calling this for a big run needs the usual ``if __name__ == "__main__":`` guard.
    """
    started = time.monotonic()
    if clients < 1 or clients > MAX_CLIENTS:
        raise UserError(f"the number of clients must be between 1 and {MAX_CLIENTS:,}, "
                        f"not {clients}")
    if tickets < 0 or tickets > MAX_TICKETS:
        raise UserError(f"the number of tickets must be between 0 and {MAX_TICKETS:,}, "
                        f"not {tickets}")
    if db.read_only:
        raise UserError("this database is open read-only; demo data needs a writable one")
    now = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    today = (now + timedelta(seconds=IST_OFFSET)).date()  # the agency's date (IST)
    report = _Reporter(progress)

    with db.session() as session:
        existing = session.scalar(select(func.count()).select_from(Client))
    if existing:
        raise UserError(f"the database {db.display_name} already has {existing:,} clients; "
                        "demo data goes into an empty database only (name another with "
                        "--database)")
    if workers is None:
        workers = min(2, os.cpu_count() or 1) if tickets >= POOL_THRESHOLD else 0

    rng = random.Random(f"aftercare-demo:{seed}")
    counts: dict[str, int] = dict.fromkeys(
        ("events", "time_entries", "follow_ups", "occurrences"), 0)
    report(0.0, "clients and contracts")
    with db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        journal = None
        if sqlite:
            journal = _bulk_load_settings(connection)
        try:
            with connection.begin():
                session = Session(bind=connection, autoflush=False)
                _ensure_holidays(session, today)
                staff = _staff(session, rng)
                plans = plan_clients(clients, today, rng)
                _insert_clients(session, plans)
                if session.scalar(select(func.count()).select_from(Client)) != len(plans):
                    raise UserError("someone else added clients meanwhile; demo data was not "
                                    "written")
                dedicated = _dedicated(plans, staff, rng)
                _report_notes(session, plans, today, rng)
                report(0.02, "maintenance calendar")
                counts["occurrences"] = _maintenance(session, staff, dedicated, today, now, rng)
                sla = SlaContext.load(session)
                session.flush()
                report(0.05, "tickets")
                writer = BulkWriter(connection)
                drop_search_objects(connection)  # re-indexed once at the end: far faster
                if not sqlite:
                    # PostgreSQL builds an index from sorted rows far faster than it keeps one
                    # up to date through COPY. SQLite's cost is about the same either way, and
                    # row by row it overlaps with the workers instead of adding a serial tail.
                    writer.suspend_indexes()
                context = _chunk_context(plans, staff, dedicated, seed, now, today, sla,
                                         "" if sqlite else "+00")
                specs = _chunk_specs(context, tickets, rng)
                made = 0
                for rows in _generate(context, specs, workers):
                    writer.write(rows)
                    made += len(rows.tickets)
                    counts["events"] += len(rows.events)
                    counts["time_entries"] += len(rows.time_entries)
                    counts["follow_ups"] += len(rows.follow_ups)
                    report(0.05 + 0.9 * made / max(tickets, 1),
                           f"tickets {made:,} of {tickets:,}")
                report(0.97, "indexes")
                writer.finish()
                report(0.985, "search index")
                rebuild_search_index(connection)
                for kind in ("staff", "client", "contract", "occurrence", "ticket", "report"):
                    record_change(session, kind, None)
                session.close()
        finally:
            if sqlite:
                _normal_settings(connection, journal)
    if not sqlite:
        with db.engine.connect() as connection:  # fresh statistics for the queue's plans
            connection.exec_driver_sql("ANALYZE")
            connection.commit()
    report(1.0, "done")
    return DemoSummary(
        clients=len(plans), contracts=sum(len(p.contracts) for p in plans), staff=len(staff),
        tickets=tickets, events=counts["events"], time_entries=counts["time_entries"],
        follow_ups=counts["follow_ups"], occurrences=counts["occurrences"],
        seconds=time.monotonic() - started)


def _bulk_load_settings(connection) -> str | None:  # noqa: ANN001
    """SQLite settings for one big load. A rollback journal instead of the WAL: pages appended
    to an empty table need no journal, where the WAL would hold the whole load once more (only
    possible when no other connection has the file open; else the WAL stays). ``synchronous``
    off: a crash of the program still leaves a consistent file; only a power cut could not.
    Returns the journal mode to restore."""
    previous = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
    timeout = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
    connection.exec_driver_sql("PRAGMA busy_timeout = 0")  # another connection: don't wait
    try:
        connection.exec_driver_sql("PRAGMA journal_mode = DELETE")
    except OperationalError:
        connection.rollback()
    connection.exec_driver_sql(f"PRAGMA busy_timeout = {int(timeout)}")
    connection.exec_driver_sql("PRAGMA synchronous = OFF")
    connection.exec_driver_sql("PRAGMA cache_size = -262144")
    connection.commit()
    return previous


def _normal_settings(connection, journal: str | None) -> None:  # noqa: ANN001
    connection.exec_driver_sql("PRAGMA synchronous = NORMAL")
    connection.exec_driver_sql("PRAGMA cache_size = -2000")
    if journal and journal.lower() == "wal":
        connection.exec_driver_sql("PRAGMA journal_mode = WAL")
    connection.commit()


class _Reporter:
    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress

    def __call__(self, fraction: float, message: str) -> None:
        if self.progress is not None and self.progress(min(fraction, 1.0), message) is False:
            raise DemoCancelled("demo generation cancelled; nothing was written")


# --- clients, contracts, staff ----------------------------------------------------------------
def _ensure_holidays(session: Session, today: date) -> None:
    """The SLA of old tickets needs the holidays of their years: add India's for any year of the
    demo's history that has none yet (years the user already has are left alone)."""
    have = {d.year for d in session.scalars(select(Holiday.day))}
    years = [y for y in range(today.year - 2, today.year + 2) if y not in have]
    if years:
        session.add_all(Holiday(day=day, name=name) for day, name in india_holidays(years))
        session.flush()


def _staff(session: Session, rng: random.Random) -> list[tuple[int, str]]:
    """The support team: (id, display name); the first is the support manager."""
    team = text.STAFF[:rng.randint(4, 6)]
    staff = []
    for username, display_name in team:
        user = get_or_create_staff(session, username)
        if user.display_name in ("", username):
            user.display_name = display_name
            user.email = f"{username}@arukz.com"
        staff.append(user)
    session.flush()
    return [(user.id, user.display_name or user.username) for user in staff]


def _insert_clients(session: Session, plans: list[ClientPlan]) -> None:
    tiers = {tier.code: tier for tier in session.scalars(select(Tier))}
    for plan in plans:
        created = datetime(plan.handover.year, plan.handover.month, plan.handover.day,
                           tzinfo=UTC) - timedelta(days=90)
        client = Client(name=plan.name, email=plan.email, phone=plan.phone,
                        website=plan.website, created_at=created)
        client.contacts = [Contact(name=c.name, email=c.email, phone=c.phone, role=c.role,
                                   receives_reports=c.receives_reports) for c in plan.contacts]
        session.add(client)
        session.flush()
        plan.id = client.id
        previous = None
        for contract_plan in plan.contracts:
            tier = tiers[contract_plan.tier]
            contract = Contract(
                client_id=client.id, tier_code=tier.code, start=contract_plan.start,
                end=contract_plan.end, monthly_fee=tier.monthly_fee, currency=tier.currency,
                content_minutes_allowance=tier.content_minutes_per_month,
                handover_date=contract_plan.handover,
                renewed_from_id=previous.id if (previous is not None
                                                and contract_plan.renews_previous) else None,
                notes=contract_plan.notes)
            session.add(contract)
            session.flush()
            contract_plan.id = contract.id
            previous = contract


def _report_notes(session: Session, plans: list[ClientPlan], today: date,
                  rng: random.Random) -> None:
    """The manager's words kept with the reports: a summary for each of the last three months
    and recommendations for the last quarter, for clients under a paid contract then."""
    months = []
    year, month = today.year, today.month
    for _ in range(3):
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        months.append((year, month))
    quarter_year, quarter = ((today.year, (today.month - 1) // 3) if today.month > 3
                             else (today.year - 1, 4))
    quarter_end = date(quarter_year, quarter * 3, 28)
    notes = []
    for plan in plans:
        for year, month in months:
            contract = plan.contract_on(date(year, month, 28))
            if contract is not None and contract.tier != "warranty":
                notes.append(ReportNote(client_id=plan.id, kind="monthly_summary",
                                        period=f"{year}-{month:02d}",
                                        body=rng.choice(text.MONTHLY_SUMMARIES)))
        contract = plan.contract_on(quarter_end)
        if contract is not None and contract.tier in ("standard", "premium"):
            notes.append(ReportNote(client_id=plan.id, kind="quarterly_recommendations",
                                    period=f"{quarter_year}-Q{quarter}",
                                    body=rng.choice(text.QUARTERLY_RECOMMENDATIONS)))
    session.add_all(notes)
    session.flush()


def _maintenance(session: Session, staff: list[tuple[int, str]], dedicated: dict[int, int],
                 today: date, now: datetime, rng: random.Random) -> int:
    """Generate the occurrences of every contract and mark most past ones done."""
    from .maintenance import regenerate

    regenerate(session, today)
    session.flush()
    rows = session.execute(
        select(Occurrence.id, Occurrence.client_id, Occurrence.task, Occurrence.due)
        .order_by(Occurrence.client_id, Occurrence.due, Occurrence.task)).all()
    work = MaintenanceWork(random.Random(rng.random()), [sid for sid, _ in staff])
    updates = []
    for occ_id, client_id, task, due in rows:
        if due >= today:
            continue
        # older ones are nearly all done; the last weeks leave some overdue
        chance = 0.99 if (today - due).days > 45 else 0.8
        if work.rng.random() >= chance:
            continue
        values = work.done(client_id, task, due, now, dedicated.get(client_id))
        values["occurrence_id"] = occ_id
        updates.append(values)
    if updates:
        session.connection().execute(
            update(Occurrence).where(Occurrence.id == bindparam("occurrence_id"))
            .values(done_at=bindparam("done_at"), done_by_id=bindparam("done_by_id"),
                    outcome=bindparam("outcome"), notes=bindparam("notes"),
                    figures=bindparam("figures")),
            updates)
    return len(rows)


def _dedicated(plans: list[ClientPlan], staff: list[tuple[int, str]],
               rng: random.Random) -> dict[int, int]:
    """Premium clients have a dedicated support manager (DESIGN §2)."""
    return {plan.id: rng.choice(staff)[0] for plan in plans
            if any(c.tier == "premium" for c in plan.contracts)}


# --- tickets ----------------------------------------------------------------------------------
def _chunk_context(plans: list[ClientPlan], staff: list[tuple[int, str]],
                   dedicated: dict[int, int], seed: int,
                   now: datetime, today: date, sla: SlaContext, tz_suffix: str) -> ChunkContext:
    first_day = today - timedelta(days=HISTORY_DAYS - 1)
    day_starts, day_segment, segments = [], [], []
    seen: dict[tuple, int] = {}
    for i in range(HISTORY_DAYS):
        day = first_day + timedelta(days=i)
        key, weights = [], []
        for plan in plans:
            if plan.handover > day:
                continue
            contract = plan.contract_on(day)
            tier = contract.tier if contract else None
            key.append((plan.id, contract.id if contract else None, tier))
            weights.append(plan.activity * TIER_ACTIVITY[tier])
        key = tuple(key)
        if key not in seen:
            cumulative, total = [], 0.0
            for weight in weights:
                total += weight
                cumulative.append(total)
            seen[key] = len(segments)
            segments.append(Segment(tuple(k[0] for k in key), tuple(k[1] for k in key),
                                    tuple(k[2] for k in key), tuple(cumulative)))
        day_segment.append(seen[key])
        day_starts.append((day - date(1970, 1, 1)).days * DAY - IST_OFFSET)
    return ChunkContext(
        seed=seed, now_ts=int(now.timestamp()), day_starts=day_starts, day_segment=day_segment,
        segments=segments, staff=staff, dedicated=dedicated,
        contacts={plan.id: [c.name.split()[0] for c in plan.contacts] for plan in plans},
        sla=sla, tz_suffix=tz_suffix)


def _chunk_specs(context: ChunkContext, tickets: int, rng: random.Random,
                 chunk: int | None = None) -> list[tuple[int, int, list[tuple[int, int]]]]:
    """Split ``tickets`` over the days (busier as the agency grows, quieter at weekends, only
    from clients already handed over) and the days into chunks of about CHUNK_TICKETS."""
    weights = []
    n_days = len(context.day_starts)
    for i, start in enumerate(context.day_starts):
        weekday = ((start + IST_OFFSET) // DAY + 3) % 7
        factor = 0.3 if weekday == 5 else 0.15 if weekday == 6 else 1.0
        growth = 1.0 + 0.6 * i / n_days
        weights.append(context.segments[context.day_segment[i]].total * factor * growth
                       * rng.uniform(0.85, 1.15))
    total = sum(weights)
    if total <= 0 or tickets == 0:
        return []
    # largest remainder: whole tickets per day adding up to exactly ``tickets``
    shares = [w * tickets / total for w in weights]
    counts = [int(s) for s in shares]
    short = tickets - sum(counts)
    for i in sorted(range(n_days), key=lambda i: counts[i] - shares[i])[:short]:
        counts[i] += 1
    chunk = chunk or CHUNK_TICKETS
    specs, days, in_chunk, first_id = [], [], 0, 1
    for i, count in enumerate(counts):
        while count:
            take = min(count, chunk - in_chunk)
            days.append((i, take))
            in_chunk += take
            count -= take
            if in_chunk == chunk:
                specs.append((len(specs), first_id, days))
                first_id += in_chunk
                days, in_chunk = [], 0
    if days:
        specs.append((len(specs), first_id, days))
    return specs


def _generate(context: ChunkContext, specs: list, workers: int):  # noqa: ANN202
    """The chunks' rows in order; with workers, a few chunks ahead at most (bounded memory).

    The workers start from a fresh interpreter ("forkserver", else "spawn"), never as a fork of
    this process: a fork would inherit whatever locks other threads of the program hold at that
    moment. When the caller stops early (cancel, error), the chunks in flight are allowed to
    finish and the pool is closed and joined, rather than terminated mid-write."""
    if workers <= 0 or len(specs) <= 1:
        init_worker(context)
        for spec in specs:
            yield generate_chunk(spec)
        return
    methods = multiprocessing.get_all_start_methods()
    mp = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    pool = mp.Pool(workers, initializer=init_worker, initargs=(context,))
    pending: deque = deque()
    try:
        queue = iter(specs)
        for spec in queue:
            pending.append(pool.apply_async(generate_chunk, (spec,)))
            if len(pending) > workers:
                break
        while pending:
            rows: ChunkRows = pending.popleft().get()
            for spec in queue:
                pending.append(pool.apply_async(generate_chunk, (spec,)))
                break
            yield rows
    finally:
        for result in pending:
            result.wait()
        pool.close()
        pool.join()
