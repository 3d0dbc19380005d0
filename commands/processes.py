"""The long-running processes: the outbox worker and the scheduler."""

from __future__ import annotations

import logging
import signal
import time

import click
from flask import current_app
from flask.cli import with_appcontext

log = logging.getLogger(__name__)


@click.command("worker")
@with_appcontext
@click.option("--once", is_flag=True, help="Send everything due now, then exit.")
def worker_command(once: bool) -> None:
    """Send queued outbound messages; several workers may run at once."""
    from channels.registry import close_providers
    from channels.worker import OutboxWorker

    worker = OutboxWorker(current_app._get_current_object())
    signal.signal(signal.SIGTERM, lambda *_: worker.stopping.set())
    try:
        handled = worker.run(once=once)
    finally:
        close_providers(current_app._get_current_object())
    log.info("worker: handled %d message(s)", handled)


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the periodic passes (the dunning planner arrives with the dunning issue)."""
    log.info("scheduler: no periodic passes are implemented yet; idle")
    while True:
        time.sleep(60)
