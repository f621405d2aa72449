"""Reaching a PostgreSQL server: connection parameters, a "test connection" probe and one plain
sentence for every way a connection can fail (DESIGN §3, issue 7).

The password comes from the argument or the OS keyring and goes only into the driver's connect
call: never into a URL, a message or a log. Every message built here is scrubbed of it anyway.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.engine import URL

from .urls import display_url, stored_password

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 5
SSL_MODES = ("prefer", "disable", "allow", "require", "verify-ca", "verify-full")


def connect_params(url: URL, password: str | None = None) -> dict:
    """Keyword arguments for ``psycopg.connect`` (password from the keyring when not given)."""
    params: dict = {"host": url.host or "localhost", "port": url.port or 5432,
                    "dbname": url.database, "connect_timeout": CONNECT_TIMEOUT_S,
                    "application_name": "aftercare"}
    if url.username:
        params["user"] = url.username
    for key, value in url.query.items():
        params[key] = value if isinstance(value, str) else value[-1]
    secret = password if password is not None else stored_password(url)
    if secret:
        params["password"] = secret
    return params


def scrub(text: str, password: str | None) -> str:
    """The text with the password (if any) replaced by ***."""
    if password:
        text = text.replace(password, "***")
    return text


def describe_connect_error(exc: BaseException, url: URL, password: str | None = None) -> str:
    """One plain sentence for a failed connection: wrong password, unknown host, refused…"""
    orig = getattr(exc, "orig", None) or exc
    raw = " ".join(str(orig).split())
    low = raw.lower()
    where = display_url(url)
    host = url.host or "localhost"
    port = url.port or 5432
    if "password authentication failed" in low or "authentication failed" in low:
        sentence = (f"The server at {host} refused the password for user '{url.username}'; "
                    "check the user name and password.")
    elif "no password supplied" in low:
        sentence = (f"The server at {host} asks for a password for user '{url.username}'; "
                    "enter it in File → Connect (it is kept in the system keyring).")
    elif "failed to resolve host" in low or "could not translate host name" in low \
            or "name or service not known" in low or "nodename nor servname" in low:
        sentence = f"The server name '{host}' is unknown; check the host name."
    elif "connection refused" in low:
        sentence = (f"Nothing is accepting connections at {host}, port {port}; the server may be "
                    "stopped or the port wrong.")
    elif "timeout expired" in low or "timed out" in low:
        sentence = f"The server at {host}, port {port} did not answer in time; check the network."
    elif "does not exist" in low and "database" in low:
        sentence = f"The server at {host} has no database named '{url.database}'."
    elif "does not exist" in low and "role" in low:
        sentence = f"The server at {host} has no user named '{url.username}'."
    elif "ssl" in low:
        sentence = (f"The secure connection to {host} failed ({_tail(raw)}); "
                    "try another SSL mode.")
    elif "terminating connection" in low or "server closed the connection" in low \
            or "connection is lost" in low or "consuming input failed" in low:
        sentence = f"The connection to {where} was lost."
    else:
        sentence = f"Cannot connect to {where}: {_tail(raw)}."
    return scrub(sentence, password)


def _tail(raw: str) -> str:
    """The driver's own words without the 'connection to server at … failed:' preamble."""
    text = raw
    if "failed:" in text:
        text = text.rsplit("failed:", 1)[1]
    text = text.replace("FATAL:", "").strip().rstrip(".")
    return text[:200] or "unknown error"


@dataclass(frozen=True)
class ProbeResult:
    """The verdict of "Test connection"."""

    ok: bool
    message: str
    server_version: str = ""
    schema: str = ""  # "current", "empty", "older", "newer"


def probe(url: URL, password: str | None = None) -> ProbeResult:
    """Connect once with psycopg and say plainly whether Aftercare can use that database."""
    import psycopg

    from . import migrate

    where = display_url(url)
    try:
        conn = psycopg.connect(**connect_params(url, password))
    except psycopg.Error as exc:
        message = describe_connect_error(exc, url, password)
        log.info("test connection to %s failed: %s", where, message)
        return ProbeResult(False, message)
    try:
        with conn.cursor() as cur:
            cur.execute("SHOW server_version")
            version = str(cur.fetchone()[0]).split()[0]
            cur.execute("SELECT to_regclass('alembic_version') IS NOT NULL")
            has_alembic = cur.fetchone()[0]
            revision = None
            if has_alembic:
                cur.execute("SELECT version_num FROM alembic_version")
                row = cur.fetchone()
                revision = row[0] if row else None
    except psycopg.Error as exc:
        return ProbeResult(False, describe_connect_error(exc, url, password))
    finally:
        conn.close()
    if revision is None:
        return ProbeResult(True, f"Connected to PostgreSQL {version}. The database is empty; "
                                 "Aftercare will set it up when you connect.", version, "empty")
    if revision not in migrate.known_revisions():
        return ProbeResult(False, f"Connected to PostgreSQL {version}, but the database was "
                                  "written by a newer Aftercare; update Aftercare to use it.",
                           version, "newer")
    if revision != migrate.head_revision():
        return ProbeResult(True, f"Connected to PostgreSQL {version}. The database will be "
                                 "updated to this version of Aftercare.", version, "older")
    return ProbeResult(True, f"Connected to PostgreSQL {version}; the Aftercare database is "
                             "ready.", version, "current")


def server_unreachable(url: URL) -> str | None:
    """None when the server answers, else the plain sentence saying why it does not."""
    import psycopg

    try:
        psycopg.connect(**connect_params(url)).close()
    except psycopg.Error as exc:
        return describe_connect_error(exc, url)
    return None
