"""The long-running processes: the outbox worker and the scheduler."""

from __future__ import annotations

import logging
import time

import click
from flask.cli import with_appcontext

log = logging.getLogger(__name__)


@click.command("worker")
@with_appcontext
@click.option("--once", is_flag=True, help="Send everything due now, then exit.")
def worker_command(once: bool) -> None:
    """Send queued outbound messages (the channel worker arrives with the outbox issue)."""
    log.info("worker: no outbound channels are implemented yet; idle")
    while not once:
        time.sleep(60)


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the periodic passes (the dunning planner arrives with the dunning issue)."""
    log.info("scheduler: no periodic passes are implemented yet; idle")
    while True:
        time.sleep(60)
