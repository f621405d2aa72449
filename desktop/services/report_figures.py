"""The maintenance figures of DESIGN §2 as the reports read them (shapes in
``desktop.services.maintenance_figures``); tolerant of older or imported key names."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class UpdateLine:
    component: str
    version_from: str
    version_to: str
    held_back: bool
    reason: str


# Keys accepted for each figure (the calendar's form and the dump may name them slightly
# differently; the report reads any of them).
_UPTIME_KEYS = ("uptime_percent", "uptime", "uptime_pct")
_SCORE_KEYS = ("performance_score", "score")
_LOAD_KEYS = ("load_time_seconds", "page_load_seconds", "page_load_time", "load_time",
              "page_load")


def _first(figures: dict, keys: Sequence[str]) -> Any:
    for key in keys:
        if figures.get(key) not in (None, ""):
            return figures[key]
    return None


def figure_number(figures: dict, keys: Sequence[str]) -> float | None:
    value = _first(figures, keys)
    if value is None:
        return None
    try:
        return float(str(value).rstrip("%s ").strip())
    except ValueError:
        return None


def uptime_of(figures: dict) -> float | None:
    return figure_number(figures, _UPTIME_KEYS)


def performance_score_of(figures: dict) -> float | None:
    return figure_number(figures, _SCORE_KEYS)


def updates_of(figures: dict) -> list[UpdateLine]:
    """Components of a plugin/software (or security) update: applied from → to, or held back."""
    items = figures.get("components") or figures.get("updates") or []
    result = []
    if isinstance(items, list):
        for item in items:
            if not isinstance(item, dict):
                continue
            reason = str(item.get("held_back_reason") or item.get("reason") or "")
            held = bool(item.get("held_back")) or bool(item.get("held_back_reason"))
            result.append(UpdateLine(
                component=str(item.get("name") or item.get("component") or "component"),
                version_from=str(item.get("from_version") or item.get("from")
                                 or item.get("version_from") or ""),
                version_to=str(item.get("to_version") or item.get("to")
                               or item.get("version_to") or ""),
                held_back=held, reason=reason))
    return result


def findings_of(figures: dict) -> list[tuple[str, str]]:
    """(severity and finding, what was done) from a security scan or security update."""
    items = figures.get("findings") or []
    result = []
    if isinstance(items, dict):  # {"high": 1, "low": 2}
        for severity, count in items.items():
            if count:
                result.append((f"{count} {severity}", ""))
        return result
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict):
            severity = str(item.get("severity") or "").strip()
            title = str(item.get("title") or item.get("finding") or item.get("name") or "")
            label = f"{severity.capitalize()}: {title}" if severity else title
            result.append((label, str(item.get("action") or item.get("done") or "")))
        else:
            result.append((str(item), ""))
    return result


def restore_tested_of(figures: dict) -> bool | None:
    value = figures.get("restore_tested")
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip().lower() in ("yes", "true", "1", "ok")
    return bool(value)


def _size_text(figures: dict) -> str:
    if figures.get("size_mb") not in (None, ""):
        try:
            size = float(figures["size_mb"])
        except (TypeError, ValueError):
            return str(figures["size_mb"])
        return f"{size / 1024:.1f} GB" if size >= 1024 else f"{size:.0f} MB"
    return str(figures.get("size") or figures.get("backup_size") or "")


def _instant_text(value: Any, zone: ZoneInfo | None) -> str:
    if not value:
        return ""
    try:
        instant = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if instant.tzinfo is not None and zone is not None:
        instant = instant.astimezone(zone)
    return instant.strftime("%d %b %H:%M")


def describe_figures(task: str, figures: dict, zone: ZoneInfo | None = None) -> list[str]:
    """The recorded figures of DESIGN §2 in plain words, one line each."""
    if not figures:
        return []
    lines: list[str] = []
    used: set[str] = set()
    if task in ("plugin_updates", "security_updates", "major_updates", "platform_upgrades"):
        for update in updates_of(figures):
            if update.held_back:
                lines.append(f"{update.component} {update.version_from} held back"
                             + (f": {update.reason}" if update.reason else ""))
            else:
                arrow = (f"{update.version_from} → {update.version_to}"
                         if update.version_from else update.version_to)
                lines.append(f"{update.component} updated {arrow}".rstrip())
        used |= {"components", "updates"}
    if task == "backup_verification":
        latest = figures.get("latest_backup") or figures.get("latest_backup_date")
        size = _size_text(figures)
        if latest or size:
            lines.append("Latest backup " + ", ".join(str(p) for p in (latest, size) if p))
        tested = restore_tested_of(figures)
        if tested is not None:
            result = figures.get("restore_result") or figures.get("result") or ""
            lines.append(("Restore tested" if tested else "Restore not tested")
                         + (f": {result}" if result else ""))
        used |= {"latest_backup", "latest_backup_date", "size", "backup_size", "size_mb",
                 "restore_tested", "restore_result", "result"}
    if task in ("security_scan", "security_updates"):
        findings = findings_of(figures)
        if not findings and "findings" in figures:
            lines.append("No findings")
        for label, action in findings:
            lines.append(label + (f" — {action}" if action else ""))
        used.add("findings")
    if task == "uptime_review":
        uptime = uptime_of(figures)
        if uptime is not None:
            lines.append(f"Uptime {uptime:.2f}%")
        for incident in figures.get("incidents") or []:
            if isinstance(incident, dict):
                parts = [_instant_text(incident.get("start"), zone)]
                if incident.get("duration_minutes") not in (None, ""):
                    parts.append(_hours_text(float(incident["duration_minutes"])))
                elif incident.get("duration"):
                    parts.append(str(incident["duration"]))
                parts.append(str(incident.get("cause") or ""))
                lines.append("Downtime " + ", ".join(p for p in parts if p))
        used |= set(_UPTIME_KEYS) | {"incidents"}
    if task == "performance_check":
        score = performance_score_of(figures)
        load = figure_number(figures, _LOAD_KEYS)
        if score is not None:
            lines.append(f"Performance score {score:.0f}/100")
        if load is not None:
            lines.append(f"Page load {load:.1f} s")
        used |= set(_SCORE_KEYS) | set(_LOAD_KEYS)
    for key, value in figures.items():  # anything else, as recorded
        if key in used or value in (None, "", [], {}):
            continue
        if isinstance(value, (list, dict)):
            continue
        lines.append(f"{key.replace('_', ' ').capitalize()}: {value}")
    return lines




def _hours_text(minutes: float) -> str:
    hours, rest = divmod(int(round(minutes)), 60)
    if hours and rest:
        return f"{hours} h {rest} min"
    return f"{hours} h" if hours else f"{rest} min"
