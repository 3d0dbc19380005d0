"""The audit log names who did what through every door: API bill creation, customer upserts, notifications and
imports (API, console, background jobs), with the actor shown in the console by email or API key name."""

from __future__ import annotations

import io
import json

from sqlmodel import select

from jobs.runner import JobRunner
from models import ApiKey, AuditEvent, Bill, User
from tests.builders import bill_payload
from tests.jobs.conftest import import_csv
from tests.web.test_console import csrf, login
from tests.web.test_console_admin import users  # noqa: F401 - the users fixture

PHONE = "+919810000042"


def events(session, biller_id: int) -> list[tuple[str, str]]:
    """(action, actor) of the biller's audit events, in order."""
    session.expire_all()
    rows = session.exec(select(AuditEvent).where(AuditEvent.biller_id == biller_id).order_by(AuditEvent.id)).all()
    return [(row.action, row.actor) for row in rows]


def key_actor(session, api) -> str:
    return f"api_key:{session.exec(select(ApiKey.id).where(ApiKey.biller_id == api.biller.id)).one()}"


def test_api_actions_are_audited_under_the_key_without_personal_data(client, session, api, other_api):
    customer = {"reference": "CA-42", "name": "Asha Verma", "phone": PHONE}
    assert client.post("/api/v1/customers", json=customer, headers=api.headers).status_code == 201
    assert client.post("/api/v1/customers", json={**customer, "name": "Asha V"}, headers=api.headers).status_code == 200
    bill = client.post("/api/v1/bills", json=bill_payload(reference="B-42"), headers=api.headers).json
    assert client.post(f"/api/v1/bills/{bill['id']}/notify", headers=api.headers).status_code == 202
    notify_csv = "reference\nB-42\nB-404\n"
    client.post("/api/v1/bills/notify", data=notify_csv, content_type="text/csv", headers=api.headers)
    client.post("/api/v1/bills/import", data=import_csv(2), content_type="text/csv", headers=api.headers)

    actor = key_actor(session, api)
    assert events(session, api.biller.id) == [
        ("customer.create", actor),
        ("customer.update", actor),
        ("bill.create", actor),
        ("bill.notify", actor),
        ("bills.notify", actor),
        ("bills.import", actor),
    ]
    assert events(session, other_api.biller.id) == []
    session.expire_all()
    rows = session.exec(select(AuditEvent).where(AuditEvent.biller_id == api.biller.id)).all()
    details = {row.action: row.detail for row in rows}
    assert details["customer.update"] == {"fields": ["name", "phone"]}
    assert details["bills.notify"] == {"queued": 1, "refused": 1}
    assert details["bills.import"] == {"imported": 2, "rejected": 0}
    assert PHONE not in json.dumps([row.detail for row in rows]) and "Asha" not in json.dumps(
        [row.detail for row in rows]
    )


def test_background_jobs_are_audited_under_whoever_asked(app, client, session, api):
    for n in range(6):
        client.post("/api/v1/bills", json=bill_payload(reference=f"J-{n}"), headers=api.headers)
    big_notify = "reference\n" + "\n".join(f"J-{n}" for n in range(6)) + "\n"
    assert (
        client.post(
            "/api/v1/bills/import", data=import_csv(8), content_type="text/csv", headers=api.headers
        ).status_code
        == 202
    )
    notify = client.post("/api/v1/bills/notify", data=big_notify, content_type="text/csv", headers=api.headers)
    assert notify.status_code == 202
    JobRunner(app).run(once=True)

    actor = key_actor(session, api)
    jobs = [event for event in events(session, api.biller.id) if event[0] in ("bills.import", "bills.notify")]
    assert sorted(jobs) == [("bills.import", actor), ("bills.notify", actor)]


def test_console_import_and_resend_are_audited_and_shown_by_email_and_key_name(client, session, api, users):  # noqa: F811
    bill = client.post("/api/v1/bills", json=bill_payload(reference="C-1"), headers=api.headers).json
    login(client, "boss@a.example")
    client.post(
        "/console/bills/import",
        data={
            "csrf_token": csrf(client, "/console/bills/import"),
            "partial": "no",
            "file": (io.BytesIO(import_csv(2)), "bills.csv"),
        },
        content_type="multipart/form-data",
    )
    customer_id = session.get(Bill, bill["id"]).customer_id
    page = f"/console/customers/{customer_id}"
    client.post(f"{page}/bills/{bill['id']}/resend", data={"csrf_token": csrf(client, page)})
    boss = f"user:{session.exec(select(User.id).where(User.email == 'boss@a.example')).one()}"
    console_events = [event for event in events(session, api.biller.id) if event[1] == boss]
    assert [action for action, _ in console_events if action != "user.login"] == ["bills.import", "bill.notify"]
    html = client.get("/console/audit").get_data(as_text=True)
    assert "<td>boss@a.example</td><td>bills.import</td>" in html
    assert "<td>boss@a.example</td><td>bill.notify</td>" in html
    assert "API key “default”</td><td>bill.create</td>" in html
    assert "api_key:" not in html and "user:" not in html
