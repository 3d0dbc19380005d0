"""The periodic passes, declared as data with stable ids, and what each does."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask
from sqlalchemy import select

from models.db import current_db, utcnow
from scheduler.dunning import run_dunning_pass
from workflows import SYSTEM
from workflows.bills import close_expired_bills

log = logging.getLogger(__name__)
_app: Flask | None = None  # set by the scheduler process; jobs are looked up by name, so they take no arguments


def bind_app(app: Flask) -> None:
    """Give the jobs the app they run in."""
    global _app
    _app = app


def plan_reminders() -> None:
    """Queue every reminder that has come due."""
    with _app.app_context():
        connections = _app.extensions["settings"].dunning_connections
        queued = run_dunning_pass(session_factory=current_db().new_session, connections=connections)
        log.info("dunning: queued %d reminder(s)", len(queued))


def expire_bills() -> None:
    """Close bills whose every payment link has expired: no more reminders, no more payments."""
    with _app.app_context(), current_db().session_scope() as session:
        expired = close_expired_bills(session=session, actor=SYSTEM, now=utcnow())
        log.info("expiry: %d bill(s) expired", expired)


def daily_summary() -> None:
    """Log each biller's day: reminders queued and bills paid (the console shows the same figures)."""
    from models import OutboundMessage, Payment

    with _app.app_context(), current_db().session_scope() as session:
        since = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
        sent = session.execute(select(OutboundMessage.biller_id).where(OutboundMessage.created_at >= since)).all()
        paid = session.execute(select(Payment.biller_id).where(Payment.created_at >= since)).all()
        log.info("daily summary: %d message(s), %d payment(s) today", len(sent), len(paid))


@dataclass(frozen=True)
class Job:
    """A periodic pass: a stable id, the function and when it runs."""

    id: str
    func: str
    trigger: object


JOBS = (
    Job("dunning-plan", "scheduler.jobs:plan_reminders", IntervalTrigger(minutes=1)),
    Job("bill-expiry", "scheduler.jobs:expire_bills", CronTrigger(hour=0, minute=15, timezone="Asia/Kolkata")),
    Job("daily-summary", "scheduler.jobs:daily_summary", CronTrigger(hour=20, minute=0, timezone="Asia/Kolkata")),
)
