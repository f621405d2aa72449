"""What the manager writes for reports, and the record of reports sent (DESIGN §5)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, version_column
from .people import Client, StaffUser


class ReportNote(Base):
    """Free text kept with a report: ``kind`` is ``monthly_summary`` (period ``YYYY-MM``) or
    ``quarterly_recommendations`` (period ``YYYY-Qn``)."""

    __tablename__ = "report_notes"
    __table_args__ = (UniqueConstraint("client_id", "kind", "period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    period: Mapped[str] = mapped_column(String(10))
    body: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = version_column()
    __mapper_args__ = {"version_id_col": version}

    client: Mapped[Client] = relationship()


class SentReport(Base):
    """Proof that a report went to a client: which, to whom, when (DESIGN §5 "Sending")."""

    __tablename__ = "sent_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"),
                                           index=True)
    kind: Mapped[str] = mapped_column(String(20))
    period: Mapped[str] = mapped_column(String(10))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recipients: Mapped[str] = mapped_column(Text, default="")
    file_name: Mapped[str] = mapped_column(String(500), default="")
    sent_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL"), nullable=True)

    client: Mapped[Client] = relationship()
    sent_by: Mapped[StaffUser | None] = relationship()
