"""The agency's settings as one typed object (DESIGN §2 "settings")."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models import Setting

from . import catalog


@dataclass
class AgencySettings:
    agency_name: str = catalog.DEFAULT_SETTINGS["agency_name"]
    logo_path: str = ""
    support_email: str = catalog.DEFAULT_SETTINGS["support_email"]
    support_phone: str = ""
    phone_hours: str = catalog.DEFAULT_SETTINGS["phone_hours"]
    emergency_phone: str = ""
    portal_url: str = ""
    time_zone: str = "Asia/Kolkata"
    business_start: str = "09:00"
    business_end: str = "18:00"
    business_days: list[int] = field(default_factory=lambda: [0, 1, 2, 3, 4])
    at_risk_percent: int = 75
    currency: str = "INR"
    follow_up_business_days: int = 3

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def start_time(self) -> time:
        return time.fromisoformat(self.business_start)

    @property
    def end_time(self) -> time:
        return time.fromisoformat(self.business_end)


def load_settings(session: Session) -> AgencySettings:
    stored = {row.key: row.value for row in session.scalars(select(Setting))}
    names = {f.name for f in fields(AgencySettings)}
    return AgencySettings(**{k: v for k, v in stored.items() if k in names})


def save_settings(session: Session, settings: AgencySettings) -> None:
    rows = {row.key: row for row in session.scalars(select(Setting))}
    for key, value in asdict(settings).items():
        if key in rows:
            if rows[key].value != value:
                rows[key].value = value
        else:
            session.add(Setting(key=key, value=value))
    session.flush()
