"""The scheduler process: one leader runs the periodic passes; other replicas wait on a PostgreSQL advisory lock.

Leadership is fenced: before each job the leader asks PostgreSQL whether its lock connection still holds
the lock. A leader whose connection was dropped (network, failover, pg_terminate_backend) has lost the
lock to a standby, so it runs nothing more, stops its scheduler and goes back to standing by.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from contextlib import suppress

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers import SchedulerNotRunningError
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.util import ref_to_obj
from flask import Flask
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from models.db import current_db
from scheduler.jobs import JOBS, Job, bind_app

log = logging.getLogger(__name__)
LEADER_LOCK_KEY = 7_240_311  # any constant shared by every replica
JOB_DEFAULTS = {"coalesce": True, "misfire_grace_time": 6 * 3600, "max_instances": 1}
# A single-bigint advisory lock shows in pg_locks as classid (high 32 bits), objid (low 32 bits), objsubid 1.
HOLDS_LOCK_SQL = text(
    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
    " AND classid::bigint = :high AND objid::bigint = :low AND objsubid = 1 AND granted)"
)


class Leadership:
    """This replica's hold on the leader lock, checked before every job; None outside PostgreSQL."""

    def __init__(self, connection) -> None:
        self.connection = connection
        self.scheduler: BaseScheduler | None = None  # set once built
        self.stepped_down = False
        self._guard = threading.Lock()  # jobs run in a thread pool; the connection is not thread-safe

    def holds_lock(self) -> bool:
        """Whether PostgreSQL still counts the lock as ours; False once the connection was lost."""
        with self._guard:
            try:
                params = {"high": LEADER_LOCK_KEY >> 32, "low": LEADER_LOCK_KEY & 0xFFFFFFFF}
                held = bool(self.connection.execute(HOLDS_LOCK_SQL, params).scalar())
                self.connection.rollback()
            except SQLAlchemyError:
                held = False  # a dropped connection took the session lock with it
            return held

    def step_down(self) -> None:
        """Stop running jobs at once: another replica may already lead."""
        self.stepped_down = True
        with suppress(SchedulerNotRunningError):  # two jobs may notice at once
            self.scheduler.shutdown(wait=False)


_leadership: Leadership | None = None  # set by run_scheduler; jobs are stored by name, so they take no objects


def run_job(func_ref: str) -> None:
    """Run one periodic pass, but only while this replica still holds the leader lock."""
    leadership = _leadership
    if leadership is not None and not leadership.holds_lock():
        log.warning("scheduler: lost the leader lock; running no more jobs and standing by")
        leadership.step_down()
        return
    ref_to_obj(func_ref)()


def wait_for_leadership(app: Flask, *, poll_seconds: float = 15.0):
    """Hold the advisory lock on a dedicated connection for the life of the process (PostgreSQL only)."""
    engine = current_db().engine
    if engine.dialect.name != "postgresql":
        return None  # SQLite runs one scheduler, on one machine
    while True:
        try:
            connection = engine.connect()
            if connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": LEADER_LOCK_KEY}).scalar():
                connection.commit()
                log.info("scheduler: leading")
                return connection
            connection.close()
            log.info("scheduler: another replica leads; standing by")
        except DBAPIError:
            log.warning("scheduler: database unavailable; trying again")
        time.sleep(poll_seconds)


def release_leadership(connection) -> None:
    """Give the lock up; closing alone would return a still-locked connection to the pool."""
    try:
        connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LEADER_LOCK_KEY})
        connection.commit()
    except SQLAlchemyError:
        connection.invalidate()  # the connection is gone, and the lock with it
    connection.close()


def build_scheduler(
    app: Flask, scheduler_class: type[BaseScheduler] = BlockingScheduler, *, jobs: Iterable[Job] = JOBS
) -> BaseScheduler:
    """Jobs in our database, so a pass missed while down runs once (coalesced) when the leader starts."""
    bind_app(app)
    scheduler = scheduler_class(
        jobstores={"default": SQLAlchemyJobStore(engine=current_db().engine, tablename="apscheduler_jobs")},
        job_defaults=JOB_DEFAULTS,
        timezone="UTC",
    )
    for job in jobs:
        scheduler.add_job(
            "scheduler.process:run_job",
            job.trigger,
            args=[job.func],
            id=job.id,
            replace_existing=True,
            jobstore="default",
        )
    return scheduler


def run_scheduler(app: Flask, *, jobs: Iterable[Job] = JOBS, poll_seconds: float = 15.0) -> None:
    """Lead, then run the passes until stopped; a leader that loses its lock stands by and may lead again."""
    global _leadership
    while True:
        with app.app_context():
            connection = wait_for_leadership(app, poll_seconds=poll_seconds)
            scheduler = build_scheduler(app, jobs=jobs)
        leadership = Leadership(connection) if connection is not None else None
        if leadership is not None:
            leadership.scheduler = scheduler
        _leadership = leadership
        try:
            scheduler.start()
        finally:
            _leadership = None
            if connection is not None:
                release_leadership(connection)
        if leadership is None or not leadership.stepped_down:
            return
        time.sleep(2 * poll_seconds)  # a standby that has been polling takes over first, not this one again
