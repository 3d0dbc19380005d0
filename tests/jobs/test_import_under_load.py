"""A large import run by a worker process: other requests are answered while it runs, and on SQLite (where it
writes in short transactions) a worker killed while staging or while publishing leaves every bill exactly once;
a worker killed midway through a bulk notify leaves every bill messaged exactly once.

The 220,000-row run under gunicorn is `bench/bulk_import.py`; these are the same mechanics at a size CI affords.
"""

from __future__ import annotations

import signal
import time

import pytest
from sqlalchemy import text, update
from sqlmodel import func, select

from models import Bill, Customer, OutboundMessage, PaymentLink
from models.jobs import Job
from tests.builders import bill_payload
from tests.jobs.conftest import answer_in_background, answer_synchronously, import_csv
from tests.jobs.test_job_processes import worker

LOAD_ROWS = 8_000
KILL_ROWS = 4_000
NOTIFY_ROWS = 1_500


def count(session, model) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(model)).one()


def staged(session) -> int:
    session.rollback()
    return session.execute(text("SELECT count(*) FROM import_staged_bills")).scalar()


def job_row(session, job_id: int) -> Job:
    session.expire_all()
    return session.get(Job, job_id)


def post_import(client, api, data: bytes) -> str:
    response = client.post("/api/v1/bills/import", data=data, content_type="text/csv", headers=api.headers)
    assert response.status_code == 202, response.json
    return response.headers["Location"]


def test_requests_are_answered_while_a_large_import_runs(app, client, api, session, record_property):
    probe = client.post("/api/v1/bills", json=bill_payload(reference="PROBE-0"), headers=api.headers).json
    token = session.exec(select(PaymentLink.token).where(PaymentLink.bill_id == probe["id"])).one()
    location = post_import(client, api, import_csv(LOAD_ROWS))
    requests = {
        "GET /jobs/<id>": lambda n: client.get(location, headers=api.headers),
        "GET /bills/<id>": lambda n: client.get(f"/api/v1/bills/{probe['id']}", headers=api.headers),
        "GET /p/<token>": lambda n: client.get(f"/p/{token}"),
        "POST /bills": lambda n: client.post(
            "/api/v1/bills", json=bill_payload(reference=f"PROBE-{n}"), headers=api.headers
        ),
    }
    longest = dict.fromkeys(requests, 0.0)
    rounds = 0
    running = worker(app, JOB_HEARTBEAT_SECONDS="1")
    try:
        deadline = time.monotonic() + 240
        job = client.get(location, headers=api.headers).json
        while job["status"] in ("queued", "running") and time.monotonic() < deadline:
            rounds += 1
            for name, call in requests.items():
                started = time.monotonic()
                response = call(rounds)
                longest[name] = max(longest[name], time.monotonic() - started)
                assert response.status_code in (200, 201), (name, response.status_code, response.get_data()[:300])
            job = client.get(location, headers=api.headers).json
            time.sleep(0.05)
    finally:
        running.terminate()
        running.communicate(timeout=30)

    assert job["status"] == "succeeded", job
    assert job["report"]["imported"] == LOAD_ROWS
    assert rounds >= 2  # the requests really ran beside the import
    assert count(session, Bill) == LOAD_ROWS + 1 + rounds
    # A figure to read, not to assert (timings are never asserted): the longest wait of each kind.
    figures = {name: round(seconds, 3) for name, seconds in longest.items()}
    record_property("longest_request_seconds", figures)
    print(f"\n{LOAD_ROWS} rows, {rounds} rounds of requests beside the import; longest: {figures}")  # noqa: T201


def kill_when(doomed, ready, deadline_seconds: float = 120) -> None:
    """Freeze the worker as soon as ready() holds, then kill it; fails if it never holds."""
    deadline = time.monotonic() + deadline_seconds
    while not ready():
        assert doomed.poll() is None, doomed.stderr.read().decode()[-2000:]
        assert time.monotonic() < deadline, "the worker never got there"
        time.sleep(0.01)
    doomed.send_signal(signal.SIGSTOP)  # nothing more happens while the state is checked
    doomed.send_signal(signal.SIGKILL)
    doomed.communicate(timeout=10)


def finish_with_new_workers(app, client, api, location: str) -> dict:
    deadline = time.monotonic() + 180
    while client.get(location, headers=api.headers).json["status"] == "running" and time.monotonic() < deadline:
        successor = worker(app, "--once")
        _, stderr = successor.communicate(timeout=180)
        assert successor.returncode == 0, stderr.decode()[-2000:]
    return client.get(location, headers=api.headers).json


def sqlite_only(app) -> None:
    if app.extensions["database"].engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL imports in one transaction (tests/jobs/test_job_processes.py kills one)")


def test_killed_while_staging_nothing_is_published_and_the_next_worker_stages_again(app, client, api, session):
    sqlite_only(app)
    location = post_import(client, api, import_csv(KILL_ROWS))
    job_id = int(location.rsplit("/", 1)[1])

    kill_when(worker(app, IMPORT_BATCH_ROWS="200"), lambda: staged(session) > 0)

    assert job_row(session, job_id).stage is None
    assert 0 < staged(session) < KILL_ROWS
    assert (count(session, Bill), count(session, PaymentLink)) == (0, 0)  # staged rows are no one's bills
    job = finish_with_new_workers(app, client, api, location)

    assert job["status"] == "succeeded", job
    assert job["report"] == {"rows": KILL_ROWS, "imported": KILL_ROWS, "rejected": 0, "errors": []}
    assert (count(session, Bill), count(session, Customer), count(session, PaymentLink)) == (KILL_ROWS, 7, KILL_ROWS)
    assert staged(session) == 0
    assert job_row(session, job_id).attempts == 2


