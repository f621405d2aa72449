"""Hand-made queue data shared by the queue and ticket tests (not a test module)."""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from desktop.models import Client, Contract, StaffUser, Ticket

UTC = timezone.utc


@dataclass
class World:
    clients: dict[str, int]
    staff: dict[str, int]
    contracts: dict[str, int]


def make_world(session) -> World:  # noqa: ANN001
    """Three clients (standard, basic, none), two staff."""
    clients, contracts = {}, {}
    for name, tier in (("Sharma Textiles", "standard"), ("Kaveri Ayurveda", "basic"),
                       ("Deccan Silks", None)):
        client = Client(name=name, email="", phone="", website="", notes="")
        session.add(client)
        session.flush()
        clients[name] = client.id
        if tier:
            contract = Contract(client_id=client.id, tier_code=tier, start=date(2020, 1, 1),
                                end=date(2035, 12, 31), monthly_fee=Decimal("15000.00"),
                                currency="INR", content_minutes_allowance=0, notes="")
            session.add(contract)
            session.flush()
            contracts[name] = contract.id
    staff = {}
    for username, display in (("asha", "Asha Rao"), ("ravi", "Ravi Menon")):
        user = StaffUser(username=username, display_name=display, email="")
        session.add(user)
        session.flush()
        staff[username] = user.id
    return World(clients, staff, contracts)


WORDS = ("payment gateway broken", "contact form not working", "typo on about page",
         "login issues for members", "image not displaying", "search not functioning",
         "broken link in footer", "colour adjustment header")
PRIORITIES = ("critical", "high", "medium", "low")
STATUSES = ("new", "acknowledged", "in_progress", "waiting_on_client", "resolved", "closed")


def add_tickets(session, world: World, count: int, now: datetime, seed: int = 7) -> list[int]:  # noqa: ANN001
    """``count`` tickets with stored SLA fields chosen at random (not via the SLA engine: the
    queue only reads what is stored). Returns their ids in creation order."""
    rng = random.Random(seed)
    names = list(world.clients)
    staff = [None] + list(world.staff.values())
    ids = []
    start = session.query(Ticket).count()
    for i in range(count):
        client = rng.choice(names)
        status = rng.choice(STATUSES)
        open_ = status not in ("resolved", "closed")
        created = now - timedelta(minutes=rng.randrange(10, 60 * 24 * 20))
        due = None
        if open_ and status != "waiting_on_client":
            due = now + timedelta(minutes=rng.randrange(-600, 3000))
        # several tickets share a due instant: ties must order the same on every path
        if due is not None and rng.random() < 0.2:
            due = now + timedelta(hours=1)
        ticket = Ticket(
            number=start + i + 1, client_id=world.clients[client],
            contract_id=world.contracts.get(client), title=rng.choice(WORDS).capitalize(),
            description=f"Reported by {rng.choice(['Swati', 'Arjun', 'Meena'])} by e-mail",
            priority=rng.choice(PRIORITIES), status=status,
            category=rng.choice(("bug_fix", "content_update", "new_feature")),
            channel=rng.choice(("email", "phone")), assignee_id=rng.choice(staff),
            created_at=created, updated_at=created + timedelta(minutes=rng.randrange(0, 600)),
            first_response_at=created + timedelta(minutes=5) if rng.random() < 0.5 else None,
            resolved_at=created + timedelta(hours=2) if not open_ else None,
            clock="business", response_due_at=due, resolution_due_at=due, sla_due_at=due,
            resolution_paused=status == "waiting_on_client", resolution_used_minutes=0,
            response_breached=rng.random() < 0.1, resolution_breached=False,
            in_scope=rng.random() < 0.8, scope_reason="",
            scope_override=rng.choice((None, None, None, True, False)), override_reason="")
        session.add(ticket)
        session.flush()
        ids.append(ticket.id)
    return ids
