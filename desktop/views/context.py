"""What every view is given: the open database, the current user, settings and the worker."""
from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Signal

from desktop.services.settings import AgencySettings
from desktop.storage.database import Database

from .ui_settings import UiSettings
from .worker import OpRunner


class DataEvents(QObject):
    """Broadcast after data changed (here or, in shared mode, elsewhere): ``kind`` is
    ``ticket``, ``client``, ``contract``, ``occurrence``, ``settings``…; ``row_id`` may be None."""

    changed = Signal(str, object)


@dataclass
class AppContext:
    db: Database
    username: str
    user_id: int
    agency: AgencySettings
    runner: OpRunner
    ui: UiSettings
    events: DataEvents = field(default_factory=DataEvents)

    @property
    def read_only(self) -> bool:
        return self.db.read_only
