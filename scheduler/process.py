"""The scheduler process: one leader runs the periodic passes; other replicas wait on a PostgreSQL advisory lock."""

from __future__ import annotations

import logging
import time

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask
from sqlalchemy import text

from models.db import current_db
from scheduler.jobs import JOBS, bind_app

log = logging.getLogger(__name__)
LEADER_LOCK_KEY = 7_240_311  # any constant shared by every replica
JOB_DEFAULTS = {"coalesce": True, "misfire_grace_time": 6 * 3600, "max_instances": 1}


def wait_for_leadership(app: Flask, *, poll_seconds: float = 15.0):
    """Hold the advisory lock on a dedicated connection for the life of the process (PostgreSQL only)."""
    engine = current_db().engine
    if engine.dialect.name != "postgresql":
        return None  # SQLite runs one scheduler, on one machine
    connection = engine.connect()
    while not connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": LEADER_LOCK_KEY}).scalar():
        connection.rollback()
        log.info("scheduler: another replica leads; standing by")
        time.sleep(poll_seconds)
    connection.commit()
    log.info("scheduler: leading")
    return connection


def release_leadership(connection) -> None:
    """Give the lock up; closing alone would return a still-locked connection to the pool."""
    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LEADER_LOCK_KEY})
    connection.commit()
    connection.close()


def build_scheduler(app: Flask, scheduler_class: type[BaseScheduler] = BlockingScheduler) -> BaseScheduler:
    """Jobs in our database, so a pass missed while down runs once (coalesced) when the leader starts."""
    bind_app(app)
    scheduler = scheduler_class(
        jobstores={"default": SQLAlchemyJobStore(engine=current_db().engine, tablename="apscheduler_jobs")},
        job_defaults=JOB_DEFAULTS,
        timezone="UTC",
    )
    for job in JOBS:
        scheduler.add_job(job.func, job.trigger, id=job.id, replace_existing=True, jobstore="default")
    return scheduler


def run_scheduler(app: Flask) -> None:
    """Lead, then run the passes until stopped."""
    with app.app_context():
        leadership = wait_for_leadership(app)
        scheduler = build_scheduler(app)
    try:
        scheduler.start()
    finally:
        if leadership is not None:
            release_leadership(leadership)
