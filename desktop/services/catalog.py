"""The agency's policy as data: tiers, SLA targets, maintenance templates, settings (DESIGN §2).

These are the seeds; the database copies are what the program uses and the user may edit.
"""
from __future__ import annotations

from decimal import Decimal

HOUR = 60

# code, name, monthly fee, channels, content minutes per month
TIERS = [
    ("warranty", "Warranty", Decimal("0.00"), "Email", 0),
    ("basic", "Basic", Decimal("15000.00"), "Email (48-hour response)", 0),
    ("standard", "Standard", Decimal("30000.00"),
     "Priority email (24-hour response), phone Mon–Fri 09:00–18:00 IST", 4 * HOUR),
    ("premium", "Premium", Decimal("60000.00"),
     "Priority email, phone Mon–Fri 09:00–18:00 IST, 24/7 emergency phone, dedicated manager",
     8 * HOUR),
]

# priority: (response, resolution) in minutes, business clock / 24x7 clock
BUSINESS_TARGETS = {
    "critical": (1 * HOUR, 4 * HOUR),
    "high": (4 * HOUR, 9 * HOUR),
    "medium": (9 * HOUR, 27 * HOUR),
    "low": (18 * HOUR, 45 * HOUR),
}
ALWAYS_TARGETS = {
    "critical": (1 * HOUR, 4 * HOUR),
    "high": (4 * HOUR, 24 * HOUR),
    "medium": (24 * HOUR, 72 * HOUR),
    "low": (48 * HOUR, 168 * HOUR),
}
NO_CONTRACT = "none"  # SLA policy rows for tickets outside any contract


def seeded_policies() -> list[tuple[str, str, str, int, int]]:
    """(tier, priority, clock, response minutes, resolution minutes): 24/7 only for premium
    critical tickets, the business clock for everything else."""
    rows = []
    for tier in [t[0] for t in TIERS] + [NO_CONTRACT]:
        for priority, (response, resolution) in BUSINESS_TARGETS.items():
            if tier == "premium" and priority == "critical":
                rows.append((tier, priority, "24x7", *ALWAYS_TARGETS[priority]))
            else:
                rows.append((tier, priority, "business", response, resolution))
    return rows


PAID = ("basic", "standard", "premium")
# task, name, cadence, tiers, days before the contract's end (None: by the calendar)
TEMPLATES = [
    ("security_updates", "Security updates", "monthly", PAID, None),
    ("plugin_updates", "Plugin/software updates", "monthly", PAID, None),
    ("backup_verification", "Backup verification", "monthly", PAID, None),
    ("security_scan", "Security scan", "monthly", PAID, None),
    ("performance_check", "Performance check", "monthly", ("standard", "premium"), None),
    ("uptime_review", "Uptime review", "monthly", ("standard", "premium"), None),
    ("monthly_optimization", "Monthly optimization", "monthly", ("premium",), None),
    ("comprehensive_audit", "Comprehensive audit", "quarterly", ("standard", "premium"), None),
    ("performance_optimization", "Performance optimization", "quarterly",
     ("standard", "premium"), None),
    ("seo_review", "SEO review", "quarterly", ("standard", "premium"), None),
    ("content_review", "Content review", "quarterly", ("standard", "premium"), None),
    ("analytics_review", "Analytics review", "quarterly", ("standard", "premium"), None),
    ("strategy_session", "Strategy session", "quarterly", ("standard", "premium"), None),
    ("major_updates", "Major updates", "annual", ("premium",), None),
    ("platform_upgrades", "Platform upgrades", "annual", ("premium",), None),
    ("design_refresh_review", "Design refresh review", "annual", ("premium",), None),
    ("feature_additions", "Feature additions", "annual", ("premium",), None),
    ("strategic_planning", "Strategic planning", "annual", ("premium",), None),
    ("contract_renewal", "Contract renewal", "annual", PAID, 30),
    ("warranty_expiry_review", "Warranty expiry review", "once", ("warranty",), 7),
]

# From the seed's "Support Channels" (support@arukz.com; phone Mon-Fri 9am-6pm IST).
DEFAULT_SETTINGS = {
    "agency_name": "Arukz",
    "logo_path": "",
    "support_email": "support@arukz.com",
    "support_phone": "",
    "phone_hours": "Mon–Fri, 9am–6pm IST",
    "emergency_phone": "",
    "portal_url": "",
    "time_zone": "Asia/Kolkata",
    "business_start": "09:00",
    "business_end": "18:00",
    "business_days": [0, 1, 2, 3, 4],
    "at_risk_percent": 75,
    "currency": "INR",
    "follow_up_business_days": 3,
}

# The seed's priority definitions and examples, shown as help text (DESIGN §2).
PRIORITY_HELP = {
    "critical": ("Site down, major functionality broken",
                 ["Website completely down", "Payment system not working", "Data loss",
                  "Security breach"]),
    "high": ("Important feature broken",
             ["Contact form not working", "Major page broken", "Login issues",
              "Search not functioning"]),
    "medium": ("Minor functionality issue",
               ["Broken link", "Image not displaying", "Formatting issue", "Minor bug"]),
    "low": ("Cosmetic or minor issue",
            ["Typo", "Color adjustment", "Minor layout issue", "Enhancement request"]),
}
PRIORITY_COLOURS = {"critical": "#d32f2f", "high": "#f57c00", "medium": "#fbc02d",
                    "low": "#388e3c"}
