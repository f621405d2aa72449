"""Demo maintenance work: most past occurrences done, with outcomes, plain-language notes and the
figures of DESIGN §2 in the shapes of ``services.maintenance_figures`` (backups with restore
tests, component updates from → to or held back with the reason, scan findings, uptime with
incidents, performance score). Each client's figures evolve month to month: versions only go up,
backups grow, the performance score drifts.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

IST = timezone(timedelta(hours=5, minutes=30))

COMPONENTS = [
    ("WordPress", (6, 4, 2)), ("WooCommerce", (8, 4, 0)), ("Elementor", (3, 18, 2)),
    ("Yoast SEO", (21, 7, 0)), ("Contact Form 7", (5, 8, 4)), ("Wordfence", (7, 11, 0)),
    ("WP Rocket", (3, 15, 5)), ("UpdraftPlus", (1, 23, 16)),
    ("Razorpay for WooCommerce", (4, 5, 6)), ("PHP", (8, 1, 27)),
]
HELD_BACK_REASONS = [
    "Breaks the custom checkout template; waiting for the vendor's fix",
    "Major version: needs testing on staging with the client first",
    "Changelog reports conflicts with the page builder; holding for a month",
]
FINDINGS = [
    ("high", "Outdated plugin with a known vulnerability", "Updated it the same day"),
    ("medium", "Admin user with a weak password", "Reset it and turned on two-factor sign-in"),
    ("low", "Directory listing enabled on /uploads", "Turned it off in the server settings"),
    ("medium", "Suspicious login attempts from one IP range", "Blocked the range in the firewall"),
    ("critical", "Malicious script injected in a theme file", "Removed it, restored clean files "
                                                             "and rotated all passwords"),
    ("low", "Missing security headers", "Added HSTS and X-Frame-Options"),
]
INCIDENT_CAUSES = ["Hosting provider maintenance", "Database server restarted",
                   "Traffic spike during a sale", "Expired DNS record", "PHP memory limit hit"]
GENERIC_NOTES = {
    "monthly_optimization": ["Cleaned the database and expired transients; images recompressed.",
                             "Removed unused plugins and tuned the cache rules."],
    "comprehensive_audit": ["Full audit done: security, speed, SEO and backups reviewed.",
                            "Audit found two outdated integrations; plan agreed with the client."],
    "performance_optimization": ["Enabled lazy loading and a CDN for images.",
                                 "Moved scripts to load after the page; home page 30% faster."],
    "seo_review": ["Fixed missing meta descriptions and submitted the sitemap.",
                   "Reviewed search rankings; suggested three new landing pages."],
    "content_review": ["Flagged outdated prices and staff pages for the client to update.",
                       "Content is current; suggested a festive season banner."],
    "analytics_review": ["Traffic up month on month; mobile now two thirds of visits.",
                         "Set up goal tracking for the enquiry form."],
    "strategy_session": ["Call with the client: priorities for the next quarter agreed.",
                         "Discussed the online booking feature and a Hindi version."],
    "major_updates": ["Upgraded the platform's major version after a staging test."],
    "platform_upgrades": ["Moved the site to PHP 8.2 and a faster hosting plan."],
    "design_refresh_review": ["Reviewed the design with the client; refresh planned for next "
                              "year."],
    "feature_additions": ["Agreed two feature additions for the coming year."],
    "strategic_planning": ["Annual planning meeting held; roadmap shared with the client."],
    "contract_renewal": ["Renewal discussed with the client; proposal sent.",
                         "Client confirmed the renewal by e-mail."],
    "warranty_expiry_review": ["Warranty ends next week; offered the Standard plan.",
                               "Reviewed open items before the warranty ends."],
}
SKIP_NOTES = ["Skipped: the client asked to freeze changes during their sale.",
              "Skipped: site under redesign this month."]


@dataclass
class _SiteState:
    """One client's site as the maintenance team sees it over the months."""

    components: dict[str, tuple[int, int, int]]
    backup_mb: float
    score: int
    held: dict[str, str] = field(default_factory=dict)


