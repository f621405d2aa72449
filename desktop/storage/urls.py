"""Where the database is, and how its password is found (DESIGN §3)."""
from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from desktop.errors import UserError

KEYRING_SERVICE = "aftercare"
ENV_VAR = "AFTERCARE_DATABASE_URL"


def data_dir() -> Path:
    """The platform's user data folder for Aftercare (created on demand)."""
    import platformdirs

    path = Path(os.environ.get("AFTERCARE_DATA_DIR") or platformdirs.user_data_dir("Aftercare", False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_url() -> str:
    return f"sqlite:///{data_dir() / 'aftercare.db'}"


def parse_url(text: str | None) -> URL:
    """Parse a ``sqlite:///path`` or ``postgresql://user@host/db`` URL.

    A URL that carries a password is refused: passwords live in the OS keyring only.
    """
    text = text or os.environ.get(ENV_VAR) or default_url()
    try:
        url = make_url(text)
    except ArgumentError:
        raise UserError(f"'{redact(text)}' is not a database URL; use sqlite:///path or "
                        "postgresql://user@host/db") from None
    backend = url.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise UserError(f"unsupported database '{backend}'; use sqlite:///path or "
                        "postgresql://user@host/db")
    if url.password is not None:
        raise UserError("the database URL contains a password; store it in the keyring instead "
                        f"with: aftercare password set {redact(text)}")
    if backend == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
        if not url.database:
            raise UserError("the PostgreSQL URL names no database: postgresql://user@host/db")
    return url


def redact(text: str) -> str:
    """The URL text with any password replaced by ***, for messages."""
    try:
        return make_url(text).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable URL>" if "@" in text else text


def keyring_user(url: URL) -> str:
    """The keyring entry name for a PostgreSQL URL: ``user@host:port/db``."""
    return f"{url.username or ''}@{url.host or 'localhost'}:{url.port or 5432}/{url.database}"


def display_url(url: URL) -> str:
    """How the status bar names a database."""
    if url.get_backend_name() == "sqlite":
        return url.database or ":memory:"
    return f"{url.username or ''}@{url.host or 'localhost'}:{url.port or 5432}/{url.database}"


def stored_password(url: URL) -> str | None:
    import keyring
    from keyring.errors import KeyringError

    try:
        return keyring.get_password(KEYRING_SERVICE, keyring_user(url))
    except KeyringError:
        return None


def store_password(url: URL, password: str) -> None:
    import keyring

    keyring.set_password(KEYRING_SERVICE, keyring_user(url), password)