def test_killed_while_publishing_the_next_worker_publishes_the_rest_once(app, client, api, session):
    sqlite_only(app)
    location = post_import(client, api, import_csv(KILL_ROWS))
    job_id = int(location.rsplit("/", 1)[1])

    kill_when(worker(app, IMPORT_BATCH_ROWS="200"), lambda: staged(session) and count(session, Bill) > 0)

    published = count(session, Bill)
    assert 0 < published < KILL_ROWS, published
    assert job_row(session, job_id).stage == "publishing"
    assert client.get(location, headers=api.headers).json["report"] is None  # not finished yet
    job = finish_with_new_workers(app, client, api, location)

    assert job["status"] == "succeeded", job
    assert job["report"] == {"rows": KILL_ROWS, "imported": KILL_ROWS, "rejected": 0, "errors": []}
    assert (count(session, Bill), count(session, Customer), count(session, PaymentLink)) == (KILL_ROWS, 7, KILL_ROWS)
    references = session.exec(select(func.count(func.distinct(Bill.reference)))).one()
    assert references == KILL_ROWS
    links = session.exec(select(func.count(func.distinct(PaymentLink.bill_id)))).one()
    assert links == KILL_ROWS  # every bill has its one link, none two
    assert staged(session) == 0


def test_a_job_given_up_while_staging_leaves_nothing_staged(app, client, api, session):
    sqlite_only(app)
    location = post_import(client, api, import_csv(KILL_ROWS))
    job_id = int(location.rsplit("/", 1)[1])
    kill_when(worker(app, IMPORT_BATCH_ROWS="200"), lambda: staged(session) > 0)
    session.execute(update(Job).where(Job.id == job_id).values(attempts=app.extensions["settings"].job_max_attempts))
    session.commit()

    job = finish_with_new_workers(app, client, api, location)

    assert job["status"] == "failed"
    assert job["report"]["error"]["code"] == "job_failed"
    assert staged(session) == 0
    assert (count(session, Bill), count(session, Customer), count(session, PaymentLink)) == (0, 0, 0)


def test_a_reference_taken_while_publishing_is_reported_on_its_line_and_left_out(app, client, session, api):
    sqlite_only(app)
    location = post_import(client, api, import_csv(KILL_ROWS))
    kill_when(worker(app, IMPORT_BATCH_ROWS="200"), lambda: staged(session) and count(session, Bill) > 0)
    line, reference = session.execute(
        text("SELECT seq, reference FROM import_staged_bills ORDER BY seq DESC LIMIT 1")
    ).one()  # not published yet
    taken = client.post("/api/v1/bills", json=bill_payload(reference=reference), headers=api.headers)
    assert taken.status_code == 201

    job = finish_with_new_workers(app, client, api, location)

    assert job["status"] == "succeeded", job
    message = "reference: a bill with this reference already exists"
    assert job["report"] == {
        "rows": KILL_ROWS,
        "imported": KILL_ROWS - 1,
        "rejected": 1,
        "errors": [{"line": line, "field": "reference", "message": message}],
    }
    assert (count(session, Bill), count(session, PaymentLink)) == (KILL_ROWS, KILL_ROWS)
    links = session.exec(select(func.count(func.distinct(PaymentLink.bill_id)))).one()
    assert links == KILL_ROWS  # the bill made through the API kept its one link, and got no other
    assert staged(session) == 0


def test_a_worker_killed_mid_notify_is_replaced_and_no_customer_is_messaged_twice(app, client, api, session):
    """A bulk notify commits every IMPORT_BATCH_ROWS rows with its results so far (both databases): killed after
    some commits, the next worker carries on after them, and every bill gets exactly one message."""
    answer_synchronously(app)
    imported = client.post(
        "/api/v1/bills/import", data=import_csv(NOTIFY_ROWS), content_type="text/csv", headers=api.headers
    )
    assert imported.status_code == 200 and imported.json["imported"] == NOTIFY_ROWS
    answer_in_background(app)
    references = "reference\n" + "".join(f"E-{n}\n" for n in range(NOTIFY_ROWS)) + "NO-SUCH-BILL\n"
    response = client.post("/api/v1/bills/notify", data=references, content_type="text/csv", headers=api.headers)
    assert response.status_code == 202, response.json
    location = response.headers["Location"]

    kill_when(worker(app, IMPORT_BATCH_ROWS="100"), lambda: count(session, OutboundMessage) > 0)

    sent_before = count(session, OutboundMessage)
    assert 0 < sent_before < NOTIFY_ROWS and sent_before % 100 == 0, sent_before  # whole batches, none half
    job = finish_with_new_workers(app, client, api, location)

    assert job["status"] == "succeeded", job
    assert job["report"]["queued"] == NOTIFY_ROWS
    assert [result["line"] for result in job["report"]["results"]] == list(range(2, NOTIFY_ROWS + 3))
    assert job["report"]["results"][-1] == {
        "line": NOTIFY_ROWS + 2,
        "reference": "NO-SUCH-BILL",
        "status": "refused",
        "reason": "no bill with this reference",
    }
    per_bill = session.exec(select(func.count()).select_from(OutboundMessage).group_by(OutboundMessage.bill_id)).all()
    assert len(per_bill) == NOTIFY_ROWS and set(per_bill) == {1}
    assert job_row(session, int(location.rsplit("/", 1)[1])).attempts == 2