class MaintenanceWork:
    """Fills done occurrences; call :meth:`done` in due-date order per client."""

    def __init__(self, rng: random.Random, staff_ids: list[int]) -> None:
        self.rng = rng
        self.staff_ids = staff_ids
        self.sites: dict[int, _SiteState] = {}

    def site(self, client_id: int) -> _SiteState:
        site = self.sites.get(client_id)
        if site is None:
            rng = self.rng
            picked = rng.sample(COMPONENTS, rng.randint(4, 7))
            site = _SiteState({name: version for name, version in picked},
                              rng.uniform(600, 6000), rng.randint(62, 92))
            self.sites[client_id] = site
        return site

    def done(self, client_id: int, task: str, due: date, now: datetime,
             done_by: int | None) -> dict:
        """The values that mark one occurrence done: done_at, done_by_id, outcome, notes,
        figures."""
        rng = self.rng
        local = datetime(due.year, due.month, due.day, rng.randint(10, 17), rng.choice((0, 15,
                         30, 45)), tzinfo=IST) - timedelta(days=rng.choice((0, 0, 0, 1, 2)))
        done_at = min(local.astimezone(timezone.utc), now)
        if done_by is None:
            done_by = rng.choice(self.staff_ids)
        if rng.random() < 0.03:
            return dict(done_at=done_at, done_by_id=done_by, outcome="skipped",
                        notes=rng.choice(SKIP_NOTES), figures=None)
        maker = getattr(self, f"_{task}", None)
        if maker is not None:
            figures, notes, issues = maker(client_id, due)
        else:
            figures, notes, issues = None, rng.choice(GENERIC_NOTES.get(
                task, ["Done as planned."])), rng.random() < 0.08
        return dict(done_at=done_at, done_by_id=done_by,
                    outcome="issues_found" if issues else "ok", notes=notes, figures=figures)

    # one method per task with figures ------------------------------------------------------------
    def _backup_verification(self, client_id: int, due: date):  # noqa: ANN202
        rng, site = self.rng, self.site(client_id)
        site.backup_mb *= rng.uniform(1.0, 1.04)
        tested = rng.random() < 0.7
        failed = tested and rng.random() < 0.06
        result = ("" if not tested else
                  "Restore failed: the database dump was incomplete; backup job fixed and re-run"
                  if failed else f"Restored to staging in {rng.randint(4, 25)} min; pages and "
                                 "orders checked")
        figures = {"latest_backup": (due - timedelta(days=rng.randint(0, 2))).isoformat(),
                   "size_mb": round(site.backup_mb, 1), "restore_tested": tested,
                   "restore_result": result}
        notes = ("Daily backups verified" + (" and a restore tested on staging." if tested
                                             else "; restore test planned for next month."))
        return figures, notes, failed

    def _plugin_updates(self, client_id: int, due: date):  # noqa: ANN202
        rng, site = self.rng, self.site(client_id)
        rows = []
        for name in sorted(site.components):
            major, minor, patch = site.components[name]
            if name in site.held and rng.random() < 0.6:
                rows.append({"name": name, "from_version": f"{major}.{minor}.{patch}",
                             "to_version": "", "held_back": True, "reason": site.held[name]})
                continue
            site.held.pop(name, None)
            r = rng.random()
            if r < 0.45:
                continue
            if r < 0.05 + 0.45:
                site.held[name] = rng.choice(HELD_BACK_REASONS)
                rows.append({"name": name, "from_version": f"{major}.{minor}.{patch}",
                             "to_version": "", "held_back": True, "reason": site.held[name]})
                continue
            new = (major, minor + 1, 0) if r > 0.85 else (major, minor, patch + 1)
            rows.append({"name": name, "from_version": f"{major}.{minor}.{patch}",
                         "to_version": "{}.{}.{}".format(*new), "held_back": False,
                         "reason": ""})
            site.components[name] = new
        applied = sum(1 for row in rows if not row["held_back"])
        held = len(rows) - applied
        notes = (f"Applied {applied} update{'s' if applied != 1 else ''} after a full backup"
                 + (f"; held back {held} with the reason noted." if held else "; site checked "
                    "on desktop and mobile."))
        return {"components": rows}, notes, False

    def _findings(self, chance: float):  # noqa: ANN202
        rng = self.rng
        if rng.random() >= chance:
            return {"findings": []}, False
        picked = rng.sample(FINDINGS, rng.randint(1, 2))
        return ({"findings": [{"severity": s, "finding": f, "action": a} for s, f, a in picked]},
                True)

    def _security_updates(self, client_id: int, due: date):  # noqa: ANN202
        figures, issues = self._findings(0.2)
        notes = ("Security patches applied; " + ("findings handled as listed." if issues
                                                 else "nothing outstanding."))
        return figures, notes, issues

    def _security_scan(self, client_id: int, due: date):  # noqa: ANN202
        figures, issues = self._findings(0.25)
        notes = ("Malware and vulnerability scan: " + ("findings handled as listed." if issues
                                                       else "clean."))
        return figures, notes, issues

    def _uptime_review(self, client_id: int, due: date):  # noqa: ANN202
        rng = self.rng
        incidents = []
        minutes_in_month = 30 * 24 * 60
        for _ in range(rng.choices((0, 1, 2), (60, 30, 10))[0]):
            day = rng.randint(1, 28)
            start = datetime(due.year, due.month, day, rng.randint(0, 23), rng.choice((0, 10,
                             20, 30, 40, 50)), tzinfo=IST)
            incidents.append({"start": start.isoformat(), "duration_minutes": rng.randint(3, 95),
                              "cause": rng.choice(INCIDENT_CAUSES)})
        incidents.sort(key=lambda row: row["start"])
        down = sum(row["duration_minutes"] for row in incidents)
        uptime = round(100 - 100 * down / minutes_in_month, 3)
        notes = (f"Uptime {uptime}% with {len(incidents)} incident"
                 f"{'s' if len(incidents) != 1 else ''}." if incidents
                 else "No incidents this month; uptime 100%.")
        return ({"uptime_percent": uptime, "incidents": incidents}, notes,
                any(row["duration_minutes"] > 60 for row in incidents))

    def _performance_check(self, client_id: int, due: date):  # noqa: ANN202
        rng, site = self.rng, self.site(client_id)
        site.score = max(35, min(99, site.score + rng.randint(-6, 6)))
        load = round(0.9 + (100 - site.score) / 22 + rng.uniform(-0.2, 0.3), 1)
        notes = f"Performance score {site.score}, home page loads in {load} s."
        return {"score": site.score, "load_time_seconds": load}, notes, site.score < 50
