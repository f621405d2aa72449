"""The identifiers of DESIGN §7, used by the database, the dump and the services."""
from enum import StrEnum


class TierCode(StrEnum):
    WARRANTY = "warranty"
    BASIC = "basic"
    STANDARD = "standard"
    PREMIUM = "premium"


class Priority(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Status(StrEnum):
    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    WAITING_ON_CLIENT = "waiting_on_client"
    RESOLVED = "resolved"
    CLOSED = "closed"


class Category(StrEnum):
    BUG_FIX = "bug_fix"
    TECHNICAL_ISSUE = "technical_issue"
    FUNCTIONALITY = "functionality"
    DOCUMENTATION = "documentation"
    SECURITY_UPDATE = "security_update"
    CONTENT_UPDATE = "content_update"
    PERFORMANCE = "performance"
    NEW_FEATURE = "new_feature"
    TRAINING = "training"
    THIRD_PARTY = "third_party"


class Channel(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    EMERGENCY = "emergency"
    PORTAL = "portal"


class Outcome(StrEnum):
    OK = "ok"
    ISSUES_FOUND = "issues_found"
    SKIPPED = "skipped"


class EventType(StrEnum):
    """Audit-trail events. The first four are the dump's event types (DESIGN §7)."""

    STATUS = "status"
    REPLY = "reply"
    NOTE = "note"
    PRIORITY = "priority"
    ASSIGNMENT = "assignment"
    OVERRIDE = "override"
    TIME_ENTRY = "time_entry"
    EDIT = "edit"
    FOLLOW_UP = "follow_up"


class Clock(StrEnum):
    BUSINESS = "business"
    ALWAYS = "24x7"


class Cadence(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    ANNUAL = "annual"
    ONCE = "once"


PRIORITY_ORDER = {p: i for i, p in enumerate(Priority)}
OPEN_STATUSES = (Status.NEW, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.WAITING_ON_CLIENT)
