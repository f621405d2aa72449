"""Shared test set-up: offscreen Qt, an in-memory keyring, and databases on SQLite and PostgreSQL.

``AFTERCARE_TEST_PG_URL`` names a PostgreSQL server (``postgresql://postgres@127.0.0.1/postgres``);
each test that asks for ``pg_url`` gets a database of its own, dropped afterwards. Without it,
PostgreSQL tests skip (and .ci/run fails if any did).
"""
from __future__ import annotations

import itertools
import os
import uuid

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.setdefault("AFTERCARE_NO_BACKUP", "1")

import keyring  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402
import pytest  # noqa: E402
from keyring.backend import KeyringBackend  # noqa: E402


# Fixed example budgets: deterministic in CI, a little more locally.
settings.register_profile("ci", max_examples=60, derandomize=True, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=100, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


class MemoryKeyring(KeyringBackend):
    """Never the real OS keyring in tests."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):  # noqa: ANN001
        return self.passwords.get((service, username))

    def set_password(self, service, username, password):  # noqa: ANN001
        self.passwords[(service, username)] = password

    def delete_password(self, service, username):  # noqa: ANN001
        self.passwords.pop((service, username), None)


@pytest.fixture(autouse=True)
def memory_keyring():
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    return backend


@pytest.fixture(autouse=True)
def isolated_data_dir(tmp_path, monkeypatch):
    """The default database, logs and backups go to a temporary folder, never the user's."""
    data = tmp_path / "userdata"
    monkeypatch.setenv("AFTERCARE_DATA_DIR", str(data))
    monkeypatch.delenv("AFTERCARE_DATABASE_URL", raising=False)
    return data


PG_SERVER = os.environ.get("AFTERCARE_TEST_PG_URL")
_counter = itertools.count()


def _admin_engine():
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    url = make_url(PG_SERVER).set(drivername="postgresql+psycopg")
    return create_engine(url, isolation_level="AUTOCOMMIT"), url


@pytest.fixture
def pg_url():
    """A fresh, empty PostgreSQL database for this test (dropped afterwards)."""
    if not PG_SERVER:
        if os.environ.get("AFTERCARE_REQUIRE_PG"):
            pytest.fail("AFTERCARE_REQUIRE_PG is set but AFTERCARE_TEST_PG_URL is not")
        pytest.skip("AFTERCARE_TEST_PG_URL is not set")
    from sqlalchemy import text

    engine, server = _admin_engine()
    name = f"aftercare_t{os.getpid()}_{next(_counter)}_{uuid.uuid4().hex[:6]}"
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name, drivername="postgresql")
    yield url.render_as_string(hide_password=False)
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'aftercare.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def db_url(request, tmp_path):
    """Both databases: every storage test runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'aftercare.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def db(db_url):
    """An open, migrated and seeded database on each backend."""
    from desktop.storage.database import open_database

    database = open_database(db_url)
    yield database
    database.dispose()
