"""A worker process killed mid-import leaves nothing half-written; the next worker reruns the job to the end."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlmodel import func, select

from models import Bill, Customer, PaymentLink
from models.jobs import Job
from tests.jobs.conftest import import_csv

ROOT = Path(__file__).resolve().parents[2]
ROWS = 8_000


def worker(app, *args: str, **extra_env: str) -> subprocess.Popen:
    settings = app.extensions["settings"]
    env = {
        **os.environ,
        "APP_ENV": "test",
        "DATABASE_URL": settings.database_url,
        "PUBLIC_BASE_URL": settings.public_base_url,
        "JOB_LEASE_SECONDS": "1",
        "JOB_HEARTBEAT_SECONDS": "0.1",
        "LOG_LEVEL": "WARNING",
        **extra_env,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "worker", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def count(session, model) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(model)).one()


def test_a_worker_killed_mid_import_leaves_nothing_and_the_next_one_finishes_it(app, client, api, session):
    response = client.post("/api/v1/bills/import", data=import_csv(ROWS), content_type="text/csv", headers=api.headers)
    assert response.status_code == 202
    location = response.headers["Location"]

    doomed = worker(app)
    deadline = time.monotonic() + 120
    seen = client.get(location, headers=api.headers).json
    while not (seen["status"] == "running" and seen["progress"]["done"] > 0) and time.monotonic() < deadline:
        time.sleep(0.05)
        seen = client.get(location, headers=api.headers).json
    doomed.send_signal(signal.SIGKILL)
    doomed.communicate(timeout=10)

    assert seen["status"] == "running"
    assert 0 < seen["progress"]["done"] < ROWS  # progress was visible while it ran
    assert seen["progress"]["total"] == ROWS
    after_kill = client.get(location, headers=api.headers).json
    assert after_kill["status"] == "running"  # died holding the lease, report never written
    assert (count(session, Bill), count(session, Customer), count(session, PaymentLink)) == (0, 0, 0)

    deadline = time.monotonic() + 180
    while client.get(location, headers=api.headers).json["status"] == "running" and time.monotonic() < deadline:
        successor = worker(app, "--once")  # claims the job once the dead worker's one-second lease has run out
        _, stderr = successor.communicate(timeout=180)
        assert successor.returncode == 0, stderr.decode()[-2000:]

    job = client.get(location, headers=api.headers).json
    assert job["status"] == "succeeded", job
    assert job["report"] == {"rows": ROWS, "imported": ROWS, "rejected": 0, "errors": []}
    assert job["progress"] == {"done": ROWS, "total": ROWS}
    assert (count(session, Bill), count(session, Customer), count(session, PaymentLink)) == (ROWS, 7, ROWS)
    session.expire_all()
    assert session.get(Job, job["id"]).attempts == 2
    assert session.get(Job, job["id"]).payload == b""
