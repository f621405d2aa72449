"""Maintenance templates per tier and their generated occurrences (DESIGN §2)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (Boolean, Date, ForeignKey, Index, Integer, String, Text, false,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, JSONText, UTCDateTime, version_column
from .contracts import Contract
from .people import Client, StaffUser


class MaintenanceTemplate(Base):
    """A recurring task for a tier. ``task`` is a stable code (``backup_verification``);
    ``cadence`` is a ``Cadence``; ``days_before_end`` places renewal and warranty-review tasks."""

    __tablename__ = "maintenance_templates"
    __table_args__ = (UniqueConstraint("tier_code", "task"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tier_code: Mapped[str] = mapped_column(ForeignKey("tiers.code", ondelete="CASCADE"))
    task: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(200))
    cadence: Mapped[str] = mapped_column(String(10))
    days_before_end: Mapped[int | None] = mapped_column(Integer, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = version_column()
    __mapper_args__ = {"version_id_col": version}


class Occurrence(Base):
    """One due instance of a template for a contract.

    ``period_key`` names the period it belongs to (``2026-03``, ``2026-Q1``, ``Y1``, ``end``), so
    that regenerating never duplicates an occurrence even when its due date moves.
    ``figures`` holds the task's recorded figures (DESIGN §2) as JSON.
    """

    __tablename__ = "occurrences"
    __table_args__ = (
        UniqueConstraint("contract_id", "task", "period_key"),
        Index("ix_occurrences_due", "due"),
        Index("ix_occurrences_client_due", "client_id", "due"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contract_id: Mapped[int | None] = mapped_column(
        ForeignKey("contracts.id", ondelete="CASCADE"), nullable=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    task: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(200))
    cadence: Mapped[str] = mapped_column(String(10))
    period_key: Mapped[str] = mapped_column(String(20))
    due: Mapped[date] = mapped_column(Date)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    done_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL"), nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(20), nullable=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    figures: Mapped[dict | None] = mapped_column(JSONText, nullable=True)
    # set when the manager moved the due date by hand; regenerating then keeps that date
    rescheduled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    version: Mapped[int] = version_column()
    __mapper_args__ = {"version_id_col": version}

    contract: Mapped[Contract | None] = relationship()
    client: Mapped[Client] = relationship()
    done_by: Mapped[StaffUser | None] = relationship()
