"""Send…: the e-mail draft and the record of what went to whom (DESIGN §5 "Sending")."""
from __future__ import annotations

import email
import email.policy
import subprocess
import sys
from datetime import datetime, timezone

import pytest

from desktop.errors import UserError
from desktop.models import Contact
from desktop.services.report_export import export_one
from desktop.services.sending import sent_reports, write_draft
from test_report_world import NOW, build_world

SENT_AT = datetime(2026, 4, 6, 5, 0, tzinfo=timezone.utc)


@pytest.fixture
def world(db, tmp_path):
    with db.transaction() as session:
        client_id = build_world(session, with_maintenance=False)
    pdf = tmp_path / "march.pdf"
    with db.session() as session:
        export_one(session, client_id, "monthly", "2026-03", pdf, now=NOW)
    return db, client_id, pdf


def test_draft_is_addressed_to_report_contacts_with_the_pdf(world, tmp_path):
    db, client_id, pdf = world
    draft = tmp_path / "march.eml"
    with db.transaction() as session:
        record = write_draft(session, client_id, "monthly", "2026-03", pdf, draft,
                             now=SENT_AT)
    message = email.message_from_bytes(draft.read_bytes(), policy=email.policy.default)
    assert message["To"] == "Ravi Kumar <ravi@acme.example>, Asha Rao <asha@acme.example>"
    assert message["Subject"] == "Monthly maintenance report — Acme Traders — March 2026"
    assert message["X-Unsent"] == "1"
    attachment = next(p for p in message.walk() if p.get_filename())
    assert attachment.get_filename() == "march.pdf"
    assert attachment.get_payload(decode=True) == pdf.read_bytes()
    assert record.recipients == "ravi@acme.example, asha@acme.example"
    with db.session() as session:
        history = sent_reports(session, client_id)
    assert [(h.kind, h.period, h.sent_at, h.file_name) for h in history] == \
        [("monthly", "2026-03", SENT_AT, "march.pdf")]


def test_no_report_contact_is_a_clear_error_and_nothing_recorded(world, tmp_path):
    db, client_id, pdf = world
    with db.transaction() as session:
        for contact in session.query(Contact).filter_by(client_id=client_id):
            contact.receives_reports = False
    with pytest.raises(UserError, match="no contact who receives reports"), \
            db.transaction() as session:
        write_draft(session, client_id, "monthly", "2026-03", pdf, tmp_path / "x.eml")
    assert not (tmp_path / "x.eml").exists()
    with db.session() as session:
        assert sent_reports(session, client_id) == []


def test_report_layers_import_no_qt():
    code = ("import sys, desktop.services.report_data, desktop.services.report_monthly, "
            "desktop.services.report_quarterly, desktop.services.report_export, "
            "desktop.services.sending, desktop.reports.monthly, desktop.reports.quarterly, "
            "desktop.reports.charts, desktop.commands.report; "
            "assert not [m for m in sys.modules if m.startswith('PySide6')]")
    subprocess.run([sys.executable, "-c", code], check=True)
