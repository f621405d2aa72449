"""The PDFs read back: figures, client, period, "Page X of Y", escaped user text; the CLI."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from desktop.cli import main as cli
from desktop.services import report_export
from desktop.services.report_monthly import monthly_report
from desktop.services.report_quarterly import quarterly_report
from desktop.reports.monthly import build_monthly
from desktop.reports.quarterly import build_quarterly
from test_report_world import NOW, TRICKY, build_world


@pytest.fixture
def world(tmp_path):
    from desktop.storage.database import open_database

    url = f"sqlite:///{tmp_path / 'reports.db'}"
    db = open_database(url)
    with db.transaction() as session:
        client_id = build_world(session)
        from desktop.services.settings import load_settings, save_settings
        settings = load_settings(session)
        settings.support_phone = "+91 80 4000 0000"
        settings.emergency_phone = "+91 98450 00000"
        save_settings(session, settings)
    yield db, client_id, url
    db.dispose()


def _text(path: Path) -> tuple[list[str], str]:
    pages = [page.extract_text() for page in PdfReader(str(path)).pages]
    return pages, "\n".join(pages)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_monthly_pdf_holds_the_figures_and_page_numbers(world, tmp_path):
    db, client_id, _ = world
    with db.session() as session:
        report = monthly_report(session, client_id, "2026-03", now=NOW)
    target = tmp_path / "march.pdf"
    build_monthly(report, target)
    pages, text = _text(target)
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
        assert "Email support@arukz.com" in page
    flat = _squash(text)
    assert "Acme Traders" in pages[0] and "March 2026" in pages[0]
    assert "Monthly maintenance report" in pages[0]
    assert "1 critical incident" in flat
    assert "80.0%" in flat and "99.95%" in flat and "4.5 h of 4 h" in flat
    assert "₹30,000.00" in flat
    assert "WooCommerce updated 8.1 → 8.2" in flat
    assert "Elementor 3.18 held back" in flat
    assert "Billable time this month: 1 h 30 min." in flat
    assert TRICKY in flat                      # the summary, exactly as typed
    assert "Fixed the <form> handler & retested." in flat
    assert "24/7 emergency" not in flat        # Standard: no emergency line


def test_quarterly_pdf_holds_sections_and_escaped_text(world, tmp_path):
    db, client_id, _ = world
    with db.session() as session:
        report = quarterly_report(session, client_id, "2026-Q1", now=NOW)
    target = tmp_path / "q1.pdf"
    build_quarterly(report, target)
    pages, text = _text(target)
    flat = _squash(text)
    assert "Quarterly review" in pages[0] and "Q1 2026" in pages[0]
    assert all(f"Page {n} of {len(pages)}" in p for n, p in enumerate(pages, start=1))
    for heading in ("The quarter in brief", "SLA compliance by priority", "Missed targets",
                    "Content hours", "Uptime and performance", "Maintenance completed",
                    "Critical incidents and root causes", "Our recommendations",
                    "Your contract", "Plan for Q2 2026"):
        assert heading in flat
    assert "Move to Premium for 24/7 cover." in flat
    assert "3 h 15 min" in flat               # median first response, high
    assert "01 Jan 2027" in flat              # renewal date
    assert "<script>alert('x')</script> & “quotes” — ₹ 1,50,000 café" in flat
    assert "Quick & calm <3" in flat


def test_empty_sections_say_so_in_words(tmp_path):
    from desktop.models import Client, Contract
    from desktop.storage.database import open_database
    from datetime import date
    from decimal import Decimal

    db = open_database(f"sqlite:///{tmp_path / 'empty.db'}")
    with db.transaction() as session:
        client = Client(name="Quiet Co")
        session.add(client)
        session.flush()
        session.add(Contract(client_id=client.id, tier_code="premium", start=date(2026, 1, 1),
                             end=date(2026, 12, 31), monthly_fee=Decimal("60000"),
                             content_minutes_allowance=480))
        session.flush()
        client_id = client.id
    with db.session() as session:
        monthly = monthly_report(session, client_id, "2026-03", now=NOW)
        quarterly = quarterly_report(session, client_id, "2026-Q1", now=NOW)
    build_monthly(monthly, tmp_path / "m.pdf")
    build_quarterly(quarterly, tmp_path / "q.pdf")
    db.dispose()
    monthly_text = _squash(_text(tmp_path / "m.pdf")[1])
    quarterly_text = _squash(_text(tmp_path / "q.pdf")[1])
    assert "No incidents this month" in monthly_text
    assert "No support tickets were opened or resolved this month." in monthly_text
    assert "No maintenance was scheduled this month." in monthly_text
    assert "24/7 emergency line" in monthly_text          # Premium
    assert "No support tickets were opened this quarter." in quarterly_text
    assert "No satisfaction ratings were given this quarter." in quarterly_text
    assert "No critical incidents this quarter." in quarterly_text


def test_markup_in_user_text_is_never_interpreted(world, tmp_path):
    db, client_id, _ = world
    from sqlalchemy import update
    from desktop.models import ReportNote
    long_word = "Supercalifragilistic" * 12
    body = f'<img src="http://example.com/x.png"/> <b>not bold</b> {long_word}'
    with db.transaction() as session:
        session.execute(update(ReportNote).where(ReportNote.kind == "monthly_summary")
                        .values(body=body))
    with db.session() as session:
        report = monthly_report(session, client_id, "2026-03", now=NOW)
    build_monthly(report, tmp_path / "m.pdf")
    flat = _squash(_text(tmp_path / "m.pdf")[1])
    assert '<img src="http://example.com/x.png"/> <b>not bold</b>' in flat
    assert flat.replace(" ", "").count("Supercalifragilistic") >= 12


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm is not installed")
def test_a_page_renders_to_png(world, tmp_path):
    db, client_id, _ = world
    with db.session() as session:
        report = quarterly_report(session, client_id, "2026-Q1", now=NOW)
    build_quarterly(report, tmp_path / "q.pdf")
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "2", "-l", "2", str(tmp_path / "q.pdf"),
                    str(tmp_path / "page")], check=True, capture_output=True)
    pngs = list(tmp_path.glob("page*.png"))
    assert len(pngs) == 1 and pngs[0].stat().st_size > 5000


def test_fonts_are_embedded(world, tmp_path):
    db, client_id, _ = world
    with db.session() as session:
        build_monthly(monthly_report(session, client_id, "2026-03", now=NOW), tmp_path / "m.pdf")
        build_quarterly(quarterly_report(session, client_id, "2026-Q1", now=NOW),
                        tmp_path / "q.pdf")
    for name in ("m.pdf", "q.pdf"):
        fonts = set()
        for page in PdfReader(str(tmp_path / name)).pages:
            for font in page["/Resources"]["/Font"].values():
                font = font.get_object()
                fonts.add(str(font["/BaseFont"]))
                descendant = font.get("/DescendantFonts")
                descriptor = (descendant[0].get_object() if descendant else font).get(
                    "/FontDescriptor")
                assert descriptor is not None and "/FontFile2" in descriptor.get_object()
        assert fonts and all("DejaVuSans" in f for f in fonts), fonts   # all embedded


# ------------------------------------------------------------------------------------ CLI
def test_cli_monthly_writes_the_report(world, tmp_path, capsys):
    _, _, url = world
    target = tmp_path / "out.pdf"
    code = cli(["--database", url, "report", "monthly", "--client", "Acme Traders",
                "--month", "2026-03", "-o", str(target)])
    assert code == 0
    assert "Acme Traders" in _text(target)[1]
    assert not list(tmp_path.glob(".out.pdf.*"))   # no temporary file left


@pytest.mark.parametrize("args, message", [
    (["monthly", "--client", "Nobody", "--month", "2026-03"], "no client named 'Nobody'"),
    (["monthly", "--client", "Acme Traders", "--month", "2026-3x"], "is not a month"),
    (["quarterly", "--client", "Acme Traders", "--quarter", "2026-Q7"], "is not a quarter"),
    (["quarterly", "--client", "Acme Traders", "--month", "2026-03"], "not --month"),
])
def test_cli_bad_input_is_one_line_and_no_file(world, tmp_path, capsys, args, message):
    _, _, url = world
    target = tmp_path / "bad.pdf"
    code = cli(["--database", url, "report", *args, "-o", str(target)])
    err = capsys.readouterr().err
    assert code == 1
    assert message in err and err.count("\n") == 1
    assert not target.exists() and not list(tmp_path.glob("*.pdf*"))


def test_cli_unwritable_path(world, tmp_path, capsys):
    _, _, url = world
    code = cli(["--database", url, "report", "monthly", "--client", "Acme Traders",
                "--month", "2026-03", "-o", str(tmp_path / "missing" / "x.pdf")])
    assert code == 1
    assert "does not exist" in capsys.readouterr().err


def test_cli_all_writes_one_pdf_per_client(world, tmp_path):
    db, _, url = world
    from desktop.models import Client
    with db.transaction() as session:
        session.add_all([Client(name="Bharat Foods"), Client(name="Café / Zoë & Co")])
    out = tmp_path / "all"
    # in a subprocess: --all spawns worker processes for three clients
    result = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "--database", url, "report", "quarterly", "--all",
         "--period", "2026-Q1", "--out-dir", str(out)], capture_output=True, text=True,
        cwd=Path(__file__).resolve().parents[1], env={**os.environ}, timeout=120)
    assert result.returncode == 0, result.stderr
    names = sorted(p.name for p in out.iterdir())
    assert names == ["Acme-Traders_quarterly_2026-Q1.pdf", "Bharat-Foods_quarterly_2026-Q1.pdf",
                     "Café-Zoë-Co_quarterly_2026-Q1.pdf"]
    assert "Café / Zoë & Co" in _text(out / names[2])[1]


def test_file_names_are_distinct():
    jobs = report_export.plan_files([(1, "A/B"), (2, "A B"), (3, "a-b")], "monthly", "2026-03",
                                    Path("/tmp"))
    assert len({Path(j[2]).name.lower() for j in jobs}) == 3


def test_logo_from_settings_is_drawn(world, tmp_path):
    from PIL import Image

    db, client_id, _ = world
    logo = tmp_path / "logo.png"
    Image.new("RGB", (240, 80), (29, 53, 87)).save(logo)
    with db.transaction() as session:
        from desktop.services.settings import load_settings, save_settings
        settings = load_settings(session)
        settings.logo_path = str(logo)
        save_settings(session, settings)
    with db.session() as session:
        build_monthly(monthly_report(session, client_id, "2026-03", now=NOW), tmp_path / "m.pdf")
    reader = PdfReader(str(tmp_path / "m.pdf"))
    images = [name for page in reader.pages
              for name, obj in (page["/Resources"].get("/XObject") or {}).items()
              if obj.get_object().get("/Subtype") == "/Image"]
    assert len(images) == len(reader.pages)   # on the cover and in every page header


def test_a_logo_url_is_never_fetched(world, tmp_path):
    from desktop.reports.common import logo_file
    from desktop.services.report_data import Branding

    assert logo_file(Branding("A", logo_path="http://example.com/logo.png")) is None
    assert logo_file(Branding("A", logo_path=str(tmp_path / "missing.png"))) is None


def test_cli_all_on_both_databases(db, db_url, tmp_path):
    """--all's worker processes open the same database by its URL (no password in it)."""
    from desktop.models import Client
    with db.transaction() as session:
        build_world(session, with_maintenance=False)
        session.add_all([Client(name="Bharat Foods"), Client(name="Coastal Cafés")])
    out = tmp_path / "monthly"
    result = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "--database", db_url, "report", "monthly", "--all",
         "--period", "2026-03", "--out-dir", str(out)], capture_output=True, text=True,
        cwd=Path(__file__).resolve().parents[1], timeout=120)
    assert result.returncode == 0, result.stderr
    assert "3 monthly report(s) for March 2026 written" in result.stdout
    assert len(list(out.glob("*.pdf"))) == 3


