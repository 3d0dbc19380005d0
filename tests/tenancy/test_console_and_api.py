"""Every console and API route, as each of two billers sharing a customer's phone: nothing of the other shows."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from jobs.bulk import IMPORT
from jobs.store import queue_job
from models import Bill, CannedReply, Conversation, Label, StatementLine, User
from models.db import utcnow
from models.webhooks import WebhookEndpoint
from tests.reconciliation.conftest import hdfc_statement
from tests.tenancy.conftest import PASSWORD, PHONE, leaks, text_message
from tests.web.test_console import csrf
from webhooks_out.endpoints import new_secret

OWN_SMS_OF_A = "+14155550188"
ROUTE_ARGUMENT = re.compile(r"<(?:\w+:)?(\w+)>")
IMPORT_CSV = (
    "reference,customer_reference,customer_name,amount,due_date,customer_phone\n"
    f"NEW-C,NEW-2,Mira,100,2026-12-20,{PHONE}\n"
)


@pytest.fixture
def both_waiting(client, session, clock, tenants, staff):
    """The phone claimed B's bill paid, then later asked A for a person: each biller has a thread waiting."""
    for text in ("bills", "paid", "2"):
        text_message(client, clock, text)
    clock.shift(31 * 60)
    for text in ("agent", "1"):
        text_message(client, clock, text)
    session.expire_all()
    threads = {c.biller_id: c for c in session.exec(select(Conversation).where(Conversation.address == PHONE)).all()}
    a, b = tenants
    assert threads[a.biller_id].needs_attention == "handover" and threads[b.biller_id].needs_attention == "paid_claim"
    return threads


def webhook_endpoint(session, tenant) -> int:
    """A webhook endpoint of the tenant's, stored directly (its URL is never called here)."""
    endpoint = WebhookEndpoint(
        biller_id=tenant.biller_id, url="https://hooks.example.com/", events=["bill.paid"], secret=new_secret()
    )
    session.add(endpoint)
    session.commit()
    return endpoint.id


def support_tools_of(session, tenant) -> tuple[int, int]:
    """A canned reply (that names the tenant's bill) and a label of the tenant's: (reply id, label id)."""
    reply = CannedReply(
        biller_id=tenant.biller_id, language="en", title="Pay", body=f"About {tenant.marks[0]}: {{link}}"
    )
    label = Label(biller_id=tenant.biller_id, name=f"label {tenant.marks[0]}")
    session.add_all([reply, label])
    session.commit()
    return reply.id, label.id


def sign_in(client, email: str) -> None:
    client.post("/console/logout", data={"csrf_token": csrf(client, "/console/login")})
    response = client.post(
        "/console/login", data={"email": email, "password": PASSWORD, "csrf_token": csrf(client, "/console/login")}
    )
    assert response.status_code == 302


@pytest.mark.parametrize("me", [0, 1], ids=["as biller A", "as biller B"])
def test_inbox_shows_each_biller_only_its_own_conversation(client, tenants, both_waiting, me):
    mine, theirs = tenants[me], tenants[1 - me]
    sign_in(client, f"desk@{'ab'[me]}.example")
    html = client.get("/console/").get_data(as_text=True)
    assert mine.marks[1] in html and leaks(html, theirs) == []
    assert f"/console/conversations/{both_waiting[mine.biller_id].id}" in html
    assert f"/console/conversations/{both_waiting[theirs.biller_id].id}" not in html


def job_of(session, tenant) -> int:
    """A background import job of the tenant's whose report names its own bill."""
    report = {
        "rows": 1,
        "imported": 0,
        "rejected": 1,
        "errors": [{"line": 2, "message": tenant.marks[0], "field": "reference"}],
    }
    job = queue_job(
        session=session, biller_id=tenant.biller_id, kind=IMPORT, payload=b"reference\n", params={}, now=utcnow()
    )
    job.status, job.report = "succeeded", report
    session.commit()
    return job.id


def suggested_line_of(client, session, tenant) -> int:
    """A bank-statement credit of the tenant's that waits in its review queue for its own bill."""
    amount = tenant.marks[3]
    statement = hdfc_statement(("25/11/26", "NEFT CR-SBIN0000123-A PAYER", "SBIN326331234567", "", amount))
    response = client.post(
        "/api/v1/reconciliation/statements", data=statement, content_type="text/csv", headers=tenant.api.headers
    )
    assert response.json["suggested"] == 1, response.json
    return session.exec(select(StatementLine.id).where(StatementLine.biller_id == tenant.biller_id)).one()


