"""Biller admin pages: dashboard, CSV upload report, cadences with preview, API keys, audit log."""

from __future__ import annotations

import io
import re
from datetime import datetime

import pytest

from accounts.users import create_user
from models.vocab import Role
from tests.builders import bill_payload
from tests.web.test_console import PASSWORD, csrf, login

ADMIN_PAGES = [
    "/console/dashboard",
    "/console/bills/import",
    "/console/cadences",
    "/console/api-keys",
    "/console/audit",
]
CSV_WITH_ERRORS = (
    b"reference,customer_reference,customer_name,customer_phone,amount,due_date\n"
    b"E-1,CA-1,Asha,9810000001,10000,2026-12-10\nE-2,CA-2,Ravi,12345,10000,2026-12-10\n"
)


@pytest.fixture
def users(session, api, other_api):
    for email, role, biller in (
        ("boss@a.example", Role.BILLER_ADMIN, api.biller.id),
        ("desk@a.example", Role.SUPPORT, api.biller.id),
        ("boss@b.example", Role.BILLER_ADMIN, other_api.biller.id),
    ):
        create_user(session=session, email=email, password=PASSWORD, role=role, biller_id=biller)
    session.commit()


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_support_staff_cannot_reach_settings(client, users, page):
    login(client, "desk@a.example")
    assert client.get(page).status_code == 403


def test_dashboard_shows_outstanding_collected_and_the_funnel(client, api, users):
    first = client.post("/api/v1/bills", json=bill_payload(amount=30000), headers=api.headers).json
    client.post("/api/v1/bills", json=bill_payload(amount=70000), headers=api.headers)
    client.post(
        f"/api/v1/bills/{first['id']}/payments", json={"amount": 30000, "reference": "UTR1"}, headers=api.headers
    )
    login(client, "boss@a.example")
    html = client.get("/console/dashboard").get_data(as_text=True)
    assert re.search(r'id="outstanding">₹700.00<', html)
    assert re.search(r'id="collected">₹300.00<', html)
    assert 'id="rate">30%<' in html
    # No bill was reminded: the funnel is empty and says so; the paid bill is counted outside it.
    assert 'id="funnel-empty"' in html and "paid without any reminder: 1 bill(s)" in html
    assert html.count("<rect x=") == 30 and "₹300.00</title>" in html  # today's bar carries the payment
    assert "No reminders yet." in html  # receipts are not cadence steps
    weekly = re.findall(r"<td>(\d+)% of ₹([\d,.]+)</td>", html)
    assert weekly == [] and html.count("no bills due") == 8  # the bills fall due in ten days: empty weeks say so


def test_funnel_follows_each_step_to_payment(app, client, session, api, users):
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from channels.worker import OutboxWorker
    from models.db import current_db, utcnow
    from scheduler.dunning import run_dunning_pass

    zone = ZoneInfo("Asia/Kolkata")
    yesterday = utcnow().astimezone(zone).date() - timedelta(days=1)
    payload = bill_payload(due_date=yesterday.isoformat(), amount=50000)
    bill = client.post("/api/v1/bills", json=payload, headers=api.headers).json
    noon = datetime.combine(yesterday, datetime.min.time(), tzinfo=zone) + timedelta(hours=12)
    with app.app_context():  # the pass ran yesterday at noon: step 2 (the due date) was due
        run_dunning_pass(session_factory=current_db().new_session, now=noon)
    OutboxWorker(app, clock=lambda: noon + timedelta(minutes=1)).run(once=True)
    token = bill["link"].rsplit("/", 1)[1]
    client.get(f"/p/{token}")
    client.post(
        f"/api/v1/bills/{bill['id']}/payments", json={"amount": 50000, "reference": "UTR9"}, headers=api.headers
    )
    login(client, "boss@a.example")
    html = client.get("/console/dashboard").get_data(as_text=True)
    rows = re.findall(r"<tr><td>(\d+)</td><td>(\w+)</td>((?:<td>\d+</td>){8})</tr>", html)
    table = {(step, channel): [int(n) for n in re.findall(r"\d+", cells)] for step, channel, cells in rows}
    # Step 1 (numbered from 0, as the API and CLI do): WhatsApp first (window closed, no template) failed; SMS
    # took over and was sent; the bill was opened and paid
    assert table[("1", "WhatsApp")] == [1, 0, 0, 0, 1, 0, 1, 1]
    assert table[("1", "SMS")] == [1, 1, 0, 0, 1, 0, 1, 0]
    funnel = dict(re.findall(r'<th scope="row" title="[^"]*">([\w ]+)<br>.*?<td class="num">(\d+)</td>', html))
    # one bill reminded; opening the link proves the SMS arrived, so it counts as delivered and read too
    assert funnel == {
        "Reminded": "1",
        "Sent": "1",
        "Delivered": "1",
        "Read": "1",
        "Link opened": "1",
        "App chosen": "0",
        "Paid": "1",
    }
    assert "no approved WhatsApp template outside the 24-hour window</dt><dd>1</dd>" in html
    assert "<td>100% of ₹500.00</td>" in html  # yesterday's week: billed and collected in full


