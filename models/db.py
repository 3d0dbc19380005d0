"""The engine holder, session helpers and column types shared by every table."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import TypeVar

from flask import Flask, current_app, g, has_app_context
from sqlalchemy import DateTime, Dialect, Engine, Select, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import sessionmaker
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, SQLModel

from models.reads import DriverStatement, PlainReads

T = TypeVar("T")

# Named constraints let Alembic alter them later, on SQLite (batch mode) as on PostgreSQL.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Every table's id is a 32-bit INTEGER (PostgreSQL refuses larger values with an error, not an empty result).
MAX_ID = 2**31 - 1


# How far this process's clock is set ahead of (or behind) the system clock: zero except in development and
# test processes started with CLOCK_OFFSET_SECONDS, so that workers and schedulers a test runs share its instant.
_clock_offset = timedelta(0)


def utcnow() -> datetime:
    """The current instant, timezone-aware in UTC: the one clock every service reads "now" from."""
    return datetime.now(UTC) + _clock_offset


def set_clock_offset(seconds: float) -> None:
    """Run this process's clock `seconds` ahead of the system clock (0: the system clock itself)."""
    global _clock_offset
    _clock_offset = timedelta(seconds=seconds)


class UTCDateTime(TypeDecorator):
    """A timestamp stored as UTC and always read back timezone-aware.

    PostgreSQL keeps `timestamptz`; SQLite has no time zones, so values are stored as naive
    UTC and tagged on the way out. Naive values are refused on the way in: they are bugs.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def make_engine(url: str, *, reads: bool = False, **kwargs) -> Engine:
    """Create an engine with the connection settings each backend needs.

    reads=True: for reads outside a transaction (Database.read): autocommit, no pre-ping, no savepoint hook
    (SQLite's driver reads outside a transaction already: it begins one only to write)."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        if not reads:
            event.listen(engine, "savepoint", _sqlite_begin_before_savepoint)
        return engine
    if reads:
        return create_engine(url, isolation_level="AUTOCOMMIT", **kwargs)
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Foreign keys are off by default in SQLite; WAL lets web, worker and scheduler share the file.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin_before_savepoint(connection, _name) -> None:
    # Python's sqlite3 opens a transaction only before INSERT/UPDATE/DELETE, so a SAVEPOINT taken after reads alone
    # would be the outermost one, and releasing it COMMITs: rows written inside it (a statement line, an outbox
    # message) would stay although the request fails later and rolls back. A BEGIN first makes it a true savepoint.
    dbapi_connection = connection.connection.dbapi_connection
    if not dbapi_connection.in_transaction:
        dbapi_connection.execute("BEGIN")


class Database:
    """One app's engine and session factory, created in the factory (never at import)."""

    def __init__(self, url: str, **engine_options) -> None:
        self.url = url
        self.engine: Engine = make_engine(url, **engine_options)
        self._sessions = sessionmaker(self.engine, class_=Session, expire_on_commit=False)
        self._driver_statements: dict[Select, DriverStatement] = {}  # Database.read's statements, compiled for it

    def init_app(self, app: Flask) -> None:
        """Make this the app's database and close the request session on teardown."""
        app.extensions["database"] = self
        app.teardown_appcontext(_close_request_session)

    def new_session(self) -> Session:
        """A fresh session, owned by the caller."""
        return self._sessions()

    def read(self, reading: Callable[[PlainReads], T]) -> T:
        """`reading(reads)` outside any transaction (each statement sees what is committed), for reads on every page
        view: on the driver's own connection (PlainReads), from a pool of their own, in autocommit and without a
        liveness ping per checkout (on PostgreSQL one round trip, not a ping, BEGIN, SELECT and ROLLBACK). A connection
        the database dropped (a restart, a failover) fails its read, and the pool's connections are discarded with it
        (as SQLAlchemy does for its own statements): the read runs once more on a fresh one.
        """
        try:
            return self._read_once(reading)
        except DBAPIError as error:
            if not error.connection_invalidated:
                raise
            self._read_engine.dispose()
        return self._read_once(reading)

    def _read_once(self, reading: Callable[[PlainReads], T]) -> T:
        dialect = self._read_engine.dialect
        try:
            connection = self._read_engine.raw_connection()
        except dialect.loaded_dbapi.Error as error:  # the database cannot be reached
            raise _as_sqlalchemy_error(error, dialect) from error
        try:
            return reading(PlainReads(connection.dbapi_connection, self._compiled))
        except dialect.loaded_dbapi.Error as error:
            dropped = dialect.is_disconnect(error, connection.dbapi_connection, None)
            if dropped:
                connection.invalidate(error)
            raise _as_sqlalchemy_error(error, dialect, dropped=dropped) from error
        finally:
            connection.close()

    def _compiled(self, statement: Select) -> DriverStatement:
        compiled = self._driver_statements.get(statement)
        if compiled is None:
            compiled = DriverStatement.compile(statement, self._read_engine.dialect)
            self._driver_statements[statement] = compiled
        return compiled

    @cached_property
    def _read_engine(self) -> Engine:
        return make_engine(self.url, reads=True)

    def dispose(self) -> None:
        """Close the pooled connections of the sessions' engine and of the reads'."""
        self.engine.dispose()
        if "_read_engine" in self.__dict__:
            self._read_engine.dispose()

    @contextmanager
    def session_scope(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on error (CLI, worker, scheduler)."""
        session = self.new_session()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()


def _as_sqlalchemy_error(error: Exception, dialect: Dialect, *, dropped: bool = False) -> DBAPIError:
    """A driver's error as SQLAlchemy raises it, so that Database.read's callers see what a session would raise."""
    return DBAPIError.instance(None, None, error, dialect.loaded_dbapi.Error, connection_invalidated=dropped)


def current_db() -> Database:
    """The database of the current app."""
    return current_app.extensions["database"]


def get_session() -> Session:
    """The session of the current request or app context, created on first use."""
    if not has_app_context():
        raise RuntimeError("get_session() needs an app context")
    if "db_session" not in g:
        g.db_session = current_db().new_session()
    return g.db_session


def request_session() -> Session | None:
    """The session of the current request or app context if one was made (else nothing was read or written by one)."""
    return g.get("db_session")


def _close_request_session(_exc) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
