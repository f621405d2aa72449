"""Making report PDFs: one client, or every client on both cores (DESIGN §5-6).

``export_one`` computes a report in a session and writes it through a temporary file that is
renamed into place, so a report is whole or absent. ``export_many`` spreads clients over worker
processes; each opens its own database engine (engines do not survive a fork) and computes and
builds its clients' reports, reporting progress and honouring a cancel flag between clients.
"""
from __future__ import annotations

import multiprocessing
import os
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from desktop.errors import UserError
from desktop.storage.files import atomic_path

from . import report_data as rd


@dataclass(frozen=True)
class ExportResult:
    client_id: int
    client_name: str
    path: str | None        # None when it failed
    error: str = ""


def compute(session: Session, client_id: int, kind: str, period: rd.Period | str,
            now: datetime | None = None):  # noqa: ANN201 - MonthlyReport | QuarterlyReport
    if kind == rd.MONTHLY:
        from .report_monthly import monthly_report
        return monthly_report(session, client_id, period, now=now)
    if kind == rd.QUARTERLY:
        from .report_quarterly import quarterly_report
        return quarterly_report(session, client_id, period, now=now)
    raise UserError(f"'{kind}' is not a report type; use monthly or quarterly")


def build(report, path: str | os.PathLike) -> None:  # noqa: ANN001
    """Lay the report out into ``path`` (not atomic by itself)."""
    if report.period.kind == rd.MONTHLY:
        from desktop.reports.monthly import build_monthly
        build_monthly(report, path)
    else:
        from desktop.reports.quarterly import build_quarterly
        build_quarterly(report, path)


def write_report(report, target: str | os.PathLike) -> Path:  # noqa: ANN001
    """Build into a temporary file beside ``target`` and rename it into place."""
    target = Path(target)
    try:
        with atomic_path(target) as tmp:
            build(report, tmp)
    except OSError as exc:  # not only permissions: a full disk (ENOSPC) too
        raise UserError(f"cannot write {target}: {exc.strerror}") from None
    return target


def export_one(session: Session, client_id: int, kind: str, period: rd.Period | str,
               target: str | os.PathLike, now: datetime | None = None) -> Path:
    return write_report(compute(session, client_id, kind, period, now), target)


_UNSAFE = re.compile(r"[^\w.-]+", re.UNICODE)


def file_name(client_name: str, kind: str, period: str) -> str:
    """``Acme Traders``, monthly, ``2026-03`` → ``Acme-Traders_monthly_2026-03.pdf``."""
    slug = _UNSAFE.sub("-", client_name).strip("-.") or "client"
    return f"{slug[:80]}_{kind}_{period}.pdf"


def prepare_folder(out_dir: str | os.PathLike) -> Path:
    folder = Path(out_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create the folder {folder}: {exc.strerror}") from None
    if not os.access(folder, os.W_OK):
        raise UserError(f"cannot write to the folder {folder}")
    return folder


def plan_files(clients: Sequence[tuple[int, str]], kind: str, period: str,
               folder: Path) -> list[tuple[int, str, str]]:
    """(client id, name, target path) with distinct file names."""
    seen: set[str] = set()
    result = []
    for client_id, name in clients:
        base = file_name(name, kind, period)
        candidate, n = base, 2
        while candidate.lower() in seen:
            candidate = base.replace(".pdf", f"-{n}.pdf")
            n += 1
        seen.add(candidate.lower())
        result.append((client_id, name, str(folder / candidate)))
    return result


# ------------------------------------------------------------------------ several clients
_worker_db = None
_worker_error = ""


def _init_worker(url_text: str | None, read_only: bool) -> None:
    # An initializer that raises makes the pool respawn workers for ever: keep the error and
    # report it for each client instead.
    global _worker_db, _worker_error
    try:
        from desktop.storage.database import open_database
        _worker_db = open_database(url_text, read_only=read_only)
    except Exception as exc:  # noqa: BLE001
        _worker_error = str(exc) if isinstance(exc, UserError) else \
            f"cannot open the database ({type(exc).__name__})"


def _work(job: tuple[int, str, str, str, str, datetime | None]) -> ExportResult:
    client_id, name, kind, period, target, now = job
    if _worker_db is None:
        return ExportResult(client_id, name, None, _worker_error or "no database")
    try:
        with _worker_db.session() as session:
            export_one(session, client_id, kind, period, target, now)
        return ExportResult(client_id, name, target)
    except UserError as exc:
        return ExportResult(client_id, name, None, str(exc))
    except Exception as exc:  # noqa: BLE001 - one client's failure must not stop the others
        return ExportResult(client_id, name, None, f"unexpected error ({type(exc).__name__})")


def export_many(url_text: str | None, kind: str, period: str,
                jobs: Sequence[tuple[int, str, str]], *, now: datetime | None = None,
                processes: int | None = None,
                progress: Callable[[int, int, ExportResult], None] | None = None,
                cancel: threading.Event | None = None,
                read_only: bool = False) -> list[ExportResult]:
    """Reports for ``jobs`` (client id, name, target) in worker processes (default: one per
    core, at most two per the budget of DESIGN §8). Stops handing out work when ``cancel`` is
    set; reports already written stay (each one is whole)."""
    processes = processes or min(2, os.cpu_count() or 1)
    work = [(cid, name, kind, period, target, now) for cid, name, target in jobs]
    results: list[ExportResult] = []
    if not work:
        return results
    context = multiprocessing.get_context("spawn")  # never fork a process holding Qt or engines
    with context.Pool(processes, initializer=_init_worker, initargs=(url_text, read_only)) as pool:
        pending = iter(work)
        running = []
        for _ in range(processes * 2):
            job = next(pending, None)
            if job is not None:
                running.append(pool.apply_async(_work, (job,)))
        while running:
            result = running.pop(0).get()
            results.append(result)
            if progress:
                progress(len(results), len(work), result)
            if cancel is not None and cancel.is_set():
                for outstanding in running:
                    results.append(outstanding.get())
                break
            job = next(pending, None)
            if job is not None:
                running.append(pool.apply_async(_work, (job,)))
    return results


def database_url_for_workers(db) -> str:  # noqa: ANN001
    """The open database's URL for a worker process, without a password (the worker reads it
    from the keyring, as the app does)."""
    return db.url.set(password=None).render_as_string(hide_password=False)
