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


class PgPool:
    """This run's own PostgreSQL database, emptied between tests.

    Creating and dropping a database per test costs seconds each (DROP waits for the disk); so a
    run (each xdist worker) owns one database, migrated once, and every test starts from it with
    all rows deleted and sequences reset. A test that leaves the schema changed (another
    alembic revision, a dropped index) gets it rebuilt before the next test. Dropped at the end.
    """

    def __init__(self) -> None:
        from sqlalchemy import text

        self.text = text
        self.engine, self.server = _admin_engine()
        self.name = f"aftercare_run{os.getpid()}_{uuid.uuid4().hex[:8]}"
        self.signature = None
        self._create()

    @property
    def url(self):
        return self.server.set(database=self.name, drivername="postgresql")

    def _create(self) -> None:
        from sqlalchemy import create_engine

        from desktop.storage.database import open_database

        with self.engine.connect() as conn:
            conn.execute(self.text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
            conn.execute(self.text(f'CREATE DATABASE "{self.name}"'))
            conn.execute(self.text(f'ALTER DATABASE "{self.name}" SET synchronous_commit = off'))
        db = open_database(self.url.render_as_string(hide_password=False), seed=False)
        db.dispose()
        self.db_engine = create_engine(self.url.set(drivername="postgresql+psycopg"),
                                       isolation_level="AUTOCOMMIT", poolclass=_null_pool())
        self.signature = self._signature()

    def _signature(self):
        with self.db_engine.connect() as conn:
            return conn.execute(self.text(
                "SELECT (SELECT string_agg(version_num, ',') FROM alembic_version), "
                "(SELECT string_agg(table_name || '.' || column_name || ':' || data_type, ',' "
                " ORDER BY table_name, column_name) FROM information_schema.columns "
                " WHERE table_schema = 'public'), "
                "(SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes "
                " WHERE schemaname = 'public'), "
                "(SELECT string_agg(tgname, ',' ORDER BY tgname) FROM pg_trigger "
                " WHERE NOT tgisinternal)")).one()

    def reset(self) -> str:
        with self.engine.connect() as conn:  # nobody may hold a lock on the rows we delete
            conn.execute(self.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": self.name})
        try:
            same = self._signature() == self.signature
        except Exception:  # noqa: BLE001 - a broken schema is rebuilt below
            same = False
        if not same:
            self.db_engine.dispose()
            self._create()
        with self.db_engine.connect() as conn:
            tables = conn.execute(self.text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename <> 'alembic_version'")).scalars().all()
            conn.execute(self.text("SET session_replication_role = replica"))
            for table in tables:
                conn.execute(self.text(f'DELETE FROM "{table}"'))
            conn.execute(self.text("SET session_replication_role = DEFAULT"))
            for seq in conn.execute(self.text(
                    "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")).scalars():
                conn.execute(self.text(f'ALTER SEQUENCE "{seq}" RESTART WITH 1'))
        return self.url.render_as_string(hide_password=False)

    def close(self) -> None:
        self.db_engine.dispose()
        with self.engine.connect() as conn:
            conn.execute(self.text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self.engine.dispose()


def _null_pool():
    from sqlalchemy.pool import NullPool

    return NullPool


@pytest.fixture(scope="session")
def _pg_pool():
    if not PG_SERVER:
        yield None
        return
    pool = PgPool()
    yield pool
    pool.close()


@pytest.fixture
def pg_url(_pg_pool):
    """This run's PostgreSQL database, migrated and holding no rows (the app seeds on open)."""
    if not PG_SERVER:
        if os.environ.get("AFTERCARE_REQUIRE_PG"):
            pytest.fail("AFTERCARE_REQUIRE_PG is set but AFTERCARE_TEST_PG_URL is not")
        pytest.skip("AFTERCARE_TEST_PG_URL is not set")
    return _pg_pool.reset()


@pytest.fixture
def pg_empty_url():
    """A brand-new PostgreSQL database with no tables at all (for first-use tests); dropped after."""
    if not PG_SERVER:
        if os.environ.get("AFTERCARE_REQUIRE_PG"):
            pytest.fail("AFTERCARE_REQUIRE_PG is set but AFTERCARE_TEST_PG_URL is not")
        pytest.skip("AFTERCARE_TEST_PG_URL is not set")
    from sqlalchemy import text

    engine, server = _admin_engine()
    name = f"aftercare_e{os.getpid()}_{next(_counter)}_{uuid.uuid4().hex[:6]}"
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield server.set(database=name, drivername="postgresql").render_as_string(hide_password=False)
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