@pytest.mark.parametrize("me", [0, 1], ids=["as biller A", "as biller B"])
def test_every_console_route_shows_nothing_of_the_other_biller(app, client, session, tenants, both_waiting, me):
    mine, theirs = tenants[me], tenants[1 - me]
    person = session.exec(
        select(Conversation).where(Conversation.address == PHONE, Conversation.biller_id.is_(None))
    ).one()
    mine_job, theirs_job = (job_of(session, tenant) for tenant in (mine, theirs))
    mine_line, theirs_line = (suggested_line_of(client, session, tenant) for tenant in (mine, theirs))
    (mine_reply, mine_label), (theirs_reply, theirs_label) = (support_tools_of(session, t) for t in (mine, theirs))
    mine_user, theirs_user = (
        session.exec(select(User).where(User.email == f"desk@{letter}.example")).one().id
        for letter in ("ab"[me], "ab"[1 - me])
    )
    ids = {
        "mine": {
            "conversation_id": both_waiting[mine.biller_id].id,
            "customer_id": mine.bill.customer_id,
            "bill_id": mine.bill.id,
            "job_id": mine_job,
            "line_id": mine_line,
            "user_id": mine_user,
            "reply_id": mine_reply,
            "label_id": mine_label,
        },
        "theirs": {
            "conversation_id": both_waiting[theirs.biller_id].id,
            "customer_id": theirs.bill.customer_id,
            "bill_id": theirs.bill.id,
            "job_id": theirs_job,
            "line_id": theirs_line,
            "user_id": theirs_user,
            "reply_id": theirs_reply,
            "label_id": theirs_label,
        },
        "person's": {
            "conversation_id": person.id,
            "customer_id": theirs.bill.customer_id,
            "bill_id": theirs.bill.id,
            "job_id": theirs_job,
            "line_id": theirs_line,
            "user_id": theirs_user,
            "reply_id": theirs_reply,
            "label_id": theirs_label,
        },
    }
    sign_in(client, f"boss@{'ab'[me]}.example")
    token = csrf(client, "/console/")
    form = {"csrf_token": token, "body": "x", "until": "2026-12-20", "reference": "U1", "template": "reminder"}
    walked = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/console/") or rule.endpoint in ("console.login", "console.logout"):
            continue
        if "key_id" in rule.arguments:
            continue  # API keys: walked as the wrong tenant in tests/web/test_console_settings.py
        if not rule.arguments:
            if "GET" in rule.methods:
                html = client.get(rule.rule).get_data(as_text=True)
                assert leaks(html, theirs) == [], rule.rule
                walked.add(rule.endpoint)
            continue
        for whose in ("theirs", "person's"):
            path = ROUTE_ARGUMENT.sub(lambda m, whose=whose: str(ids[whose][m.group(1)]), rule.rule)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                response = client.open(path, method=method, data=form)
                assert response.status_code == 404, (whose, method, path, response.status_code)
        if "GET" in rule.methods:
            path = ROUTE_ARGUMENT.sub(lambda m: str(ids["mine"][m.group(1)]), rule.rule)
            response = client.get(path)
            html = response.get_data(as_text=True)
            assert response.status_code == 200 and mine.marks[0] in html, path
            assert leaks(html, theirs) == [], path
        walked.add(rule.endpoint)
    for query in (PHONE, "9810000050", theirs.marks[0], theirs.marks[1], theirs.marks[2]):
        html = client.get("/console/customers", query_string={"q": query}).get_data(as_text=True)
        assert [mark for mark in leaks(html, theirs) if mark != query] == [], query
        assert (mine.marks[1] in html) == (query in (PHONE, "9810000050"))
    assert {"console.inbox", "console.conversation", "console.customer_timeline", "console.reply"} <= walked
    assert {"console.reconciliation", "console.confirm_line", "console.reject_line"} <= walked
    assert {"console.canned_replies", "console.edit_canned_reply", "console.labels", "console.remove_label"} <= walked
    assert {"console.add_conversation_label", "console.remove_conversation_label"} <= walked
    session.expire_all()
    assert session.get(Bill, theirs.bill.id).status == theirs.bill.status
    assert session.get(Conversation, both_waiting[theirs.biller_id].id).assigned_user_id is None
    assert session.get(CannedReply, theirs_reply) is not None and session.get(Label, theirs_label) is not None


