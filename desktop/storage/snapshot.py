"""The offline snapshot (DESIGN §3 "Offline review"): a manager on a train can still read every
contract.

Each successful connection to a shared database refreshes a local SQLite copy of it (clients,
contracts, tickets, maintenance and everything they refer to) in the user data folder: built in
a temporary file, then renamed over the previous one, so a reader always finds a whole
snapshot. When the server cannot be reached at start-up, the app offers the snapshot and opens it
with ``open_database(url, read_only=True)``: SQLite opens it ``mode=ro`` with ``query_only``, so
nothing ever writes to it.
"""
from __future__ import annotations

import json
import logging
import re
import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy.engine import URL

from .copy import copy_tables
from .database import Database, open_database
from .files import atomic_path, atomic_text
from .urls import data_dir, display_url, keyring_user, parse_url

log = logging.getLogger(__name__)


def snapshot_dir() -> Path:
    path = data_dir() / "snapshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


def snapshot_path(url: URL | str) -> Path:
    """Where the snapshot of that shared database lives (one per server, user and database)."""
    url = parse_url(url) if isinstance(url, str) else url
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", keyring_user(url)).strip("_")
    return snapshot_dir() / f"{slug}.db"


@dataclass(frozen=True)
class SnapshotInfo:
    path: Path
    source: str  # the shared database it copies, as the status bar names it
    taken_at: datetime
    counts: dict

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path}"

    def age(self, now: datetime | None = None) -> str:
        return describe_age(self.taken_at, now)


def describe_age(taken_at: datetime, now: datetime | None = None) -> str:
    """'just now', '5 minutes ago', '3 hours ago', '2 days ago'."""
    now = now or datetime.now(timezone.utc)
    seconds = max(0, int((now - taken_at).total_seconds()))
    if seconds < 60:
        return "just now"
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = seconds // size
            return f"{n} {unit}{'s' if n != 1 else ''} ago"
    return "just now"  # pragma: no cover


def _sidecar(path: Path) -> Path:
    return path.with_suffix(".json")


def refresh_snapshot(db: Database, now: datetime | None = None) -> SnapshotInfo:
    """Copy the shared database into its local snapshot (atomic replace); return its details."""
    if db.is_sqlite:
        raise ValueError("only a shared (PostgreSQL) database has an offline snapshot")
    target = snapshot_path(db.url)
    with atomic_path(target) as tmp:
        building = open_database(f"sqlite:///{tmp}", seed=False)
        try:
            with building.engine.begin() as connection:
                # a breath between batches: this runs beside the window's thread
                counts = copy_tables(db.engine, connection, lambda _t, _n: time.sleep(0.002))
        finally:
            building.dispose()
        # a single self-contained file: no -wal beside it, readable with mode=ro
        conn = sqlite3.connect(tmp)
        try:
            conn.execute("PRAGMA journal_mode = DELETE")
        finally:
            conn.close()
    taken_at = now or datetime.now(timezone.utc)
    info = SnapshotInfo(target, db.display_name, taken_at, counts)
    with atomic_text(_sidecar(target)) as fh:
        json.dump({"source": info.source, "taken_at": taken_at.isoformat(),
                   "counts": counts}, fh, indent=2)
    log.info("offline snapshot of %s refreshed (%d tickets)", info.source,
             counts.get("tickets", 0))
    return info


def find_snapshot(url: URL | str) -> SnapshotInfo | None:
    """The snapshot of that shared database, if one was ever taken."""
    url = parse_url(url) if isinstance(url, str) else url
    path = snapshot_path(url)
    if not path.exists():
        return None
    taken_at = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)
    source, counts = display_url(url), {}
    try:
        meta = json.loads(_sidecar(path).read_text(encoding="utf-8"))
        taken_at = datetime.fromisoformat(meta["taken_at"])
        source = meta.get("source", source)
        counts = meta.get("counts", {})
    except (OSError, ValueError, KeyError):
        pass
    return SnapshotInfo(path, source, taken_at, counts)


def open_snapshot(info: SnapshotInfo) -> Database:
    """The snapshot, open read-only (mode "offline")."""
    db = open_database(info.url, read_only=True)
    db.snapshot = info
    return db
