"""SQLAlchemy 2.0 typed ORM classes (DESIGN §1). No Qt here."""
from .base import Base, JSONText, Money, UTCDateTime, utcnow
from .contracts import Contract, Holiday, SlaPolicy, Tier
from .maintenance import MaintenanceTemplate, Occurrence
from .people import Client, Contact, StaffUser
from .reporting import ReportNote, SentReport
from .settings import Setting
from .tickets import FollowUp, Ticket, TicketEvent, TimeEntry

__all__ = [
    "Base", "JSONText", "Money", "UTCDateTime", "utcnow",
    "Client", "Contact", "StaffUser",
    "Contract", "Holiday", "SlaPolicy", "Tier",
    "Ticket", "TicketEvent", "TimeEntry", "FollowUp",
    "MaintenanceTemplate", "Occurrence",
    "ReportNote", "SentReport", "Setting",
]
