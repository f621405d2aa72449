"""Every user-text field into both PDF builders (issue 8, DESIGN §9): whatever the user typed
(markup, ``<img src=http://...>``, ``&``, very long words, right-to-left text, emoji, control
characters) the monthly and the quarterly report are valid PDFs, and nothing is fetched from
the network while they are built.

What tests/test_reports_pdf.py and test_report_escaping.py already cover: one fixed markup
string in the monthly summary, and ``common.para`` with a small alphabet. Here hypothesis
writes arbitrary text into every field a report prints (agency settings, client, contacts,
ticket titles and replies, maintenance names and notes, staff names, follow-up comments, both
report notes) and builds both reports from the real data path.
"""
from __future__ import annotations

import socket
import urllib.request
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from sqlalchemy import select

from test_report_world import NOW, build_world

NASTY = st.sampled_from([
    '<img src="http://example.com/x.png"/>', "<img src=http://127.0.0.1:9/a.png>",
    "<a href='http://example.com'>link</a>", "<link href='http://example.com'/>",
    '<font face="http://example.com/f.ttf">x</font>', "<para>", "</para>", "<br/>", "<b>",
    "&", "&amp;", "&#0;", "&#xD800;", "&nbsp;", "&bogus;", "<", ">", "<!-- x", "<![CDATA[",
    "Supercalifragilistic" * 40, "x" * 3000, "https://" + "a" * 400 + ".example/",
    "שלום עולם", "مرحبا بالعالم", "\u202eevil\u202c", "\u200f\u200e", "🙂🚀👨‍👩‍👧‍👦" * 20,
    "\x00", "\x01\x02\x07\x08\x0b\x0c\x1b\x7f", "\t\r\n\r\n", "\u2028\u2029", "\ufeff",
    "e\u0301\u0301\u0301\u0301", "ﷺ", "𝕏𝔸𝕄𝕃", "\uffff\ufffe", "  ", "",
    "%s %(x)s {0} {x}", "\\", "'; DROP TABLE tickets; --",
])
TEXT = st.one_of(NASTY, st.text(max_size=80),
                 st.lists(NASTY | st.text(max_size=10), min_size=1, max_size=4).map("".join))
NONEMPTY = TEXT.filter(lambda s: s.strip())