def test_long_tables_split_with_their_header_repeated(world, tmp_path):
    import dataclasses

    db, client_id, _ = world
    with db.session() as session:
        report = monthly_report(session, client_id, "2026-03", now=NOW)
    many = tuple(dataclasses.replace(t, number=1000 + i)
                 for i, t in enumerate(report.tickets * 40))
    build_monthly(dataclasses.replace(report, tickets=many), tmp_path / "long.pdf")
    pages, _ = _text(tmp_path / "long.pdf")
    with_rows = [p for p in pages if "#1" in p and "Resolution" in p]
    assert len(with_rows) >= 4
    assert all("Ticket" in p and "Opened" in p for p in with_rows)   # header on every page
    assert all(f"of {len(pages)}" in p for p in pages)


def test_workers_that_cannot_open_the_database_report_it(tmp_path):
    jobs = [(1, "A", str(tmp_path / "a.pdf")), (2, "B", str(tmp_path / "b.pdf")),
            (3, "C", str(tmp_path / "c.pdf"))]
    not_a_database = tmp_path / "junk.db"
    not_a_database.write_bytes(b"this is not SQLite" * 100)
    results = report_export.export_many(f"sqlite:///{not_a_database}", "monthly", "2026-03",
                                        jobs, processes=2)
    assert [r.path for r in results] == [None, None, None]
    assert all(r.error for r in results)
    assert not list(tmp_path.glob("*.pdf"))
