"""Fixtures: one app per test on a shared schema, wiped after each test, on SQLite or PostgreSQL.

Set TEST_DATABASE_URL to run the suite on PostgreSQL; without it, a SQLite file is used.
An unreachable TEST_DATABASE_URL fails the run: it is never skipped.
Under pytest-xdist (`-n 2`, as `make test` runs) each worker gets a database of its own: `<name>_gw0`, `<name>_gw1`…
on PostgreSQL (created when missing), a SQLite file in the worker's own temporary directory.

Every test runs at SUITE_NOW unless it moves the clock itself, so no test depends on the hour it is run at.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import make_url, text
from sqlmodel import Session
from werkzeug.routing import Rule

import models
from app import create_app
from channels.registry import close_providers
from config import Settings, normalise_database_url
from models import Biller
from models.db import current_db, make_engine, utcnow
from tests.builders import make_api_key, make_biller

PUBLIC_BASE_URL = "https://pay.example.test"
IST = ZoneInfo("Asia/Kolkata")

# The suite's "now": Wednesday 25 November 2026, 11:00 IST — inside every biller's default contact hours (09:00-19:00),
# on a working day that is no Indian public holiday. The clock ticks on from there during a test. Tests about contact
# hours, Sundays, holidays or the WhatsApp window move it themselves (`time_machine.move_to(...)`); processes a test
# starts share the test's instant through CLOCK_OFFSET_SECONDS (see `process_env`).
SUITE_NOW = datetime(2026, 11, 25, 11, 0, tzinfo=IST)


def pytest_configure(config):
    # The suite must not pick up a developer's real credentials from the environment.
    for name in Settings.model_fields:
        os.environ.pop(name.upper(), None)
    _reuse_compiled_url_builders()


def _reuse_compiled_url_builders() -> None:
    """Compile each route's URL builder once per test process instead of once per test's app.

    Werkzeug generates and compiles two Python functions per route when an app registers it: two thirds of the time
    `create_app()` takes, paid again by every test (each gets a fresh app). The generated code depends only on the
    rule's text, its parsed parts and its defaults, and reads everything else from the rule it is bound to, so the
    same compiled function serves every app's identical rule.
    """
    compile_builder = Rule._compile_builder
    compiled: dict[tuple, object] = {}

    def reuse(rule: Rule, append_unknown: bool = True):
        key = (rule.rule, tuple(rule._trace), repr(sorted((rule.defaults or {}).items())), append_unknown)
        if key not in compiled:
            compiled[key] = compile_builder(rule, append_unknown)
        return compiled[key]

    Rule._compile_builder = reuse


def pytest_report_header(config):
    wall = datetime.now(IST).strftime("%a %Y-%m-%d %H:%M %Z")
    return f"system clock: {wall}; tests run at {SUITE_NOW:%a %Y-%m-%d %H:%M} IST unless they move the clock"


@pytest.fixture(autouse=True)
def suite_clock(time_machine):
    """Every test starts at SUITE_NOW, whatever the wall clock says."""
    time_machine.move_to(SUITE_NOW, tick=True)
    return time_machine


def _system_clock() -> float:
    """What a process started now reads from its wall clock (the night-time run shifts it: tests/wall_clock)."""
    return time_machine.escape_hatch.time.time() + float(os.environ.get("WALL_CLOCK_OFFSET_SECONDS", "0"))


def process_env(app, **extra: str) -> dict[str, str]:
    """The environment for a worker, scheduler or CLI process a test starts: the test's database and instant."""
    settings = app.extensions["settings"]
    return {
        **os.environ,
        "APP_ENV": "test",
        "DATABASE_URL": settings.database_url,
        "PUBLIC_BASE_URL": settings.public_base_url,
        "CLOCK_OFFSET_SECONDS": repr(utcnow().timestamp() - _system_clock()),
        "LOG_LEVEL": "WARNING",
        **extra,
    }


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """PostgreSQL when TEST_DATABASE_URL is set (and reachable), else a SQLite file."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    url = _worker_database(normalise_database_url(url))
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001
        pytest.exit(f"TEST_DATABASE_URL is set but PostgreSQL cannot be reached: {exc}", returncode=3)
    finally:
        engine.dispose()
    return url


def xdist_worker() -> str | None:
    """This process's pytest-xdist worker name ("gw0", "gw1"…), or None when the suite runs in one process."""
    return os.environ.get("PYTEST_XDIST_WORKER")


def _worker_database(url: str) -> str:
    """The PostgreSQL database of this xdist worker (`test` → `test_gw0`), created when missing."""
    worker = xdist_worker()
    if worker is None:
        return url
    parsed = make_url(url)
    name = f"{parsed.database}_{worker}"
    engine = make_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name})
            if exists.first() is None:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def schema(database_url):
    """Create every table once per run, from the models (migrations are tested on their own)."""
    engine = make_engine(database_url)
    models.metadata.drop_all(engine)
    models.metadata.create_all(engine)
    yield
    engine.dispose()


@pytest.fixture
def app_overrides() -> dict:
    """Settings a test directory adds to the app (channel tests point providers at local fakes)."""
    return {}


@pytest.fixture
def app(database_url, schema, app_overrides):
    """A fresh app on the shared schema; every row it wrote is gone after the test."""
    app = create_app(
        {
            "app_env": "test",
            "database_url": database_url,
            "public_base_url": PUBLIC_BASE_URL,
            "bill_fetch_timeout_seconds": 0.5,
            "send_rates": "",
            "password_time_cost": 1,
            "password_memory_kib": 64,
            **app_overrides,
        }
    )
    yield app
    close_providers(app)
    _wipe(app.extensions["database"].engine)
    app.extensions["database"].dispose()


def _wipe(engine) -> None:
    """Delete every row and, on PostgreSQL, restart the id sequences (ten times faster than TRUNCATE here)."""
    tables = list(reversed(models.metadata.sorted_tables))
    with engine.begin() as connection:
        if engine.dialect.name != "postgresql":
            for table in tables:
                connection.execute(table.delete())
            return
        # One round trip: the statements as one script (psycopg runs a parameterless script in one go).
        connection.exec_driver_sql(_postgresql_wipe_script(connection, tables))


_wipe_scripts: dict[str, str] = {}


def _postgresql_wipe_script(connection, tables: list) -> str:
    """DELETE from each table, then restart every id sequence; built once per database (the schema is fixed)."""
    database = connection.engine.url.database
    if database not in _wipe_scripts:
        sequences = connection.execute(
            text("SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = current_schema()")
        ).scalars()
        statements = [str(table.delete().compile(dialect=connection.dialect)) for table in tables]
        restarts = ", ".join(f"setval('\"{name}\"', 1, false)" for name in sequences)
        if restarts:
            statements.append(f"SELECT {restarts}")
        _wipe_scripts[database] = "; ".join(statements)
    return _wipe_scripts[database]


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def session(app) -> Session:
    """A session of the test's own, beside the ones requests use; commit to make data visible to them."""
    with app.app_context():
        session = current_db().new_session()
        yield session
        session.close()


@dataclass
class ApiClient:
    """A biller with an API key, and the headers that authenticate as it."""

    biller: Biller
    key: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


@pytest.fixture
def api(session) -> ApiClient:
    """Biller A, authenticated."""
    biller = make_biller(session, name="Asansol Power")
    return ApiClient(biller, make_api_key(session, biller))


@pytest.fixture
def other_api(session) -> ApiClient:
    """Biller B, for tenant-isolation checks."""
    biller = make_biller(session, name="Bhopal Water", upi_vpa="bhopalwater@sbi")
    return ApiClient(biller, make_api_key(session, biller))
