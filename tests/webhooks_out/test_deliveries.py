"""Outbound webhooks at the wire: every event signed as DESIGN §4 says, retried with backoff for a day."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import pairwise

from sqlalchemy import text
from sqlmodel import select

from billing.complaints import open_complaint
from billing.customers import set_opted_out
from billing.signatures import verify
from channels.status import apply_provider_status
from models import Customer, OutboundMessage, PaymentLink
from models.complaints import ComplaintCategory
from models.db import utcnow
from models.webhooks import EventType, WebhookDelivery
from scheduler import jobs as scheduler_jobs
from tests.builders import make_bill
from tests.webhooks_out.conftest import log, register
from webhooks_out.dispatch import RETRY_FOR, DeliveryDispatcher, deliver_due, retry_delay

ALL_EVENTS = [str(event) for event in EventType]


def test_every_event_reaches_the_billers_system_signed_once(app, client, session, api, receiver):
    endpoint = register(client, api, f"{receiver.url}/hooks", ALL_EVENTS)
    assert endpoint["secret"].startswith("whsec_") and sorted(endpoint["events"]) == sorted(ALL_EVENTS)
    paid, cancelled, expiring = (make_bill(session, api.biller, amount=100000) for _ in range(3))
    for amount, utr in ((40000, "UTR-1"), (60000, "UTR-2")):
        response = client.post(
            f"/api/v1/bills/{paid.id}/payments", json={"amount": amount, "reference": utr}, headers=api.headers
        )
        assert response.status_code == 201
    assert client.post(f"/api/v1/bills/{cancelled.id}/cancel", headers=api.headers).status_code == 200
    link = session.exec(select(PaymentLink).where(PaymentLink.bill_id == expiring.id)).one()
    link.expires_at = utcnow() - timedelta(minutes=1)
    session.add(link)
    session.commit()
    scheduler_jobs.bind_app(app)
    scheduler_jobs.expire_bills()
    customer = session.get(Customer, paid.customer_id)
    set_opted_out(session=session, customer_id=customer.id, channel="sms", opted_out=True)
    set_opted_out(session=session, customer_id=customer.id, channel="sms", opted_out=True)  # already out: no event
    open_complaint(
        session=session,
        customer=customer,
        conversation_id=None,
        category=ComplaintCategory.CHARGED_TWICE,
        text="charged twice",
        now=utcnow(),
    )
    message = OutboundMessage(
        biller_id=api.biller.id,
        customer_id=customer.id,
        bill_id=paid.id,
        channel="sms",
        recipient=customer.phone,
        status="sent",
        provider_message_id="SM" + "a" * 32,
        idempotency_key="webhook-test-1",
    )
    session.add(message)
    session.commit()
    apply_provider_status(
        session=session, provider_message_id=message.provider_message_id, provider_status="failed", error_code="30003"
    )
    session.commit()

    DeliveryDispatcher(app).run(once=True)

    types = sorted(request.json["type"] for request in receiver.received)
    assert types == sorted(
        [
            "payment.received",
            "bill.partially_paid",
            "payment.received",
            "bill.paid",
            "bill.cancelled",
            "bill.expired",
            "customer.opted_out",
            "complaint.opened",
            "message.failed",
        ]
    )
    for request in receiver.received:
        verify(endpoint["secret"], request.headers["X-ClickPay-Signature"], request.raw)
        assert request.path == "/hooks" and request.headers["Content-Type"] == "application/json"
        assert set(request.json) == {"id", "type", "created_at", "data"}
        assert request.headers["X-ClickPay-Event"] == request.json["type"]
    by_type = {request.json["type"]: request.json["data"] for request in receiver.received}
    assert by_type["bill.paid"]["bill"] | {"id": None} == {
        "id": None,
        "reference": paid.reference,
        "customer_reference": customer.reference,
        "amount": 100000,
        "amount_due": 0,
        "amount_due_parts": {"outstanding": 0, "late_fee": 0, "early_payment_discount": 0},
        "total_paid": 100000,
        "due_date": paid.due_date.isoformat(),
        "status": "paid",
    }
    assert by_type["bill.paid"]["payment"]["reference"] == "UTR-2"
    assert by_type["bill.partially_paid"]["bill"]["amount_due"] == 60000
    assert by_type["bill.cancelled"]["bill"]["reference"] == cancelled.reference
    # a bill in an event is the bill the API shows: a cancelled one asks nothing, and nothing of it was paid
    assert {key: by_type["bill.cancelled"]["bill"][key] for key in ("amount", "amount_due", "total_paid")} == {
        "amount": 100000,
        "amount_due": 0,
        "total_paid": 0,
    }
    shown = client.get(f"/api/v1/bills/{cancelled.id}", headers=api.headers).json
    assert by_type["bill.cancelled"]["bill"]["amount_due_parts"] == shown["amount_due_parts"]
    assert by_type["bill.expired"]["bill"]["reference"] == expiring.reference
    assert by_type["customer.opted_out"] == {"customer": {"reference": customer.reference}, "channel": "sms"}
    assert by_type["complaint.opened"]["complaint"]["category"] == "charged_twice"
    assert by_type["message.failed"]["message"]["error_code"] == "30003"
    assert "+91" not in str(by_type["message.failed"])  # the customer's reference, not their phone
    deliveries = log(client, api, endpoint["id"])
    assert [(d["status"], d["attempts"], d["response_status"]) for d in deliveries] == [("succeeded", 1, 204)] * 9


def test_an_endpoint_hears_only_the_events_it_asked_for(app, client, session, api, receiver):
    register(client, api, f"{receiver.url}/paid-only", ["bill.paid"])
    bill = make_bill(session, api.biller, amount=5000)
    client.post(f"/api/v1/bills/{bill.id}/payments", json={"amount": 5000, "reference": "UTR-9"}, headers=api.headers)
    DeliveryDispatcher(app).run(once=True)
    assert [request.json["type"] for request in receiver.received] == ["bill.paid"]


def test_a_receiver_that_fails_five_times_gets_it_on_the_sixth_with_backoff(app, client, session, api, receiver):
    receiver.fail_first = 5
    endpoint = register(client, api, f"{receiver.url}/hooks", ["bill.paid"])
    response = client.post(f"/api/v1/webhook-endpoints/{endpoint['id']}/test", headers=api.headers)
    assert response.status_code == 202 and response.json["status"] == "pending"
    now = utcnow()
    for attempt in range(1, 7):
        assert deliver_due(app, now=now - timedelta(seconds=1)) == 0  # nothing before it is due
        assert deliver_due(app, now=now) == 1
        request = receiver.received[-1]
        verify(endpoint["secret"], request.headers["X-ClickPay-Signature"], request.raw, now=now.timestamp())
        [delivery] = log(client, api, endpoint["id"])
        assert delivery["attempts"] == attempt
        if attempt < 6:
            assert (delivery["status"], delivery["response_status"]) == ("pending", 500)
            waited = _parse(delivery["next_attempt_at"]) - now
            assert waited == retry_delay(attempt) == timedelta(seconds=30 * 2 ** (attempt - 1))
            now += waited
    assert (delivery["status"], delivery["response_status"], delivery["last_error"]) == ("succeeded", 204, None)
    assert len(receiver.received) == 6 and len({request.raw for request in receiver.received}) == 1
    assert len({request.headers["X-ClickPay-Signature"] for request in receiver.received}) == 6
    assert receiver.received[0].json["type"] == "webhook.test"


def test_a_receiver_that_never_accepts_is_retried_for_a_day_then_given_up(app, client, session, api, receiver):
    receiver.fail_first = 10_000
    endpoint = register(client, api, f"{receiver.url}/hooks", ["bill.paid"])
    client.post(f"/api/v1/webhook-endpoints/{endpoint['id']}/test", headers=api.headers)
    start = now = utcnow()
    attempts = []
    while True:
        assert deliver_due(app, now=now) == 1
        attempts.append(now)
        [delivery] = log(client, api, endpoint["id"])
        if delivery["status"] != "pending":
            break
        now = _parse(delivery["next_attempt_at"])
    assert delivery["status"] == "failed" and delivery["next_attempt_at"] is None
    assert attempts[-1] - start >= RETRY_FOR - timedelta(seconds=1) and attempts[-2] - start < RETRY_FOR
    assert max(b - a for a, b in pairwise(attempts)) <= timedelta(hours=4)
    assert len(attempts) == len(receiver.received) < 20
    assert deliver_due(app, now=now + timedelta(days=2)) == 0


def test_a_redirect_is_not_followed_but_retried(app, client, api, receiver):
    receiver.status = 302
    endpoint = register(client, api, f"{receiver.url}/hooks", ["bill.paid"])
    client.post(f"/api/v1/webhook-endpoints/{endpoint['id']}/test", headers=api.headers)
    DeliveryDispatcher(app).run(once=True)
    [delivery] = log(client, api, endpoint["id"])
    assert (delivery["status"], delivery["response_status"]) == ("pending", 302)


def test_the_secret_is_stored_encrypted_and_shown_only_once(app, client, session, api, receiver):
    endpoint = register(client, api, f"{receiver.url}/hooks", ["bill.paid"])
    stored = session.execute(text("SELECT secret FROM webhook_endpoints")).scalar_one()
    assert endpoint["secret"] not in stored
    read = client.get(f"/api/v1/webhook-endpoints/{endpoint['id']}", headers=api.headers).json
    listed = client.get("/api/v1/webhook-endpoints", headers=api.headers).json["endpoints"]
    assert read["secret"] is None and [item["secret"] for item in listed] == [None]
    assert read | {"secret": endpoint["secret"]} == endpoint


def test_removing_an_endpoint_stops_its_deliveries(app, client, session, api, receiver):
    endpoint = register(client, api, f"{receiver.url}/hooks", ["bill.paid"])
    client.post(f"/api/v1/webhook-endpoints/{endpoint['id']}/test", headers=api.headers)
    response = client.delete(f"/api/v1/webhook-endpoints/{endpoint['id']}", headers=api.headers)
    assert response.status_code == 204
    assert client.get(f"/api/v1/webhook-endpoints/{endpoint['id']}", headers=api.headers).status_code == 404
    assert DeliveryDispatcher(app).run(once=True) == 0 and receiver.received == []
    assert session.exec(select(WebhookDelivery)).all() == []


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value)
