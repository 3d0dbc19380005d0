"""The long-running processes: the outbox worker and the scheduler."""

from __future__ import annotations

import gc
import logging
import signal
import threading
from datetime import datetime

import click
from flask import current_app
from flask.cli import with_appcontext

log = logging.getLogger(__name__)


@click.command("worker")
@with_appcontext
@click.option("--once", is_flag=True, help="Send everything due now, then exit.")
def worker_command(once: bool) -> None:
    """Send queued outbound messages and webhook deliveries, run background jobs; several workers may run at once."""
    from channels.registry import close_providers
    from channels.worker import OutboxWorker
    from jobs.inbound import answer_inbound, serve_inbound
    from jobs.runner import JobRunner
    from webhooks_out.dispatch import DeliveryDispatcher

    app = current_app._get_current_object()
    worker = OutboxWorker(app)
    job_runner = JobRunner(app)
    deliveries = DeliveryDispatcher(app)
    signal.signal(signal.SIGTERM, lambda *_: (worker.stop(), job_runner.stopping.set(), deliveries.stopping.set()))
    if once:
        job_runner.run(once=True)
        answer_inbound(app, limit=1_000_000)
    else:
        job_runner.start()
        deliveries.start()
        inbound = threading.Thread(
            target=serve_inbound,
            kwargs={"app": app, "stopping": worker.stopping, "answered": worker.wake},
            name="inbound",
            daemon=True,
        )
        inbound.start()
    # What the process holds once set up lives as long as it does: frozen, the collector's full passes skip it (over
    # the app's ~290,000 objects one took 200 ms, and every sending thread missed its rate slot meanwhile).
    gc.freeze()
    try:
        handled = worker.run(once=once)
        if once:
            deliveries.run(once=True)  # last: sending messages may have queued events (message.failed)
    finally:
        close_providers(app)
    log.info("worker: handled %d message(s)", handled)


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the periodic passes; with several replicas on PostgreSQL, one leads and the rest stand by."""
    from scheduler.process import run_scheduler

    run_scheduler(current_app._get_current_object())


@click.group("dunning")
def dunning_cli() -> None:
    """Reminder planning."""


@dunning_cli.command("run-once")
@click.option("--now", "at", default=None, help="Plan as if at this ISO-8601 instant (default: now).")
@with_appcontext
def dunning_run_once(at: str | None) -> None:
    """Run one planning pass and print what it queued."""
    from models.db import current_db, utcnow
    from scheduler.dunning import run_dunning_pass

    try:
        now = datetime.fromisoformat(at) if at else utcnow()
    except ValueError:
        raise click.UsageError("--now: not an ISO-8601 instant, e.g. 2026-12-01T10:00:00+05:30") from None
    if now.tzinfo is None:
        raise click.UsageError("--now: give a time zone offset, e.g. +05:30 or Z")
    connections = current_app.extensions["settings"].dunning_connections
    queued = run_dunning_pass(session_factory=current_db().new_session, now=now, connections=connections)
    for reminder in queued:
        click.echo(
            f"bill {reminder.bill_id} step {reminder.step} via {reminder.channel} (due {reminder.at.isoformat()})"
        )
    click.echo(f"{len(queued)} reminder(s) queued")