def test_upload_reports_every_bad_line_and_imports_nothing(client, users):
    login(client, "boss@a.example")
    response = client.post(
        "/console/bills/import",
        data={
            "csrf_token": csrf(client, "/console/bills/import"),
            "partial": "no",
            "file": (io.BytesIO(CSV_WITH_ERRORS), "bills.csv"),
        },
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert "Nothing imported: 1 row(s) have errors" in html and "line 3" in html and "customer_phone" in html
    partial = client.post(
        "/console/bills/import",
        data={
            "csrf_token": csrf(client, "/console/bills/import"),
            "partial": "yes",
            "file": (io.BytesIO(CSV_WITH_ERRORS), "bills.csv"),
        },
        content_type="multipart/form-data",
    )
    assert "Imported 1 of 2" in partial.get_data(as_text=True)


def test_api_key_is_shown_once_works_and_can_be_revoked(client, users):
    login(client, "boss@a.example")
    html = client.post(
        "/console/api-keys", data={"csrf_token": csrf(client, "/console/api-keys"), "name": "erp"}
    ).get_data(as_text=True)
    key = re.search(r"<code[^>]*>(cpk_\w+)</code>", html).group(1)
    headers = {"Authorization": f"Bearer {key}"}
    assert client.get("/api/v1/cadences", headers=headers).status_code == 200
    assert key not in client.get("/console/api-keys").get_data(as_text=True)
    key_id = re.findall(r"/console/api-keys/(\d+)/revoke", client.get("/console/api-keys").get_data(as_text=True))[-1]
    client.post(f"/console/api-keys/{key_id}/revoke", data={"csrf_token": csrf(client, "/console/api-keys")})
    assert client.get("/api/v1/cadences", headers=headers).status_code == 401


def test_another_billers_key_cannot_be_revoked(client, api, users):
    login(client, "boss@b.example")
    from models import ApiKey

    response = client.post("/console/api-keys/1/revoke", data={"csrf_token": csrf(client, "/console/api-keys")})
    assert response.status_code == 404
    assert client.get("/api/v1/cadences", headers=api.headers).status_code == 200
    assert ApiKey  # the key above belongs to biller A


def test_cadence_preview_then_save(client, users):
    login(client, "boss@a.example")
    form = {
        "name": "weekend-safe",
        "step-0-offset": "-1",
        "step-0-time": "07:30",
        "step-0-channels": "sms",
        "step-0-template": "reminder_before_due",
        "step-1-offset": "2",
        "step-1-time": "20:00",
        "step-1-channels": "whatsapp, SMS",
        "step-1-template": "reminder_overdue",
        "step-1-unopened": "on",
        "step-2-offset": "",
        "sample_due_date": "2026-12-10",
    }
    preview = client.post(
        "/console/cadences", data={**form, "csrf_token": csrf(client, "/console/cadences"), "save": "no"}
    ).get_data(as_text=True)
    assert "Wed 09 Dec 2026 09:00" in preview  # 07:30 moved into contact hours
    assert "Sun 13 Dec 2026 09:00 IST · whatsapp → sms · reminder_overdue · only if" in preview  # 20:00 → next morning
    client.post("/console/cadences", data={**form, "csrf_token": csrf(client, "/console/cadences"), "save": "yes"})
    editor = client.get("/console/cadences", query_string={"edit": "weekend-safe"}).get_data(as_text=True)
    assert 'value="whatsapp, sms"' in editor and 'name="step-1-unopened" checked' in editor
    bad = client.post(
        "/console/cadences",
        data={
            **form,
            "csrf_token": csrf(client, "/console/cadences"),
            "step-1-channels": "whatsapp, pigeon",
            "save": "no",
        },
    )
    html = bad.get_data(as_text=True)
    assert 'id="cadence-error"' in html and "step 1" in html  # numbered from 0, as in the API


def test_audit_log_lists_what_admins_did(client, users):
    login(client, "boss@a.example")
    client.post("/console/api-keys", data={"csrf_token": csrf(client, "/console/api-keys"), "name": "erp"})
    html = client.get("/console/audit").get_data(as_text=True)
    assert "api_key.create" in html and "user.login" in html
