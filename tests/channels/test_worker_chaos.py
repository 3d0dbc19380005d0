"""Three worker processes against a slow Twilio while PostgreSQL drops their connections every 0.2 s and two
are SIGKILLed: every message goes out exactly once. Run bench/outbox_chaos.py for the full 2,000-message run."""

from __future__ import annotations

import collections
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.builders import make_bill, queue_messages
from tests.channels.test_worker_processes import ROOT, statuses, worker_env

APP_NAME = "outbox-chaos-worker"


def start_worker(env: dict, log: Path) -> subprocess.Popen:
    """A worker process logging to a file: a pipe nobody reads fills up and blocks its logging."""
    with open(log, "ab") as stderr:
        return subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "app", "worker"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )


def wait_until_it_catches_sigterm(worker: subprocess.Popen, timeout: float = 30.0) -> None:
    """Wait until a (re)started worker has installed its SIGTERM handler (/proc's SigCgt mask): a SIGTERM that
    arrives while it is still importing kills it by default, which says nothing about dropped connections."""
    caught = 1 << (signal.SIGTERM - 1)
    deadline = time.monotonic() + timeout
    while worker.poll() is None and time.monotonic() < deadline:
        status = Path(f"/proc/{worker.pid}/status").read_text()
        mask = next(line.split()[1] for line in status.splitlines() if line.startswith("SigCgt:"))
        if int(mask, 16) & caught:
            return
        time.sleep(0.05)


def terminate_worker_connections(engine, stop: threading.Event, period: float = 0.2) -> int:
    """pg_terminate_backend on every worker connection, every `period` seconds, until stopped."""
    killed = 0
    with engine.connect() as connection:
        while not stop.wait(period):
            killed += len(
                connection.execute(
                    text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :name"),
                    {"name": APP_NAME},
                ).all()
            )
            connection.commit()
    return killed


def run_chaos(app, session, api, twilio, *, count: int, logs: Path, deadline_seconds: float = 300) -> dict:
    """Send `count` messages through the chaos; returns what was measured."""
    engine = app.extensions["database"].engine
    queue_messages(session, make_bill(session, api.biller), count)
    twilio.delay = 0.3
    env = worker_env(
        app, twilio, WORKER_CONCURRENCY="8", OUTBOX_LEASE_SECONDS="5", PROVIDER_TIMEOUT_SECONDS="2", PGAPPNAME=APP_NAME
    )
    workers = [start_worker(env, logs / f"worker-{n}.log") for n in range(3)]
    stop = threading.Event()
    killed_connections = []
    chaos = threading.Thread(target=lambda: killed_connections.append(terminate_worker_connections(engine, stop)))
    chaos.start()
    started = time.monotonic()
    sigkills = 0
    try:
        for victim, after in ((0, count // 4), (1, count // 2)):
            while len(twilio.messages) < after and time.monotonic() - started < deadline_seconds:
                time.sleep(0.05)
            workers[victim].send_signal(signal.SIGKILL)
            workers[victim].wait(timeout=10)
            sigkills += 1
            workers[victim] = start_worker(env, logs / f"worker-{victim}.log")
        while statuses(session).get("sent", 0) < count and time.monotonic() - started < deadline_seconds:
            time.sleep(0.2)
        elapsed = time.monotonic() - started
    finally:
        stop.set()
        chaos.join()
        for worker in workers:
            wait_until_it_catches_sigterm(worker)
            worker.send_signal(signal.SIGTERM)
        exits = [worker.wait(timeout=60) for worker in workers]
    sends = collections.Counter(message["Body"] for message in twilio.messages)
    return {
        "messages": count,
        "sent_rows": statuses(session),
        "lost": sum(1 for n in range(count) if sends[f"Message {n}"] == 0),
        "sent_twice": sum(1 for times in sends.values() if times > 1),
        "sigkills": sigkills,
        "connections_terminated": killed_connections[0],
        "seconds": round(elapsed, 1),
        "worker_exits": exits,
        "stderr": [log.read_text()[-1500:] for log in sorted(logs.glob("worker-*.log"))],
    }


def test_workers_lose_nothing_and_send_nothing_twice_through_kills_and_dropped_connections(
    app, session, api, twilio, tmp_path
):
    if app.extensions["database"].engine.dialect.name != "postgresql":
        pytest.skip("pg_terminate_backend is PostgreSQL's")
    figures = run_chaos(app, session, api, twilio, count=300, logs=tmp_path)

    assert figures["connections_terminated"] > 0
    assert (figures["lost"], figures["sent_twice"]) == (0, 0), figures
    assert figures["sent_rows"] == {"sent": 300}, figures
    assert figures["worker_exits"] == [0, 0, 0], figures["stderr"]  # none died of the dropped connections
    assert twilio.violations == []