@pytest.mark.parametrize("me", [0, 1], ids=["as biller A", "as biller B"])
def test_every_api_route_shows_nothing_of_the_other_biller(app, client, session, tenants, both_waiting, me):
    mine, theirs = tenants[me], tenants[1 - me]
    headers = mine.api.headers
    new_customer = {"reference": "NEW-1", "name": "Mira", "phone": PHONE}
    theirs_id, mine_id = theirs.bill.id, mine.bill.id
    hooks = [webhook_endpoint(session, tenant) for tenant in tenants]
    calls = {
        "api.post_bill": [
            (
                "POST",
                "/bills",
                {"json": {"reference": "NEW-B", "customer": new_customer, "amount": 100, "due_date": "2026-12-20"}},
                201,
            )
        ],
        "api.read_bill": [("GET", f"/bills/{mine_id}", {}, 200), ("GET", f"/bills/{theirs_id}", {}, 404)],
        "api.post_cancel": [("POST", f"/bills/{theirs_id}/cancel", {"json": {}}, 404)],
        "api.bill_messages": [
            ("GET", f"/bills/{mine_id}/messages", {}, 200),
            ("GET", f"/bills/{theirs_id}/messages", {}, 404),
        ],
        "api.notify_one": [("POST", f"/bills/{theirs_id}/notify", {"json": {}}, 404)],
        "api.pause_bill": [("POST", f"/bills/{theirs_id}/pause", {"json": {"until": "2026-12-20"}}, 404)],
        "api.post_payment": [
            ("POST", f"/bills/{theirs_id}/payments", {"json": {"amount": 100, "reference": "UTR1"}}, 404)
        ],
        "api.read_plan": [("GET", f"/bills/{mine_id}/plan", {}, 200), ("GET", f"/bills/{theirs_id}/plan", {}, 404)],
        "api.post_import": [
            (
                "POST",
                "/bills/import",
                {
                    "data": IMPORT_CSV,
                    "content_type": "text/csv",
                },
                200,
            )
        ],
        "api.notify_many": [
            ("POST", "/bills/notify", {"data": f"reference\n{theirs.marks[0]}\n", "content_type": "text/csv"}, 200)
        ],
        "api.list_cadences": [("GET", "/cadences", {}, 200)],
        "api.put_cadence": [("POST", "/cadences", {"json": {}}, 422)],
        "api.put_customer": [("POST", "/customers", {"json": new_customer}, 200)],
        "api.read_customer": [
            ("GET", f"/customers/{mine.marks[2]}", {}, 200),
            ("GET", f"/customers/{theirs.marks[2]}", {}, 404),
        ],
        "api.put_template": [("POST", "/templates", {"json": {}}, 422)],
        "api.openapi_json": [("GET", "/openapi.json", {}, 200)],
        "api.get_bills": [
            ("GET", "/bills", {}, 200),
            ("GET", f"/bills?reference={theirs.bill.reference}", {}, 200),
            ("GET", f"/bills?customer={theirs.marks[2]}", {}, 200),
        ],
        "api.get_payments": [("GET", "/payments", {}, 200)],
        "api.read_job": [
            ("GET", f"/jobs/{job_of(session, mine)}", {}, 200),
            ("GET", f"/jobs/{job_of(session, theirs)}", {}, 404),
        ],
        "api.get_payments_csv": [("GET", "/payments.csv", {}, 200)],
        "api.post_statement": [
            (
                "POST",
                "/reconciliation/statements",
                {
                    "data": hdfc_statement(
                        ("25/11/26", f"NEFT CR-{theirs.marks[1]}-{theirs.marks[0]}", "N1", "", theirs.marks[3])
                    ),
                    "content_type": "text/csv",
                },
                200,
            )
        ],
        "api.post_webhook_endpoint": [
            ("POST", "/webhook-endpoints", {"json": {"url": "http://10.0.0.1/", "events": ["bill.paid"]}}, 422)
        ],
        "api.get_webhook_endpoints": [("GET", "/webhook-endpoints", {}, 200)],
        "api.read_webhook_endpoint": [
            ("GET", f"/webhook-endpoints/{hooks[me]}", {}, 200),
            ("GET", f"/webhook-endpoints/{hooks[1 - me]}", {}, 404),
        ],
        "api.webhook_deliveries": [
            ("GET", f"/webhook-endpoints/{hooks[me]}/deliveries", {}, 200),
            ("GET", f"/webhook-endpoints/{hooks[1 - me]}/deliveries", {}, 404),
        ],
        "api.test_webhook_endpoint": [("POST", f"/webhook-endpoints/{hooks[1 - me]}/test", {}, 404)],
        "api.remove_webhook_endpoint": [("DELETE", f"/webhook-endpoints/{hooks[1 - me]}", {}, 404)],
    }
    api_endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1")}
    assert set(calls) == api_endpoints, "a new API route: add it to the walk"
    for endpoint, requests in calls.items():
        for method, path, body, status in requests:
            response = client.open(f"/api/v1{path}", method=method, headers=headers, **body)
            sent = path + str(body)
            assert response.status_code // 100 == status // 100, (endpoint, path, response.status_code, response.json)
            text = response.get_data(as_text=True)
            assert [mark for mark in leaks(text, theirs) if mark not in sent] == [], (endpoint, path, text)
    session.expire_all()
    theirs_now = session.get(Bill, theirs.bill.id)
    assert (theirs_now.status, theirs_now.amount_due_paise) == (theirs.bill.status, theirs.bill.amount_due_paise)


def test_support_replies_go_out_from_the_billers_own_sender(app, client, session, tenants, both_waiting, twilio):
    from billing.senders import set_sender
    from channels.worker import OutboxWorker

    a, b = tenants
    set_sender(session=session, biller_id=a.biller_id, channel="sms", address=OWN_SMS_OF_A)
    session.commit()
    sign_in(client, "desk@a.example")
    path = f"/console/conversations/{both_waiting[a.biller_id].id}"
    response = client.post(f"{path}/reply", data={"csrf_token": csrf(client, path), "body": "We are on it"})
    assert response.status_code == 302
    OutboxWorker(app, sleep=lambda seconds: None).run(once=True)
    [reply] = [message for message in twilio.messages if message["Body"] == "We are on it"]
    assert (reply["From"], reply["To"]) == (OWN_SMS_OF_A, PHONE)
    assert all(message["From"] != OWN_SMS_OF_A for message in twilio.messages if b.token in message["Body"])
