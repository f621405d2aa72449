"""Sending a report: an e-mail draft with the PDF attached, and the record of it (DESIGN §5).

``write_draft`` writes an ``.eml`` file (marked ``X-Unsent: 1`` so mail programs open it as a
draft to review and send) addressed to the client's report contacts, and records a
``SentReport`` row: which report went to whom, and when. The view then opens the draft in the
default mail program.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.errors import UserError
from desktop.models import Client, Contact, SentReport
from desktop.storage.changes import record_change
from desktop.storage.files import atomic_path

from . import report_data as rd
from .settings import load_settings

KIND_TITLES = {rd.MONTHLY: "Monthly maintenance report", rd.QUARTERLY: "Quarterly review"}


@dataclass(frozen=True)
class SentRecord:
    id: int
    client_id: int
    kind: str
    period: str
    sent_at: datetime
    recipients: str
    file_name: str


def write_draft(session: Session, client_id: int, kind: str, period: str,
                pdf_path: str | os.PathLike, draft_path: str | os.PathLike,
                sent_by_id: int | None = None, now: datetime | None = None) -> SentRecord:
    """Write the draft to ``draft_path`` and record the sending; a ``UserError`` when the
    client has no report contact with an e-mail address or the PDF is missing."""
    now = now or datetime.now(timezone.utc)
    client = session.get(Client, client_id)
    if client is None:
        raise UserError("that client no longer exists")
    pdf = Path(pdf_path)
    if not pdf.is_file():
        raise UserError(f"the report {pdf.name} is missing; export it again")
    contacts = session.execute(
        select(Contact.name, Contact.email)
        .where(Contact.client_id == client_id, Contact.receives_reports.is_(True))
        .order_by(Contact.id)).all()
    recipients = [(c.name, c.email.strip()) for c in contacts if (c.email or "").strip()]
    if not recipients:
        raise UserError(f"{client.name} has no contact who receives reports; "
                        "add one on the client's page")
    settings = load_settings(session)
    parsed = rd.parse_period(kind, period)
    title = KIND_TITLES[kind]

    message = EmailMessage()
    message["To"] = ", ".join(formataddr((name, email)) for name, email in recipients)
    if settings.support_email:
        message["From"] = formataddr((settings.agency_name, settings.support_email))
    message["Subject"] = f"{title} — {client.name} — {parsed.label}"
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain="aftercare.local")
    message["X-Unsent"] = "1"
    greeting = recipients[0][0].split()[0] if len(recipients) == 1 and recipients[0][0] else "all"
    message.set_content(
        f"Hello {greeting},\n\n"
        f"Please find attached the {title.lower()} for {client.name}, {parsed.long_label}.\n"
        f"It covers the support tickets and SLA figures, the maintenance we carried out and "
        f"what comes next.\n\n"
        f"If anything needs attention, reply to this e-mail"
        + (f" or write to {settings.support_email}" if settings.support_email else "")
        + ".\n\nKind regards,\n" + settings.agency_name + "\n")
    message.add_attachment(pdf.read_bytes(), maintype="application", subtype="pdf",
                           filename=pdf.name)
    with atomic_path(draft_path) as tmp:
        tmp.write_bytes(bytes(message))

    record = SentReport(client_id=client_id, kind=kind, period=parsed.key, sent_at=now,
                        recipients=", ".join(email for _, email in recipients),
                        file_name=pdf.name, sent_by_id=sent_by_id)
    session.add(record)
    session.flush()
    record_change(session, "report", record.id)
    return _record(record)


def sent_reports(session: Session, client_id: int) -> list[SentRecord]:
    """The reports sent to a client, newest first (for the client's page)."""
    rows = session.scalars(select(SentReport).where(SentReport.client_id == client_id)
                           .order_by(SentReport.sent_at.desc(), SentReport.id.desc()))
    return [_record(r) for r in rows]


def _record(row: SentReport) -> SentRecord:
    return SentRecord(row.id, row.client_id, row.kind, row.period, row.sent_at, row.recipients,
                      row.file_name)
