"""Demo clients, contacts and contracts as plain data (used by ``services.demo``).

Each client was handed over some time in the last two years and got a warranty of 30–90 days
(DESIGN §2); most then bought a paid tier on yearly terms, renewed (sometimes upgraded or
downgraded) until today; some let it lapse, some are still in their warranty. The archetypes
rotate so that every tier is present from four clients on.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from . import demo_text as text

ARCHETYPES = ("premium", "standard", "basic", "warranty", "standard", "basic", "premium",
              "standard", "lapsed", "basic")
PAID = ("basic", "standard", "premium")
WARRANTY_DAYS = (30, 45, 60, 90)
# how often a client of each tier writes in, relative to the others (no contract: rarely)
TIER_ACTIVITY = {"premium": 6.0, "standard": 4.0, "basic": 2.5, "warranty": 3.0, None: 0.6}


@dataclass
class ContactPlan:
    name: str
    email: str
    phone: str
    role: str
    receives_reports: bool


@dataclass
class ContractPlan:
    tier: str
    start: date
    end: date  # inclusive
    handover: date | None = None
    renews_previous: bool = False
    notes: str = ""
    id: int | None = None  # set once inserted


@dataclass
class ClientPlan:
    name: str
    email: str
    phone: str
    website: str
    archetype: str
    handover: date
    activity: float
    contacts: list[ContactPlan] = field(default_factory=list)
    contracts: list[ContractPlan] = field(default_factory=list)
    id: int | None = None

    def contract_on(self, day: date) -> ContractPlan | None:
        """The contract in force on ``day`` (the latest-starting one), or None."""
        found = None
        for contract in self.contracts:
            if contract.start <= day <= contract.end:
                found = contract
        return found


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def plan_clients(count: int, today: date, rng: random.Random) -> list[ClientPlan]:
    names = text.client_names(count, rng)
    plans = []
    for i, name in enumerate(names):
        archetype = ARCHETYPES[i % len(ARCHETYPES)]
        domain = text.domain_for(name, rng)
        if archetype == "warranty":
            handover = today - timedelta(days=rng.randint(5, 50))
        else:
            handover = today - timedelta(days=rng.randint(120, 730))
        plan = ClientPlan(
            name=name, email=f"{rng.choice(('info', 'contact', 'hello', 'support'))}@{domain}",
            phone=text.landline(rng) if rng.random() < 0.5 else text.indian_mobile(rng),
            website=f"https://www.{domain}", archetype=archetype, handover=handover,
            activity=rng.uniform(0.5, 1.6))
        plan.contacts = _contacts(domain, rng)
        plan.contracts = _contracts(archetype, handover, today, rng)
        plans.append(plan)
    return plans


def _contacts(domain: str, rng: random.Random) -> list[ContactPlan]:
    contacts = []
    used = set()
    for j in range(rng.choice((1, 2, 2, 3))):
        first = rng.choice(text.FIRST_NAMES)
        last = rng.choice(text.LAST_NAMES)
        if (first, last) in used:
            continue
        used.add((first, last))
        style = rng.random()
        local = (f"{first}.{last}" if style < 0.5 else first if style < 0.8
                 else f"{first[0]}{last}").lower()
        role = "Owner" if j == 0 else rng.choice(text.CONTACT_ROLES[1:])
        contacts.append(ContactPlan(f"{first} {last}", f"{local}@{domain}",
                                    text.indian_mobile(rng), role,
                                    j == 0 or rng.random() < 0.5))
    return contacts


def _contracts(archetype: str, handover: date, today: date,
               rng: random.Random) -> list[ContractPlan]:
    days = rng.choice(WARRANTY_DAYS)
    warranty = ContractPlan("warranty", handover, handover + timedelta(days=days - 1), handover,
                            notes=f"{days}-day warranty after the handover")
    contracts = [warranty]
    if archetype == "warranty":
        return contracts
    tier = archetype if archetype in PAID else rng.choice(PAID)
    r = rng.random()
    gap = 0 if r < 0.7 else rng.randint(1, 20) if r < 0.9 else rng.randint(30, 60)
    start = warranty.end + timedelta(days=1 + gap)
    first = True
    while start <= today:
        end = add_years(start, 1) - timedelta(days=1)
        notes = ("First paid support year after the warranty" if first
                 else "Renewed for another year")
        contracts.append(ContractPlan(tier, start, end, renews_previous=not first, notes=notes))
        if archetype == "lapsed":
            break
        first = False
        r = rng.random()
        i = PAID.index(tier)
        if r < 0.15 and i < 2:
            tier = PAID[i + 1]
        elif r < 0.25 and i > 0:
            tier = PAID[i - 1]
        start = end + timedelta(days=1)
    return contracts
