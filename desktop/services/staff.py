"""Staff users: the current user is named after the OS login and created on first use."""
from __future__ import annotations

import getpass

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models import StaffUser


def os_login() -> str:
    try:
        return getpass.getuser() or "support"
    except (KeyError, OSError):
        return "support"


def get_or_create_staff(session: Session, username: str) -> StaffUser:
    """The staff user of that name, created if the database lacks it."""
    user = session.scalar(select(StaffUser).where(StaffUser.username == username))
    if user is None:
        user = StaffUser(username=username, display_name=username)
        session.add(user)
        session.flush()
    return user


def current_user(session: Session, username: str | None = None) -> StaffUser:
    return get_or_create_staff(session, username or os_login())