@pytest.fixture(scope="module")
def report_db(tmp_path_factory):
    from desktop.storage.database import open_database

    folder = tmp_path_factory.mktemp("fuzzreports")
    db = open_database(f"sqlite:///{folder / 'reports.db'}")
    with db.transaction() as session:
        client_id = build_world(session)
    yield db, client_id
    db.dispose()


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection or a URL fails the test (and is recorded)."""
    attempts = []

    def refuse(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        attempts.append(args[:2])
        raise AssertionError(f"network access while building a report: {args[:2]!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    return attempts


def _write_user_text(session, client_id: int, data) -> None:  # noqa: ANN001
    """Overwrite every user-text field a report prints with drawn text (not committed)."""
    from desktop.models import (Client, FollowUp, Occurrence, ReportNote, StaffUser, Ticket,
                                TicketEvent, Tier, TimeEntry)
    from desktop.services.settings import load_settings, save_settings

    agency = load_settings(session)
    for field in ("agency_name", "support_email", "support_phone", "phone_hours",
                  "emergency_phone", "portal_url"):
        setattr(agency, field, data.draw(NONEMPTY if field == "agency_name" else TEXT,
                                         label=field))
    agency.logo_path = data.draw(st.sampled_from(["", "http://example.com/logo.png",
                                                  "https://127.0.0.1:9/l.png",
                                                  "file:///etc/passwd", "/nonexistent.png",
                                                  "\\\\server\\share\\logo.png"]),
                                 label="logo_path")
    save_settings(session, agency)
    client = session.get(Client, client_id)
    client.name = data.draw(NONEMPTY, label="client.name")
    client.website = data.draw(TEXT, label="client.website")
    for contact in client.contacts:
        contact.name = data.draw(NONEMPTY, label="contact.name")
        contact.email = data.draw(TEXT, label="contact.email")
    for ticket in session.scalars(select(Ticket).where(Ticket.client_id == client_id)):
        ticket.title = data.draw(NONEMPTY, label=f"ticket {ticket.number} title")
        ticket.scope_reason = data.draw(TEXT, label="scope_reason")
    for event in session.scalars(select(TicketEvent)):
        event.body = data.draw(TEXT, label="event.body")
    for entry in session.scalars(select(TimeEntry)):
        entry.note = data.draw(TEXT, label="time_entry.note")
    for occurrence in session.scalars(select(Occurrence).where(
            Occurrence.client_id == client_id)):
        occurrence.name = data.draw(NONEMPTY, label="occurrence.name")
        occurrence.notes = data.draw(TEXT, label="occurrence.notes")
    for staff in session.scalars(select(StaffUser)):
        staff.display_name = data.draw(TEXT, label="staff.display_name")
    for follow_up in session.scalars(select(FollowUp)):
        follow_up.comment = data.draw(TEXT, label="follow_up.comment")
    for note in session.scalars(select(ReportNote)):
        note.body = data.draw(TEXT, label=f"{note.kind}")
    for tier in session.scalars(select(Tier)):
        tier.name = data.draw(NONEMPTY, label="tier.name")
    session.flush()


def _assert_valid_pdf(path: Path) -> None:
    reader = PdfReader(str(path))
    assert len(reader.pages) >= 1
    for page in reader.pages:
        page.extract_text()  # every page's content stream parses


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_any_user_text_makes_valid_pdfs_without_network(report_db, tmp_path_factory,
                                                       no_network, data):
    from desktop.reports.monthly import build_monthly
    from desktop.reports.quarterly import build_quarterly
    from desktop.services.report_monthly import monthly_report
    from desktop.services.report_quarterly import quarterly_report

    db, client_id = report_db
    folder = tmp_path_factory.mktemp("pdf")
    session = db.session()
    try:
        _write_user_text(session, client_id, data)
        monthly = monthly_report(session, client_id, "2026-03", now=NOW)
        quarterly = quarterly_report(session, client_id, "2026-Q1", now=NOW)
    finally:
        session.rollback()  # the world stays as built for the next example
        session.close()
    build_monthly(monthly, folder / "m.pdf")
    build_quarterly(quarterly, folder / "q.pdf")
    _assert_valid_pdf(folder / "m.pdf")
    _assert_valid_pdf(folder / "q.pdf")
    assert no_network == []


@pytest.mark.parametrize("text", [
    "<b>not bold</b> & <i>not italic</i>",
    "Acme & Sons <Pvt> Ltd",
    "مرحبا Acme",
])
def test_client_name_and_summary_print_as_typed(report_db, tmp_path, no_network, text):
    """Worked example: markup in the client's name (cover, header) and in both report notes
    prints literally in both reports."""
    import re

    from desktop.models import Client, ReportNote
    from desktop.reports.monthly import build_monthly
    from desktop.reports.quarterly import build_quarterly
    from desktop.services.report_monthly import monthly_report
    from desktop.services.report_quarterly import quarterly_report

    db, client_id = report_db
    session = db.session()
    try:
        session.get(Client, client_id).name = text
        for note in session.scalars(select(ReportNote)):
            note.body = f"Note: {text}"
        session.flush()
        monthly = monthly_report(session, client_id, "2026-03", now=NOW)
        quarterly = quarterly_report(session, client_id, "2026-Q1", now=NOW)
    finally:
        session.rollback()
        session.close()
    build_monthly(monthly, tmp_path / "m.pdf")
    build_quarterly(quarterly, tmp_path / "q.pdf")
    for name in ("m.pdf", "q.pdf"):
        flat = re.sub(r"\s+", "", "".join(p.extract_text() for p in
                                          PdfReader(str(tmp_path / name)).pages))
        if text.isascii():  # pypdf's extraction reorders right-to-left runs
            assert re.sub(r"\s+", "", f"Note: {text}") in flat
            assert re.sub(r"\s+", "", text) in flat


def test_the_network_trap_is_real_and_reportlab_refuses_remote_resources(no_network):
    """The trap above catches a fetch; and ReportLab (5.x, trustedHosts unset) refuses any
    URL image itself, before touching the network."""
    from reportlab import rl_config
    from reportlab.lib.utils import ImageReader

    with pytest.raises(AssertionError):
        urllib.request.urlopen("http://example.com/logo.png")  # noqa: S310
    assert len(no_network) == 1
    assert not rl_config.trustedHosts
    with pytest.raises(OSError):
        ImageReader("http://example.com/logo.png")
    assert len(no_network) == 1  # refused without a connection attempt
