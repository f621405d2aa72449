"""Support tiers, contracts, SLA policy and holidays (DESIGN §2)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Money, version_column
from .people import Client


class Tier(Base):
    """A support tier; seeded from DESIGN §2 and editable in Settings."""

    __tablename__ = "tiers"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    monthly_fee: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3), default="INR")
    channels: Mapped[str] = mapped_column(Text, default="")
    content_minutes_per_month: Mapped[int] = mapped_column(Integer, default=0)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = version_column()
    __mapper_args__ = {"version_id_col": version}


class Contract(Base):
    """A client's support contract for a period. ``end`` is inclusive.

    A warranty contract starts at the handover date and lasts 30-90 days.
    """

    __tablename__ = "contracts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    tier_code: Mapped[str] = mapped_column(ForeignKey("tiers.code"))
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    monthly_fee: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3), default="INR")
    content_minutes_allowance: Mapped[int] = mapped_column(Integer, default=0)
    handover_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    renewed_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("contracts.id", ondelete="SET NULL"), nullable=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = version_column()
    __mapper_args__ = {"version_id_col": version}

    client: Mapped[Client] = relationship(back_populates="contracts")
    tier: Mapped[Tier] = relationship()


class SlaPolicy(Base):
    """Targets for one tier and priority, in minutes of the ticket's clock (DESIGN §2).

    ``tier_code`` is a tier's code, or ``"none"`` for tickets outside any contract.
    """

    __tablename__ = "sla_policies"
    __table_args__ = (UniqueConstraint("tier_code", "priority"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tier_code: Mapped[str] = mapped_column(String(20))
    priority: Mapped[str] = mapped_column(String(10))
    clock: Mapped[str] = mapped_column(String(10))
    response_minutes: Mapped[int] = mapped_column(Integer)
    resolution_minutes: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = version_column()
    __mapper_args__ = {"version_id_col": version}


class Holiday(Base):
    """A day without business hours. Seeded from the ``holidays`` package's India calendar."""

    __tablename__ = "holidays"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
