"""Coverage verdicts: the category × tier table and the channel rules of DESIGN §2."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from types import SimpleNamespace

import pytest

from desktop.services.coverage import apply_coverage, contract_in_force, coverage_verdict

Y, N = True, False
# the DESIGN §2 table, row by row: warranty, basic, standard, premium
TABLE = {
    "bug_fix": (Y, Y, Y, Y),
    "technical_issue": (Y, Y, Y, Y),
    "functionality": (Y, Y, Y, Y),
    "documentation": (Y, N, Y, Y),
    "security_update": (N, Y, Y, Y),
    "content_update": (N, N, Y, Y),
    "performance": (N, N, Y, Y),
    "new_feature": (N, N, N, Y),
    "training": (N, N, N, N),
    "third_party": (N, N, N, N),
}
TIERS = ("warranty", "basic", "standard", "premium")


@pytest.mark.parametrize("category", TABLE)
@pytest.mark.parametrize("tier", TIERS)
def test_every_cell_of_the_coverage_table(category, tier):
    verdict = coverage_verdict(tier, category, "email")
    assert verdict.in_scope is TABLE[category][TIERS.index(tier)]
    assert verdict.reason


def test_reasons_are_in_plain_words():
    assert coverage_verdict("basic", "content_update", "email").reason == \
        "Content updates are not part of the Basic tier"
    assert coverage_verdict("warranty", "security_update", "email").reason == \
        "Security updates are not part of the Warranty tier"
    assert coverage_verdict("premium", "training", "email").reason == \
        "Training is not covered by any support tier"
    assert coverage_verdict("premium", "performance", "email").reason == \
        "Performance work is part of the Premium tier"
    assert coverage_verdict("standard", "bug_fix", "email").reason == \
        "Bug fixes are part of the Standard tier"
    assert "within the monthly allowance" in \
        coverage_verdict("standard", "content_update", "email").reason
    assert coverage_verdict("premium", "third_party", "portal").reason == \
        "Third-party issues are not covered by any support tier"


@pytest.mark.parametrize("tier,phone,emergency", [
    ("warranty", N, N), ("basic", N, N), ("standard", Y, N), ("premium", Y, Y)])
def test_channel_rules(tier, phone, emergency):
    assert coverage_verdict(tier, "bug_fix", "phone").in_scope is phone
    assert coverage_verdict(tier, "bug_fix", "emergency").in_scope is emergency
    assert coverage_verdict(tier, "bug_fix", "email").in_scope
    assert coverage_verdict(tier, "bug_fix", "portal").in_scope


def test_channel_reasons():
    assert coverage_verdict("basic", "bug_fix", "phone").reason == \
        "Phone support needs a Standard or Premium contract"
    assert coverage_verdict("standard", "bug_fix", "emergency").reason == \
        "24/7 emergency support needs a Premium contract"
    # both rules fail: both are named
    assert coverage_verdict("basic", "performance", "phone").reason == \
        "Performance work is not part of the Basic tier; " \
        "Phone support needs a Standard or Premium contract"


def test_no_active_contract_is_out_of_scope():
    for tier in (None, "none"):
        verdict = coverage_verdict(tier, "bug_fix", "email")
        assert not verdict.in_scope
        assert verdict.reason.startswith("No active support contract")


def test_apply_coverage_sets_the_verdict_but_keeps_an_override():
    ticket = SimpleNamespace(contract=SimpleNamespace(tier_code="basic"),
                             category="content_update", channel="email", in_scope=True,
                             scope_reason="", scope_override=True)
    verdict = apply_coverage(ticket)
    assert not verdict.in_scope
    assert (ticket.in_scope, ticket.scope_reason) == (False, verdict.reason)
    assert ticket.scope_override is True
    ticket.contract = None
    assert not apply_coverage(ticket).in_scope


def test_override_on_a_stored_ticket_is_the_verdict_in_force(db):
    from desktop.models import Client, Contract, Ticket

    created = datetime(2026, 3, 9, 5, 0, tzinfo=timezone.utc)
    with db.transaction() as session:
        client = Client(name="Acme")
        session.add(client)
        session.flush()
        contract = Contract(client_id=client.id, tier_code="basic", start=date(2026, 1, 1),
                            end=date(2026, 3, 9), monthly_fee=Decimal("15000.00"))
        session.add(contract)
        session.flush()
        assert contract_in_force(session, client.id, created) == contract
        # 18:31 UTC on 9 March is already 10 March in Kolkata: the contract has ended
        assert contract_in_force(session, client.id,
                                 datetime(2026, 3, 9, 18, 31, tzinfo=timezone.utc)) is None
        ticket = Ticket(number=1, client_id=client.id, contract=contract, title="Update prices",
                        priority="low", category="content_update", channel="email",
                        created_at=created, updated_at=created)
        session.add(ticket)
        apply_coverage(ticket)
        assert not ticket.is_in_scope
        ticket.scope_override, ticket.override_reason = True, "Goodwill: launch week"
        session.flush()
        assert ticket.is_in_scope
        assert not ticket.in_scope  # the computed verdict is kept beside the override
