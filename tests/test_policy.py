"""Editing the agency's policy in Settings (DESIGN §2): validated, and nothing half-saved."""
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from desktop.errors import UserError
from desktop.models import Holiday, SlaPolicy, Tier
from desktop.services import policy
from desktop.services.settings import load_settings


def test_settings_round_trip_and_validation(db):
    with db.transaction() as s:
        settings = load_settings(s)
        assert settings.support_email == "support@arukz.com"
        assert settings.phone_hours == "Mon–Fri, 9am–6pm IST"
        policy.update_settings(s, replace(settings, agency_name="Arukz Digital",
                                          at_risk_percent=80))
    with db.session() as s:
        assert load_settings(s).agency_name == "Arukz Digital"
        assert load_settings(s).at_risk_percent == 80
    bad = [({"support_email": "support-at-arukz"}, "is not an e-mail address"),
           ({"time_zone": "Mars/Olympus"}, "not a known time zone"),
           ({"business_start": "18:00", "business_end": "09:00"}, "end must be after"),
           ({"business_start": "9am"}, "HH:MM"),
           ({"agency_name": "  "}, "required"),
           ({"business_days": []}, "at least one weekday")]
    for change, message in bad:
        with pytest.raises(UserError, match=message):
            with db.transaction() as s:
                policy.update_settings(s, replace(load_settings(s), **change))
    with db.session() as s:
        assert load_settings(s).agency_name == "Arukz Digital"


def test_tier_and_target_edits(db):
    with db.transaction() as s:
        policy.update_tier(s, "standard", monthly_fee=Decimal("32000.00"),
                           channels="Priority email, phone", content_hours=Decimal("5.5"))
        policy.update_policy(s, "basic", "high", clock="business", response_minutes=120,
                             resolution_minutes=480)
    with db.session() as s:
        tier = s.get(Tier, "standard")
        assert (tier.monthly_fee, tier.content_minutes_per_month) == (Decimal("32000.00"), 330)
        row = s.scalar(select(SlaPolicy).where(SlaPolicy.tier_code == "basic",
                                               SlaPolicy.priority == "high"))
        assert (row.response_minutes, row.resolution_minutes) == (120, 480)
    with pytest.raises(UserError, match="cannot be negative"):
        with db.transaction() as s:
            policy.update_tier(s, "basic", monthly_fee=Decimal("-1"), channels="",
                               content_hours=Decimal(0))
    with pytest.raises(UserError, match="cannot exceed"):
        with db.transaction() as s:
            policy.update_policy(s, "basic", "low", clock="business", response_minutes=600,
                                 resolution_minutes=60)
    with pytest.raises(UserError, match="not one of business, 24x7"):
        with db.transaction() as s:
            policy.update_policy(s, "basic", "low", clock="weekends", response_minutes=60,
                                 resolution_minutes=600)


def test_holidays_add_remove(db):
    day = date(2027, 11, 8)
    with db.transaction() as s:
        policy.remove_holiday(s, day) if s.get(Holiday, day) else None
        policy.add_holiday(s, day, "Diwali (agency)")
    with db.session() as s:
        assert (day, "Diwali (agency)") in policy.list_holidays(s, 2027)
    with pytest.raises(UserError, match="already a holiday"):
        with db.transaction() as s:
            policy.add_holiday(s, day, "Again")
    with db.transaction() as s:
        policy.remove_holiday(s, day)
        assert s.get(Holiday, day) is None
