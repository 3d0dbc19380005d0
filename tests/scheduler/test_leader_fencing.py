"""Scheduler replicas as real processes: a leader that loses its lock connection runs nothing more."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from scheduler.process import LEADER_LOCK_KEY

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def engine(app):
    engine = app.extensions["database"].engine
    if engine.dialect.name != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's; SQLite deployments run a single scheduler")
    yield engine
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM apscheduler_jobs WHERE id = 'replica-tick'"))


def start_replica(app, tick_log: Path, name: str) -> subprocess.Popen:
    """A scheduler process whose log goes to <name>.log beside the tick log."""
    env = {
        **os.environ,
        "APP_ENV": "test",
        "DATABASE_URL": app.extensions["settings"].database_url,
        "TICK_LOG": str(tick_log),
        "LOG_LEVEL": "INFO",
    }
    with open(tick_log.with_name(f"{name}.log"), "w") as log:
        return subprocess.Popen([sys.executable, "-m", "tests.scheduler.replica"], cwd=ROOT, env=env, stderr=log)


def wait_for_log(tick_log: Path, name: str, words: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while words not in tick_log.with_name(f"{name}.log").read_text():
        assert time.monotonic() < deadline, f"{name} never logged {words!r}"
        time.sleep(0.05)


def ticks(tick_log: Path) -> list[int]:
    """Which process ran each tick, in the order they ran."""
    if not tick_log.exists():
        return []
    lines = [line.split() for line in tick_log.read_text().splitlines() if line.strip()]
    return [int(pid) for pid, _ in sorted(lines, key=lambda line: float(line[1]))]


def wait_for_ticks(tick_log: Path, pid: int, count: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while ticks(tick_log).count(pid) < count:
        assert time.monotonic() < deadline, f"process {pid} never ran {count} ticks"
        time.sleep(0.05)


def kill_lock_connection(engine) -> None:
    """What a failover or an operator does: PostgreSQL ends the leader's lock session."""
    with engine.begin() as connection:
        killed = connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_locks"
                " WHERE locktype = 'advisory' AND objid::bigint = :key AND granted"
            ),
            {"key": LEADER_LOCK_KEY},
        ).all()
    assert killed == [(True,)]


def runs(sequence: list[int]) -> list[int]:
    """The sequence with repeats collapsed: [a, a, b, b, a] -> [a, b, a]."""
    return [pid for n, pid in enumerate(sequence) if n == 0 or sequence[n - 1] != pid]


def test_a_leader_whose_lock_connection_is_killed_stops_and_the_standby_takes_over(app, engine, tmp_path):
    tick_log = tmp_path / "ticks.log"
    first = start_replica(app, tick_log, "first")
    second = None
    try:
        wait_for_ticks(tick_log, first.pid, 3)
        second = start_replica(app, tick_log, "second")
        wait_for_log(tick_log, "second", "standing by")
        assert second.pid not in ticks(tick_log)

        kill_lock_connection(engine)
        wait_for_ticks(tick_log, second.pid, 10)
        assert first.poll() is None  # the old leader did not die: it stands by

        kill_lock_connection(engine)  # now the second one's; the first leads again
        before = ticks(tick_log).count(first.pid)
        wait_for_ticks(tick_log, first.pid, before + 10)
    finally:
        for replica in (first, second):
            if replica is not None:
                replica.kill()
                replica.wait(timeout=10)

    # Every tick was run by one replica at a time: leadership moved twice and never overlapped.
    assert runs(ticks(tick_log)) == [first.pid, second.pid, first.pid]
