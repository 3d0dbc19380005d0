"""Two planners at once, the leader lock, the scheduler's jobs, the CLI and the dunning API."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import text
from sqlmodel import func, select

from models import CustomerChannel, OutboundMessage
from scheduler.process import LEADER_LOCK_KEY, build_scheduler, release_leadership, wait_for_leadership
from tests.builders import bill_payload, make_bill
from tests.conftest import process_env

ROOT = Path(__file__).resolve().parents[2]
IST = ZoneInfo("Asia/Kolkata")


def test_two_planners_at_once_queue_each_reminder_exactly_once(app, session, api):
    for _ in range(300):
        make_bill(session, api.biller, due_date="2026-12-10")
    env = process_env(app)
    command = [
        sys.executable,
        "-m",
        "flask",
        "--app",
        "app",
        "dunning",
        "run-once",
        "--now",
        "2026-12-10T10:00:00+05:30",
    ]
    planners = [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)
    ]
    outputs = [planner.communicate(timeout=120) for planner in planners]
    assert all(planner.returncode == 0 for planner in planners), [err.decode()[-1500:] for _, err in outputs]

    printed = sum(int(out.decode().strip().splitlines()[-1].split()[0]) for out, _ in outputs)
    session.expire_all()
    stored = session.exec(select(func.count()).select_from(OutboundMessage)).one()
    assert printed == stored == 300


def test_run_once_prints_what_it_queued(app, session, api):
    bill = make_bill(session, api.biller, due_date="2026-12-10")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["dunning", "run-once", "--now", "2026-12-07T10:00:00+05:30"])
    assert result.exit_code == 0, result.output
    assert f"bill {bill.id} step 0 via whatsapp" in result.output
    assert result.output.strip().endswith("1 reminder(s) queued")
    assert runner.invoke(args=["dunning", "run-once", "--now", "yesterday"]).exit_code == 2
    assert runner.invoke(args=["dunning", "run-once", "--now", "2026-12-07T10:00:00"]).exit_code == 2


def test_jobs_have_stable_ids_and_are_replaced_not_duplicated(app):
    for _ in range(2):  # a restart re-adds the same jobs to the same store
        with app.app_context():
            scheduler = build_scheduler(app, BackgroundScheduler)
        scheduler.start(paused=True)
        jobs = {job.id: job for job in scheduler.get_jobs()}
        scheduler.shutdown(wait=False)
        assert set(jobs) == {"dunning-plan", "bill-expiry", "daily-summary"}
        assert all(job.coalesce and job.misfire_grace_time >= 3600 for job in jobs.values())


def test_only_one_scheduler_leads_on_postgresql(app):
    engine = app.extensions["database"].engine
    if engine.dialect.name != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's; SQLite deployments run a single scheduler")
    with app.app_context():
        leader = wait_for_leadership(app)
    with engine.connect() as other:
        assert other.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": LEADER_LOCK_KEY}).scalar() is False
        release_leadership(leader)
        assert other.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": LEADER_LOCK_KEY}).scalar() is True
        other.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LEADER_LOCK_KEY})


def test_cadence_api_saves_and_validates(client, api):
    body = {
        "name": "firm",
        "steps": [
            {"day_offset": -2, "send_at": "11:30", "channels": ["sms", "email"], "template": "reminder_before_due"},
            {"day_offset": 5, "channels": ["whatsapp"], "template": "reminder_overdue", "condition": "link_not_opened"},
        ],
        "repeat_every_days": 7,
        "repeat_max_times": 2,
    }
    saved = client.post("/api/v1/cadences", json=body, headers=api.headers)
    assert saved.status_code == 200
    assert [s["send_at"] for s in saved.json["steps"]] == ["11:30", "10:00"]
    names = [c["name"] for c in client.get("/api/v1/cadences", headers=api.headers).json["cadences"]]
    assert names == ["default", "firm"]
    for bad, field in [
        ({**body, "steps": []}, "steps"),
        ({**body, "steps": [{"day_offset": 1, "channels": ["sms", "sms"]}]}, "steps.0.channels"),
        ({**body, "steps": [{"day_offset": 1, "channels": ["fax"]}]}, "steps.0.channels.0"),
        ({**body, "steps": [{"day_offset": 999, "channels": ["sms"]}]}, "steps.0.day_offset"),
        ({**body, "repeat_max_times": None}, "repeat_max_times"),
    ]:
        response = client.post("/api/v1/cadences", json=bad, headers=api.headers)
        assert response.status_code == 422, bad
        assert response.json["error"]["field"] == field


def test_plan_shows_past_and_upcoming_reminders(app, client, api):
    bill = client.post("/api/v1/bills", json=bill_payload(due_date="2026-12-10"), headers=api.headers).json
    app.test_cli_runner().invoke(args=["dunning", "run-once", "--now", "2026-12-10T10:05:00+05:30"])
    plan = client.get(f"/api/v1/bills/{bill['id']}/plan", headers=api.headers).json
    assert [(r["step"], r["status"]) for r in plan["reminders"]] == [
        (0, "skipped"),
        (1, "queued"),
        (2, "upcoming"),
        (3, "upcoming"),
    ]
    assert datetime.fromisoformat(plan["reminders"][2]["at"]).astimezone(IST).strftime("%d %H:%M") == "13 10:00"


def test_notify_queues_one_message_honouring_opt_outs(client, session, api):
    bill = client.post("/api/v1/bills", json=bill_payload(), headers=api.headers).json
    response = client.post(
        f"/api/v1/bills/{bill['id']}/notify",
        json={"channels": ["email", "sms"]},
        headers={**api.headers, "Idempotency-Key": "abc"},
    )
    again = client.post(
        f"/api/v1/bills/{bill['id']}/notify",
        json={"channels": ["email", "sms"]},
        headers={**api.headers, "Idempotency-Key": "abc"},
    )
    assert response.status_code == again.status_code == 202
    assert response.json["channel"] == "email" and again.json["message_id"] == response.json["message_id"]
    message = session.get(OutboundMessage, response.json["message_id"])
    assert message.fallback_channels == ["sms"]
    assert datetime.fromisoformat(response.json["scheduled_for"]).astimezone(IST).hour in range(8, 19)

    customer_id = message.customer_id
    for channel in ("email", "sms"):
        session.add(CustomerChannel(customer_id=customer_id, channel=channel, opted_out_at=message.created_at))
    session.commit()
    refused = client.post(
        f"/api/v1/bills/{bill['id']}/notify", json={"channels": ["email", "sms"]}, headers=api.headers
    )
    assert refused.status_code == 422 and refused.json["error"]["field"] == "channels"


def test_notify_refuses_a_paid_bill_and_other_billers(client, api, other_api):
    bill = client.post("/api/v1/bills", json=bill_payload(), headers=api.headers).json
    assert client.post(f"/api/v1/bills/{bill['id']}/notify", headers=other_api.headers).status_code == 404
    client.post(
        f"/api/v1/bills/{bill['id']}/payments", json={"amount": bill["amount"], "reference": "U1"}, headers=api.headers
    )
    assert client.post(f"/api/v1/bills/{bill['id']}/notify", headers=api.headers).status_code == 409


def test_bulk_notify_from_a_csv_of_references(client, api):
    for reference in ("N-1", "N-2"):
        client.post("/api/v1/bills", json=bill_payload(reference=reference), headers=api.headers)
    response = client.post(
        "/api/v1/bills/notify", data="\ufeffreference\nN-1\nN-2\nN-404\n", content_type="text/csv", headers=api.headers
    )
    assert response.status_code == 200
    assert response.json["queued"] == 2
    assert [r["status"] for r in response.json["results"]] == ["queued", "queued", "refused"]
