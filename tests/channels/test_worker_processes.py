"""The worker as real processes: killed mid-batch it loses nothing; two at once send each message once."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlmodel import func, select

from models import OutboundMessage
from tests.builders import make_bill, queue_messages
from tests.conftest import process_env

ROOT = Path(__file__).resolve().parents[2]


def queue_many(session, bill, count: int) -> None:
    queue_messages(session, bill, count)


def worker_env(app, twilio, **extra) -> dict:
    return process_env(
        app,
        TWILIO_ACCOUNT_SID=twilio.account_sid,
        TWILIO_AUTH_TOKEN=twilio.auth_token,
        TWILIO_SMS_FROM="+14155550100",
        TWILIO_API_BASE_URL=twilio.url,
        **{"SEND_RATES": "", **extra},
    )


def start_worker(env: dict, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "worker", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def finish(worker: subprocess.Popen, timeout: float = 60) -> tuple[int, str]:
    """Wait for a worker and close its pipes; returns (exit code, the tail of stderr)."""
    _, stderr = worker.communicate(timeout=timeout)
    return worker.returncode, stderr.decode()[-2000:]


def statuses(session) -> dict[str, int]:
    session.expire_all()
    rows = session.exec(select(OutboundMessage.status, func.count()).group_by(OutboundMessage.status)).all()
    return dict(rows)


def test_two_worker_processes_send_each_message_exactly_once(app, session, api, twilio):
    queue_many(session, make_bill(session, api.biller), 60)
    twilio.delay = 0.02
    env = worker_env(app, twilio, WORKER_CONCURRENCY="4")
    workers = [start_worker(env, "--once") for _ in range(2)]
    for worker in workers:
        code, stderr = finish(worker)
        assert code == 0, stderr

    bodies = [message["Body"] for message in twilio.messages]
    assert sorted(bodies) == sorted(f"Message {n}" for n in range(60))
    assert statuses(session) == {"sent": 60}
    assert twilio.violations == []


def test_a_worker_killed_mid_batch_loses_nothing(app, session, api, twilio):
    queue_many(session, make_bill(session, api.biller), 30)
    twilio.delay = 0.3
    env = worker_env(app, twilio, WORKER_CONCURRENCY="2", OUTBOX_LEASE_SECONDS="1")
    doomed = start_worker(env)
    deadline = time.monotonic() + 60  # a loaded machine takes a while to start a Python process
    while len(twilio.messages) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(twilio.messages) >= 3, "the worker never got to sending"
    doomed.send_signal(signal.SIGKILL)
    finish(doomed, timeout=10)
    stranded = statuses(session).get("sending", 0)
    assert stranded > 0  # it died holding claimed rows

    time.sleep(1.2)  # let the dead worker's lease expire
    twilio.delay = 0.0
    code, stderr = finish(start_worker(env, "--once"))
    assert code == 0, stderr

    assert statuses(session) == {"sent": 30}
    delivered = {message["Body"] for message in twilio.messages}
    assert delivered == {f"Message {n}" for n in range(30)}


@pytest.mark.parametrize("rate", [20])
def test_rate_limit_holds_in_every_one_second_window(app, session, api, twilio, rate):
    """Two worker processes share one sender's rate: at the provider, no one-second window holds more than it.

    The workers run in processes of their own, as in production: the fake provider's clock then reads arrivals
    as they come, not when the workers' sending threads let its handler have the interpreter lock.
    """
    queue_many(session, make_bill(session, api.biller), 45)
    env = worker_env(app, twilio, SEND_RATES=f"sms={rate}")
    started = time.monotonic()
    workers = [start_worker(env, "--once") for _ in range(2)]
    for worker in workers:
        code, stderr = finish(worker)
        assert code == 0, stderr
    elapsed = time.monotonic() - started

    arrivals = sorted(twilio.arrival_times)
    assert len(arrivals) == 45
    busiest = max(sum(1 for t in arrivals if start <= t < start + 1.0) for start in arrivals)
    assert busiest <= rate
    assert elapsed >= (45 - rate) / rate  # it really waited rather than dropping anything
