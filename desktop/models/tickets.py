"""Tickets, their audit trail, time entries and satisfaction follow-ups (DESIGN §2)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (Boolean, Date, ForeignKey, Index, Integer, String, Text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, JSONText, UTCDateTime, utcnow, version_column
from .contracts import Contract
from .people import Client, StaffUser


class Ticket(Base):
    """A support ticket.

    The SLA due instants are computed by ``services`` and stored here so that the queue sorts and
    filters by them in SQL; they are recomputed on every event. ``sla_due_at`` is the nearest due
    instant of a clock that is still running (NULL when none is), the queue's default sort.
    """

    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_status_sla_due", "status", "sla_due_at"),
        Index("ix_tickets_sla_due", "sla_due_at"),
        Index("ix_tickets_priority_sla_due", "priority", "sla_due_at"),
        Index("ix_tickets_client_created", "client_id", "created_at"),
        Index("ix_tickets_assignee_status", "assignee_id", "status"),
        Index("ix_tickets_assignee_sla_due", "assignee_id", "sla_due_at"),
        Index("ix_tickets_scope", "scope_override", "in_scope"),
        Index("ix_tickets_created", "created_at"),
        Index("ix_tickets_updated", "updated_at"),
        Index("ix_tickets_resolved", "resolved_at"),
        # the dashboard's "SLA met per month" counts from the index alone (DESIGN §4, §8)
        Index("ix_tickets_resolved_breaches", "resolved_at", "response_breached",
              "resolution_breached"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    contract_id: Mapped[int | None] = mapped_column(
        ForeignKey("contracts.id", ondelete="SET NULL"), nullable=True, index=True)
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    priority: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20), default="new")
    category: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(10))
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # SLA, computed by services.sla and stored (DESIGN §2 "Due instants are computed and stored").
    clock: Mapped[str] = mapped_column(String(10), default="business")
    response_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolution_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sla_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolution_paused: Mapped[bool] = mapped_column(Boolean, default=False)
    resolution_used_minutes: Mapped[int] = mapped_column(Integer, default=0)
    response_breached: Mapped[bool] = mapped_column(Boolean, default=False)
    resolution_breached: Mapped[bool] = mapped_column(Boolean, default=False)
    # Coverage (DESIGN §2): the computed verdict, and the manager's override with its reason.
    in_scope: Mapped[bool] = mapped_column(Boolean, default=True)
    scope_reason: Mapped[str] = mapped_column(Text, default="")
    scope_override: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    override_reason: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = version_column()
    __mapper_args__ = {"version_id_col": version}

    client: Mapped[Client] = relationship()
    contract: Mapped[Contract | None] = relationship()
    assignee: Mapped[StaffUser | None] = relationship()
    events: Mapped[list[TicketEvent]] = relationship(
        back_populates="ticket", cascade="all, delete-orphan",
        order_by="(TicketEvent.at, TicketEvent.id)")
    time_entries: Mapped[list[TimeEntry]] = relationship(
        back_populates="ticket", cascade="all, delete-orphan",
        order_by="(TimeEntry.work_date, TimeEntry.id)")

    @property
    def is_in_scope(self) -> bool:
        """The verdict in force: the manager's override if there is one, else the computed one."""
        return self.in_scope if self.scope_override is None else self.scope_override


class TicketEvent(Base):
    """One entry of a ticket's audit trail, with author and instant (DESIGN §2).

    ``type`` is an ``EventType``. ``data`` holds extra detail as JSON (old/new values of an edit,
    the old priority, an override's verdict), never anything secret.
    """

    __tablename__ = "ticket_events"
    __table_args__ = (Index("ix_ticket_events_ticket_at", "ticket_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    type: Mapped[str] = mapped_column(String(20))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL"), nullable=True)
    status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    priority: Mapped[str | None] = mapped_column(String(10), nullable=True)
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    body: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict | None] = mapped_column(JSONText, nullable=True)

    ticket: Mapped[Ticket] = relationship(back_populates="events")
    author: Mapped[StaffUser | None] = relationship()


class TimeEntry(Base):
    """Time logged on a ticket. Content-update minutes count against the month's allowance."""

    __tablename__ = "time_entries"
    __table_args__ = (Index("ix_time_entries_ticket", "ticket_id"),
                      Index("ix_time_entries_date", "work_date"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    work_date: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = version_column()
    __mapper_args__ = {"version_id_col": version}

    ticket: Mapped[Ticket] = relationship(back_populates="time_entries")
    author: Mapped[StaffUser | None] = relationship()


class FollowUp(Base):
    """The satisfaction check 3 business days after a ticket is resolved (DESIGN §2)."""

    __tablename__ = "follow_ups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), unique=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    rating: Mapped[int | None] = mapped_column(Integer, nullable=True)
    comment: Mapped[str] = mapped_column(Text, default="")
    done_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL"), nullable=True)
    version: Mapped[int] = version_column()
    __mapper_args__ = {"version_id_col": version}

    ticket: Mapped[Ticket] = relationship()
