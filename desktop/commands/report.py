"""aftercare report: client PDF reports from the command line (DESIGN §5-6).

    aftercare report monthly --client NAME --month YYYY-MM -o FILE.pdf
    aftercare report quarterly --client NAME --quarter YYYY-Qn -o FILE.pdf
    aftercare report {monthly|quarterly} --all --period P --out-dir DIR

Input is checked before anything is written; each PDF goes to a temporary file that is renamed
into place, so a report is whole or absent.
"""
from __future__ import annotations

import argparse
import sys

from desktop.errors import UserError

HELP = "write a client's monthly maintenance report or quarterly review as PDF"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kind", choices=("monthly", "quarterly"),
                        help="monthly maintenance report or quarterly review")
    parser.add_argument("--client", metavar="NAME", help="the client's name")
    parser.add_argument("--month", metavar="YYYY-MM", help="the month (monthly report)")
    parser.add_argument("--quarter", metavar="YYYY-Qn", help="the quarter (quarterly review)")
    parser.add_argument("-o", "--output", metavar="FILE.pdf", help="the PDF to write")
    parser.add_argument("--all", action="store_true", help="one PDF per client")
    parser.add_argument("--period", metavar="P", help="the month or quarter, with --all")
    parser.add_argument("--out-dir", metavar="DIR", help="folder for the PDFs, with --all")
    parser.add_argument("--include-archived", action="store_true",
                        help="with --all, archived clients too")


def _period_text(args: argparse.Namespace) -> str:
    if args.kind == "monthly" and args.quarter:
        raise UserError("a monthly report takes --month YYYY-MM, not --quarter")
    if args.kind == "quarterly" and args.month:
        raise UserError("a quarterly review takes --quarter YYYY-Qn, not --month")
    given = [p for p in (args.period, args.month, args.quarter) if p]
    if not given:
        flag = "--month YYYY-MM" if args.kind == "monthly" else "--quarter YYYY-Qn"
        raise UserError(f"say which period: {flag}" + (" or --period" if args.all else ""))
    if len(set(given)) > 1:
        raise UserError("give the period once")
    return given[0]


def run(args: argparse.Namespace) -> int:
    from desktop.services import report_data as rd
    from desktop.services import report_export
    from desktop.storage.database import open_database

    period = rd.parse_period(args.kind, _period_text(args))
    if args.all:
        if args.client or args.output:
            raise UserError("--all writes one PDF per client into --out-dir; "
                            "drop --client and -o")
        if not args.out_dir:
            raise UserError("--all needs --out-dir DIR")
    else:
        if not args.client:
            raise UserError("name the client with --client NAME (or use --all)")
        if not args.output:
            raise UserError("name the PDF to write with -o FILE.pdf")
    url = getattr(args, "database", None)
    db = open_database(url)
    try:
        if not args.all:
            with db.session() as session:
                client = rd.find_client(session, args.client)
                path = report_export.export_one(session, client.id, args.kind, period,
                                                args.output)
            print(f"{args.kind} report for {client.name}, {period.label}, written to {path}")
            return 0
        folder = report_export.prepare_folder(args.out_dir)
        with db.session() as session:
            clients = rd.report_clients(session, include_archived=args.include_archived)
        read_only = db.read_only
        worker_url = report_export.database_url_for_workers(db)
    finally:
        db.dispose()
    if not clients:
        raise UserError("there are no clients to report on")
    jobs = report_export.plan_files(clients, args.kind, period.key, folder)
    show = sys.stderr.isatty()

    def progress(done: int, total: int, result: report_export.ExportResult) -> None:
        if show:
            name = result.client_name[:40]
            sys.stderr.write(f"\r[{done}/{total}] {name:<40}")
            sys.stderr.flush()

    if len(jobs) <= 2:
        results = []
        db = open_database(url, read_only=read_only)
        try:
            for client_id, name, target in jobs:
                with db.session() as session:
                    report_export.export_one(session, client_id, args.kind, period, target)
                results.append(report_export.ExportResult(client_id, name, target))
                progress(len(results), len(jobs), results[-1])
        finally:
            db.dispose()
    else:
        results = report_export.export_many(worker_url, args.kind, period.key, jobs,
                                            progress=progress, read_only=read_only)
    if show:
        sys.stderr.write("\n")
    failed = [r for r in results if r.path is None]
    for r in failed:
        print(f"aftercare: {r.client_name}: {r.error}", file=sys.stderr)
    print(f"{len(results) - len(failed)} {args.kind} report(s) for {period.label} written to "
          f"{folder}")
    return 1 if failed else 0
