"""A scheduler replica for tests: the real election and fencing, with one fast job that logs who ran it.

Run as `python -m tests.scheduler.replica` with DATABASE_URL and TICK_LOG set.
"""

from __future__ import annotations

import os
import time

from apscheduler.triggers.interval import IntervalTrigger

from app import create_app
from scheduler.jobs import Job
from scheduler.process import run_scheduler

TICK_JOB = Job("replica-tick", "tests.scheduler.replica:tick", IntervalTrigger(seconds=0.2))


def tick() -> None:
    """Append this process's id and the instant to the shared log (one short write, so lines never mix)."""
    with open(os.environ["TICK_LOG"], "a") as log:
        log.write(f"{os.getpid()} {time.time()}\n")


if __name__ == "__main__":
    run_scheduler(create_app(), jobs=(TICK_JOB,), poll_seconds=0.5)
