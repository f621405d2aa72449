"""Agency settings as key/value rows (JSON values), shared by everyone on a database."""
from __future__ import annotations

from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, JSONText, version_column


class Setting(Base):
    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[Any] = mapped_column(JSONText)
    version: Mapped[int] = version_column()
    __mapper_args__ = {"version_id_col": version}
