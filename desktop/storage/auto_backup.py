"""Automatic backups of the local database (issue 8; the seed promises monthly backups).

At start-up, once a day, the SQLite online backup API copies the database into the data folder's
``backups/``. Retention keeps the newest backup of each of the last 7 days, of each of the last 4
ISO weeks and of each of the last 12 months; everything else is removed.
"""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from .backup import backup_sqlite_file
from .database import Database
from .urls import data_dir

PATTERN = re.compile(r"^aftercare-(\d{4}-\d{2}-\d{2})\.db$")


def backup_folder() -> Path:
    folder = data_dir() / "backups"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def backups(folder: Path) -> list[tuple[date, Path]]:
    found = []
    for path in folder.iterdir():
        match = PATTERN.match(path.name)
        if match:
            found.append((date.fromisoformat(match.group(1)), path))
    return sorted(found)


def keep(days: list[date], today: date, daily: int = 7, weekly: int = 4,
         monthly: int = 12) -> set[date]:
    """Which backup days survive: the newest per day/ISO week/month within the windows."""
    newest_first = sorted((d for d in days if d <= today), reverse=True)
    kept: set[date] = set(newest_first[:daily])
    seen_weeks: list[tuple[int, int]] = []
    seen_months: list[tuple[int, int]] = []
    for day in newest_first:
        week = day.isocalendar()[:2]
        if week not in seen_weeks and len(seen_weeks) < weekly:
            seen_weeks.append(week)
            kept.add(day)
        month = (day.year, day.month)
        if month not in seen_months and len(seen_months) < monthly:
            seen_months.append(month)
            kept.add(day)
    return kept | {d for d in days if d > today}


def daily_backup(db: Database, today: date | None = None, folder: Path | None = None) -> Path | None:
    """Back up a local SQLite database once per day and prune old backups.

    Returns the new backup's path, or None when today's exists or the database is not local."""
    if not db.is_sqlite or db.read_only:
        return None
    today = today or date.today()
    folder = folder or backup_folder()
    target = folder / f"aftercare-{today.isoformat()}.db"
    made = None
    if not target.exists():
        backup_sqlite_file(Path(db.url.database), target)
        made = target
    existing = backups(folder)
    survivors = keep([d for d, _ in existing], today)
    for day, path in existing:
        if day not in survivors:
            path.unlink(missing_ok=True)
    return made
