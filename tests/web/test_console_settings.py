"""Biller settings, templates and users in the console, and every console route walked as the wrong tenant."""

from __future__ import annotations

import re

from sqlmodel import select

from jobs.bulk import IMPORT
from jobs.store import queue_job
from models import ApiKey, Biller, CannedReply, Conversation, Label, MessageTemplate, StatementLine, User
from models.db import utcnow
from tests.builders import make_bill
from tests.reconciliation.conftest import hdfc_statement
from tests.web.test_console import csrf, login
from tests.web.test_console_admin import users  # noqa: F401 - the users fixture


def test_biller_admin_updates_payee_details_and_hours(client, session, api, users):  # noqa: F811
    login(client, "boss@a.example")
    form = {
        "csrf_token": csrf(client, "/console/settings"),
        "name": "Asansol Power Ltd",
        "upi_vpa": "asansol@hdfc",
        "payee_name": "Asansol Power",
        "merchant_category_code": "4900",
        "default_amount_exactness": "ANY",
        "payment_apps": ["gpay", "bhim"],
        "contact_hours_start": "10:00",
        "contact_hours_end": "18:00",
        "bill_fetch_url": "",
        "bill_fetch_secret": "",
    }
    assert client.post("/console/settings", data=form).status_code == 302
    session.expire_all()
    biller = session.get(Biller, api.biller.id)
    assert (biller.upi_vpa, biller.payment_apps, biller.contact_hours_start.hour) == (
        "asansol@hdfc",
        ["gpay", "bhim"],
        10,
    )
    bad = client.post(
        "/console/settings", data={**form, "csrf_token": csrf(client, "/console/settings"), "upi_vpa": "not a vpa"}
    )
    assert "is not a UPI virtual payment address" in bad.get_data(as_text=True)


def test_template_preview_and_validated_save(client, session, users):  # noqa: F811
    login(client, "boss@a.example")
    form = {
        "csrf_token": csrf(client, "/console/templates"),
        "key": "reminder_due_today",
        "channel": "email",
        "language": "en",
        "body": "Hello {customer_name}, {amount} is due today: {link}",
        "save": "no",
    }
    preview = client.post("/console/templates", data=form).get_data(as_text=True)
    assert "Hello Customer Fullname Example, ₹1,24,550.00 is due today" in preview
    refused = client.post(
        "/console/templates",
        data={**form, "csrf_token": csrf(client, "/console/templates"), "body": "Pay {amount} at {url}", "save": "yes"},
        follow_redirects=True,
    )
    assert "Not saved" in refused.get_data(as_text=True)
    client.post("/console/templates", data={**form, "csrf_token": csrf(client, "/console/templates"), "save": "yes"})
    assert session.exec(select(MessageTemplate)).one().channel == "email"


def test_biller_admin_adds_support_staff_to_their_biller_only(client, session, api, users):  # noqa: F811
    login(client, "boss@a.example")
    client.post(
        "/console/users",
        data={
            "csrf_token": csrf(client, "/console/users"),
            "email": "new@a.example",
            "password": "long enough pw",
            "role": "support",
        },
    )
    user = session.exec(select(User).where(User.email == "new@a.example")).one()
    assert (user.role, user.biller_id) == ("support", api.biller.id)


def test_every_console_route_with_an_id_is_404_for_another_biller(app, client, session, api, users):  # noqa: F811
    bill = make_bill(session, api.biller, customer={"reference": "W-1", "name": "Walk", "phone": "+919810000099"})
    conversation = Conversation(
        biller_id=bill.biller_id,
        customer_id=bill.customer_id,
        channel="sms",
        address="+919810000099",
        needs_attention="handover",
    )
    reply = CannedReply(biller_id=api.biller.id, language="en", title="Pay", body="Pay here")
    label = Label(biller_id=api.biller.id, name="refund")
    session.add_all([conversation, reply, label])
    session.commit()
    key = session.exec(select(ApiKey).where(ApiKey.biller_id == api.biller.id)).first()
    job = queue_job(
        session=session, biller_id=api.biller.id, kind=IMPORT, payload=b"reference\n", params={}, now=utcnow()
    )
    session.commit()
    statement = hdfc_statement(("25/11/26", "NEFT CR-SBIN0000123-WALK", "SBIN326331234567", "", "1,245.50"))
    reconciled = client.post(
        "/api/v1/reconciliation/statements", data=statement, content_type="text/csv", headers=api.headers
    )
    assert reconciled.json["suggested"] == 1  # a line waiting in biller A's review queue
    desk = session.exec(select(User).where(User.email == "desk@a.example")).one()
    ids = {
        "user_id": desk.id,
        "conversation_id": conversation.id,
        "customer_id": bill.customer_id,
        "bill_id": bill.id,
        "key_id": key.id,
        "job_id": job.id,
        "line_id": session.exec(select(StatementLine.id)).one(),
        "reply_id": reply.id,
        "label_id": label.id,
    }
    login(client, "boss@b.example")
    token = csrf(client, "/console/")
    walked = 0
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/console/") or not rule.arguments:
            continue
        path = re.sub(r"<int:(\w+)>", lambda m: str(ids[m.group(1)]), rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = client.open(
                path, method=method, data={"csrf_token": token, "body": "x", "until": "2026-12-20", "reference": "U1"}
            )
            assert response.status_code == 404, (method, path, response.status_code)
            walked += 1
    assert walked >= 9
    session.expire_all()
    assert session.get(ApiKey, key.id).revoked_at is None
    assert session.get(Conversation, conversation.id).assigned_user_id is None
    assert session.get(StatementLine, ids["line_id"]).status == "suggested"
    assert session.get(CannedReply, reply.id).body == "Pay here" and session.get(Label, label.id) is not None


def test_settings_warn_when_the_vpa_looks_personal(client, session, api, users):  # noqa: F811
    login(client, "boss@a.example")
    assert 'id="vpa-warning"' not in client.get("/console/settings").get_data(as_text=True)  # testpower@icici
    api.biller.upi_vpa = "9810000001@ybl"
    session.add(api.biller)
    session.commit()
    assert 'id="vpa-warning"' in client.get("/console/settings").get_data(as_text=True)
