"""The figures each maintenance task records (DESIGN §2 "figures recorded"), as plain JSON.

``FIGURE_FIELDS[task]`` lists the fields the "mark done" form asks for, in order. A task that is
not listed records no figures (notes and outcome only). The stored shapes, which the reports read:

- backup_verification: ``{"latest_backup": "YYYY-MM-DD", "size_mb": 2400.0,
  "restore_tested": true, "restore_result": "restored to staging, site OK"}``
- plugin_updates: ``{"components": [{"name": "WooCommerce", "from_version": "8.1",
  "to_version": "8.2", "held_back": false, "reason": ""}, ...]}`` (held back: ``to_version`` is
  empty and ``reason`` says why)
- security_updates, security_scan: ``{"findings": [{"severity": "high", "finding": "...",
  "action": "..."}, ...]}``; severity is critical|high|medium|low. No findings: an empty list.
- uptime_review: ``{"uptime_percent": 99.95, "incidents": [{"start": ISO instant with offset,
  "duration_minutes": 12, "cause": "..."}, ...]}``
- performance_check: ``{"score": 87, "load_time_seconds": 1.8}``

Numbers are JSON numbers (these are measurements, not money).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from desktop.errors import UserError

SEVERITIES = ("critical", "high", "medium", "low")


@dataclass(frozen=True)
class FigureField:
    """One figure a task records. ``kind``: date, text, bool, int, number or table (a list of
    rows whose fields are ``columns``); ``choices`` for a text picked from a list."""

    key: str
    label: str
    kind: str
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    columns: tuple[FigureField, ...] = ()
    required: bool = False


_FINDINGS = FigureField("findings", "Findings", "table", columns=(
    FigureField("severity", "Severity", "text", choices=SEVERITIES, required=True),
    FigureField("finding", "Finding", "text", required=True),
    FigureField("action", "What was done", "text"),
))

FIGURE_FIELDS: dict[str, tuple[FigureField, ...]] = {
    "backup_verification": (
        FigureField("latest_backup", "Latest backup", "date", required=True),
        FigureField("size_mb", "Size", "number", unit="MB", minimum=0),
        FigureField("restore_tested", "Restore tested", "bool"),
        FigureField("restore_result", "Restore result", "text"),
    ),
    "plugin_updates": (
        FigureField("components", "Components", "table", columns=(
            FigureField("name", "Component", "text", required=True),
            FigureField("from_version", "From", "text"),
            FigureField("to_version", "To", "text"),
            FigureField("held_back", "Held back", "bool"),
            FigureField("reason", "Reason held back", "text"),
        )),
    ),
    "security_updates": (_FINDINGS,),
    "security_scan": (_FINDINGS,),
    "uptime_review": (
        FigureField("uptime_percent", "Uptime", "number", unit="%", minimum=0, maximum=100,
                    required=True),
        FigureField("incidents", "Incidents", "table", columns=(
            FigureField("start", "Start", "text", required=True),
            FigureField("duration_minutes", "Duration", "int", unit="min", minimum=0),
            FigureField("cause", "Cause", "text"),
        )),
    ),
    "performance_check": (
        FigureField("score", "Performance score", "int", minimum=0, maximum=100, required=True),
        FigureField("load_time_seconds", "Page load time", "number", unit="s", minimum=0),
    ),
}


def figure_fields(task: str) -> tuple[FigureField, ...]:
    return FIGURE_FIELDS.get(task, ())


def _clean_value(field: FigureField, value: Any, where: str, required: bool = True) -> Any:
    """One figure checked and normalised; raises UserError naming the field."""
    if value is None or value == "":
        if field.required and required:
            raise UserError(f"{where}: {field.label.lower()} is required")
        return False if field.kind == "bool" else None if field.kind != "text" else ""
    if field.kind == "bool":
        if isinstance(value, str):
            return value.strip().lower() in ("yes", "true", "1", "y")
        return bool(value)
    if field.kind in ("int", "number"):
        try:
            number = int(value) if field.kind == "int" else float(value)
        except (TypeError, ValueError):
            raise UserError(f"{where}: {field.label.lower()} must be a number, not "
                            f"{value!r}") from None
        if isinstance(value, float) and field.kind == "int" and value != int(value):
            raise UserError(f"{where}: {field.label.lower()} must be a whole number")
        if field.minimum is not None and number < field.minimum:
            raise UserError(f"{where}: {field.label.lower()} cannot be below "
                            f"{field.minimum:g}")
        if field.maximum is not None and number > field.maximum:
            raise UserError(f"{where}: {field.label.lower()} cannot be above "
                            f"{field.maximum:g}")
        return number
    if field.kind == "date":
        if isinstance(value, date):
            return value.isoformat()
        try:
            return date.fromisoformat(str(value).strip()).isoformat()
        except ValueError:
            raise UserError(f"{where}: {field.label.lower()} must be a date like 2026-03-31, "
                            f"not {value!r}") from None
    text = str(value).strip()
    if field.choices and text not in field.choices:
        raise UserError(f"{where}: {field.label.lower()} {text!r} is not one of "
                        f"{', '.join(field.choices)}")
    return text


def clean_figures(task: str, figures: dict | None, required: bool = True) -> dict | None:
    """The task's figures checked and normalised to the stored shape, or None when the task
    records none. Unknown keys are dropped; a bad value raises UserError naming it."""
    fields = figure_fields(task)
    if not fields:
        return None
    figures = figures or {}
    if not isinstance(figures, dict):
        raise UserError("figures must be a set of named values")
    cleaned: dict[str, Any] = {}
    for field in fields:
        value = figures.get(field.key)
        if field.kind != "table":
            cleaned[field.key] = _clean_value(field, value, field.label, required)
            continue
        rows = []
        for index, row in enumerate(value or [], start=1):
            if not isinstance(row, dict):
                raise UserError(f"{field.label} row {index} is not a set of named values")
            if all(row.get(c.key) in (None, "", False) for c in field.columns):
                continue  # a blank row in the form
            rows.append({c.key: _clean_value(c, row.get(c.key), f"{field.label} row {index}")
                         for c in field.columns})
        if field.key == "incidents":
            for index, row in enumerate(rows, start=1):
                try:
                    start = datetime.fromisoformat(row["start"])
                except ValueError:
                    raise UserError(f"Incidents row {index}: start must be a date and time like "
                                    f"2026-03-05T10:30+05:30, not {row['start']!r}") from None
                if start.tzinfo is None:
                    raise UserError(f"Incidents row {index}: start needs a time zone offset, "
                                    "like +05:30")
        if field.key == "components":
            for index, row in enumerate(rows, start=1):
                if row["held_back"] and not row["reason"]:
                    raise UserError(f"Components row {index}: say why {row['name']} was held back")
        cleaned[field.key] = rows
    return cleaned


def figure_defaults(task: str, previous: dict | None) -> dict:
    """Sensible defaults for this month's form from the last recorded figures of the same task
    for the same client (DESIGN §2): components carry over with last month's version as the
    starting point; measurements start from last month's value; findings and incidents start
    empty, because last month's are not this month's."""
    previous = previous or {}
    fields = figure_fields(task)
    defaults: dict[str, Any] = {}
    for field in fields:
        if field.key == "components":
            defaults[field.key] = [
                {"name": row.get("name", ""),
                 "from_version": (row.get("from_version") if row.get("held_back")
                                  else row.get("to_version") or row.get("from_version") or ""),
                 "to_version": "", "held_back": False, "reason": ""}
                for row in previous.get("components") or [] if row.get("name")]
        elif field.kind == "table":
            defaults[field.key] = []
        elif field.kind == "date":
            defaults[field.key] = None  # last month's backup date is not this month's
        elif field.key in ("restore_result",):
            defaults[field.key] = ""
        elif field.kind == "bool":
            defaults[field.key] = bool(previous.get(field.key, field.key == "restore_tested"))
        else:
            defaults[field.key] = previous.get(field.key)
    return defaults


def describe_figures(task: str, figures: dict | None) -> list[str]:
    """The figures as short plain lines ("Uptime: 99.95 %"), for agendas, ICS and reports."""
    if not figures:
        return []
    lines = []
    for field in figure_fields(task):
        value = figures.get(field.key)
        if field.kind == "table":
            rows = value or []
            if field.key == "components":
                for row in rows:
                    if row.get("held_back"):
                        lines.append(f"{row['name']} {row.get('from_version') or ''} held back: "
                                     f"{row.get('reason') or ''}".replace("  ", " "))
                    elif not row.get("to_version") or row.get("to_version") == row.get(
                            "from_version"):
                        version = f" {row['from_version']}" if row.get("from_version") else ""
                        lines.append(f"{row['name']}{version}: no update needed")
                    else:
                        lines.append(f"{row['name']} {row.get('from_version') or '?'} → "
                                     f"{row['to_version']}")
            elif field.key == "findings":
                if not rows:
                    lines.append("No findings")
                for row in rows:
                    action = f" — {row['action']}" if row.get("action") else ""
                    lines.append(f"{row['severity'].capitalize()}: {row['finding']}{action}")
            elif field.key == "incidents":
                if not rows:
                    lines.append("No incidents")
                for row in rows:
                    lines.append(f"Incident {row['start']} for {row.get('duration_minutes') or 0} "
                                 f"min: {row.get('cause') or 'cause not recorded'}")
            continue
        if value is None or value == "":
            continue
        if field.kind == "bool":
            value = "yes" if value else "no"
        elif field.kind == "number":
            value = f"{value:g}"
        unit = f" {field.unit}" if field.unit else ""
        lines.append(f"{field.label}: {value}{unit}")
    return lines
