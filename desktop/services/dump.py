"""The portable dump: the whole database as one JSON document (DESIGN §7).

``export_dump(db, path)`` writes it, ``import_dump(db, source)`` loads one. The format is
``{"format": "aftercare", "version": 1, ...}`` with the keys of DESIGN §7 (``holidays``,
``clients``, ``tickets``, ``maintenance``) and the further keys that keep everything the user
entered (``settings``, ``staff``, ``tiers``, ``sla_policies``, ``templates``, ``follow_ups``,
``monthly_summaries``, ``quarterly_recommendations``, ``sent_reports``; coverage overrides on
tickets; ``receives_reports`` on contacts), all optional on import.

Import reads and validates the whole document before it writes anything, refuses a database
that already holds a client or a ticket, and writes in one transaction: all or nothing. Every
problem names its place and value (``tickets[3].priority: 'urgent' is not one of critical,
high, medium, low``). What the database computes (a ticket's status, current priority,
contract, coverage verdict and SLA clocks; an occurrence's contract, cadence and period) is
derived on import, never taken on trust, so a hand-written dump needs only the facts.

Export is deterministic (rows by number / name / date; ``indent=2``; instants in UTC with
``+00:00``; amounts as ``"15000.00"``), so export → import → export gives the same bytes. It
streams tickets in chunks, so a database of any size is written in bounded memory.

The module is split: ``dump_validate`` (JSON → checked plain data), ``dump_load`` (plain data →
rows, in bulk), ``dump_write`` (rows → JSON, streamed).
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from desktop.errors import UserError

FORMAT = "aftercare"
VERSION = 1
SHOWN_PROBLEMS = 3  # how many problems one error line names


class DumpError(UserError):
    """A dump that cannot be imported. ``problems`` lists every problem found (capped), each
    ``place: what is wrong with which value``; the message names the first few on one line."""

    def __init__(self, problems: list[str], total: int | None = None,
                 source: str | None = None) -> None:
        self.problems = list(problems)
        self.source = source
        self.total = total if total is not None else len(problems)
        shown = "; ".join(self.problems[:SHOWN_PROBLEMS])
        more = self.total - min(len(self.problems), SHOWN_PROBLEMS)
        if more > 0:
            shown += f" (and {more} more problem{'s' if more != 1 else ''})"
        prefix = f"{source}: " if source else ""
        super().__init__(f"{prefix}{shown}; nothing was imported")


@dataclass(frozen=True)
class DumpSummary:
    """What a dump held: the counts the command line prints."""

    clients: int = 0
    contracts: int = 0
    tickets: int = 0
    events: int = 0
    time_entries: int = 0
    maintenance: int = 0
    staff: int = 0
    holidays: int = 0

    def line(self) -> str:
        return (f"{self.clients} clients, {self.contracts} contracts, {self.tickets} tickets "
                f"({self.events} events, {self.time_entries} time entries), "
                f"{self.maintenance} maintenance items, {self.staff} staff, "
                f"{self.holidays} holidays")


def read_dump_file(path: str | os.PathLike) -> Any:
    """The parsed JSON of a dump file; a missing, unreadable or non-JSON file is a UserError."""
    path = Path(path)
    try:
        with open(path, encoding="utf-8-sig") as fh:
            return json.load(fh)
    except FileNotFoundError:
        raise UserError(f"{path} does not exist") from None
    except IsADirectoryError:
        raise UserError(f"{path} is a folder, not a dump file") from None
    except UnicodeDecodeError:
        raise UserError(f"{path} is not a JSON dump: it is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise UserError(f"{path} is not JSON: {exc.msg} at line {exc.lineno}, "
                        f"column {exc.colno}") from None
    except RecursionError:
        raise UserError(f"{path} is not a JSON dump: it is nested too deeply") from None
    except ValueError:  # Python refuses integers of more than 4,300 digits (CVE-2020-10735)
        raise UserError(f"{path} is not a JSON dump: it holds a number too long to "
                        "read") from None
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror}") from None


def import_dump(db, source: str | os.PathLike | dict, *,  # noqa: ANN001
                now: datetime | None = None) -> DumpSummary:
    """Load a portable dump (a file path or the parsed document) into ``db`` (DESIGN §7).

    Refuses a database that holds any client or ticket; validates everything first; writes in
    one transaction. ``now`` is the instant the SLA clocks are evaluated at (default: now).
    Raises ``DumpError`` (a ``UserError``) naming the problems; the database is then unchanged.
    """
    from . import dump_load, dump_validate

    label = None
    if isinstance(source, (str, os.PathLike)):
        label = str(source)
        document = read_dump_file(source)
    else:
        document = source
    if getattr(db, "read_only", False):
        from desktop.errors import ReadOnlyError

        raise ReadOnlyError("this database is open read-only; nothing was imported")
    dump_validate.check_header(document, label)
    with db.session() as session:
        dump_load.refuse_non_empty(session)
        context = dump_load.validation_context(session)
    parsed = dump_validate.validate(document, context, label)
    return dump_load.load(db, parsed, now=now)


def export_dump(db, path: str | os.PathLike) -> DumpSummary:  # noqa: ANN001
    """Write the whole database to ``path`` as a portable dump, atomically (DESIGN §7)."""
    from . import dump_write

    return dump_write.write(db, path)
