"""Coverage: is a ticket part of its contract, or out of scope and billable (DESIGN §2)?

The category × tier table and the channel rules of DESIGN §2, each verdict with a reason in the
support manager's words ("Content updates are not part of the Basic tier"). The manager may
override a verdict with a written reason; that lives on the ticket (``scope_override``) and in
its audit trail, and ``Ticket.is_in_scope`` gives the verdict in force.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from . import catalog

TIER_NAMES = {code: name for code, name, *_ in catalog.TIERS}

# category: (plural noun for the reason, tiers that include it)
CATEGORY_RULES: dict[str, tuple[str, frozenset[str]]] = {
    "bug_fix": ("Bug fixes", frozenset({"warranty", "basic", "standard", "premium"})),
    "technical_issue": ("Technical issues", frozenset({"warranty", "basic", "standard",
                                                       "premium"})),
    "functionality": ("Functionality problems", frozenset({"warranty", "basic", "standard",
                                                           "premium"})),
    "documentation": ("Documentation updates", frozenset({"warranty", "standard", "premium"})),
    "security_update": ("Security updates", frozenset({"basic", "standard", "premium"})),
    "content_update": ("Content updates", frozenset({"standard", "premium"})),
    "performance": ("Performance work", frozenset({"standard", "premium"})),
    "new_feature": ("New features and enhancements", frozenset({"premium"})),
    "training": ("Training", frozenset()),
    "third_party": ("Third-party issues", frozenset()),
}

SINGULAR = frozenset({"Performance work", "Training"})

# channel: tiers that offer it (None: every tier)
CHANNEL_RULES: dict[str, frozenset[str] | None] = {
    "email": None,
    "portal": None,
    "phone": frozenset({"standard", "premium"}),
    "emergency": frozenset({"premium"}),
}
CHANNEL_REASONS = {
    "phone": "Phone support needs a Standard or Premium contract",
    "emergency": "24/7 emergency support needs a Premium contract",
}


@dataclass(frozen=True)
class Verdict:
    in_scope: bool
    reason: str


def _tier_name(tier_code: str) -> str:
    return TIER_NAMES.get(tier_code, tier_code.replace("_", " ").title())


def coverage_verdict(tier_code: str | None, category: str, channel: str) -> Verdict:
    """The coverage verdict for a ticket of ``category`` arriving by ``channel`` under a contract
    of ``tier_code`` (None or ``"none"``: no active contract on the ticket's creation date).

    Out of scope when there is no contract, when the tier does not include the category, or
    when the tier does not offer the channel; the reason names every rule that failed.
    Content updates are in scope for standard and premium within the monthly allowance; time
    beyond it is billable (see ``services.allowance``).
    """
    if not tier_code or tier_code == catalog.NO_CONTRACT:
        return Verdict(False, "No active support contract on the ticket's creation date; "
                              "the work is billable")
    tier = _tier_name(tier_code)
    problems = []
    noun, tiers = CATEGORY_RULES.get(category, (category.replace("_", " ").capitalize(),
                                                frozenset()))
    verb = "is" if noun in SINGULAR else "are"
    if tier_code not in tiers:
        if not tiers:
            problems.append(f"{noun} {verb} not covered by any support tier")
        else:
            problems.append(f"{noun} {verb} not part of the {tier} tier")
    offered = CHANNEL_RULES.get(channel, None)
    if offered is not None and tier_code not in offered:
        problems.append(CHANNEL_REASONS[channel])
    if problems:
        return Verdict(False, "; ".join(problems))
    if category == "content_update":
        return Verdict(True, f"Content updates are part of the {tier} tier within the monthly "
                             "allowance; time beyond it is billable")
    return Verdict(True, f"{noun} {verb} part of the {tier} tier")


def apply_coverage(ticket) -> Verdict:  # noqa: ANN001
    """Compute the verdict from the ticket's contract tier, category and channel and store it
    (``in_scope``, ``scope_reason``). A manager's override is left as it is."""
    contract = ticket.contract
    tier = contract.tier_code if contract is not None else None
    verdict = coverage_verdict(tier, ticket.category, ticket.channel)
    if ticket.in_scope != verdict.in_scope:
        ticket.in_scope = verdict.in_scope
    if ticket.scope_reason != verdict.reason:
        ticket.scope_reason = verdict.reason
    return verdict


def local_date(instant: datetime, zone) -> date:  # noqa: ANN001
    """The agency-local calendar date of an instant (contracts' dates are local dates)."""
    return instant.astimezone(zone).date()


def contract_in_force(session, client_id: int, created_at: datetime, zone=None):  # noqa: ANN001
    """The client's contract in force on the ticket's creation date (local to the agency's time
    zone; ``end`` inclusive), or None. With several, the latest-starting one."""
    from sqlalchemy import select

    from desktop.models import Contract

    if zone is None:
        from .settings import load_settings

        zone = load_settings(session).zone
    day = local_date(created_at, zone)
    return session.scalars(
        select(Contract).where(Contract.client_id == client_id, Contract.start <= day,
                               Contract.end >= day)
        .order_by(Contract.start.desc(), Contract.id.desc()).limit(1)).first()
