"""POST /webhooks/payments: HMAC-signed confirmations, replays, and every odd case answered without loss."""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlmodel import func, select

from billing.bills import current_link
from billing.signatures import sign
from channels.worker import OutboxWorker
from models import AuditEvent, Bill, LinkEvent, OutboundMessage, Payment
from tests.builders import make_bill, queue_messages

SECRET = "dev-only-payment-webhook-secret"  # the test app's development default


@pytest.fixture
def bill(session, api):
    return make_bill(session, api.biller, amount=124550)


@pytest.fixture
def tr(client, session, bill) -> str:
    """A transaction reference issued by choosing an app on the payment page."""
    token = current_link(session=session, bill_id=bill.id).token
    location = client.get(f"/p/{token}/pay", query_string={"app": "gpay", "platform": "desktop"}).headers["Location"]
    return dict(parse_qsl(urlsplit(location).query))["tr"]


def post(client, body: dict | bytes, *, secret=SECRET, timestamp=None, header=None):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    signature = header if header is not None else sign(secret, raw, timestamp=timestamp)
    return client.post(
        "/webhooks/payments", data=raw, content_type="application/json", headers={"X-Signature": signature}
    )


def notice(tr, **overrides) -> dict:
    body = {"tr": tr, "amount": 124550, "utr": "412345678901", "status": "SUCCESS", "app": "gpay"}
    body.update(overrides)
    return body


def payments(session) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(Payment)).one()


def test_valid_confirmation_pays_the_bill_and_queues_a_receipt(app, client, session, bill, tr):
    response = post(client, notice(tr))

    assert response.status_code == 200
    assert response.json == {
        "status": "recorded",
        "bill_id": bill.id,
        "bill_status": "paid",
        "amount_due": 0,
        "overpaid": 0,
    }
    session.expire_all()
    assert session.get(Bill, bill.id).status == "paid"
    payment = session.exec(select(Payment)).one()
    assert (payment.reference, payment.app, payment.source) == ("412345678901", "gpay", "webhook")
    OutboxWorker(app).run(once=True)
    session.expire_all()
    receipts = session.exec(
        select(OutboundMessage).where(OutboundMessage.template_key == "receipt").order_by(OutboundMessage.id)
    ).all()
    # WhatsApp first, but the customer never wrote in and no approved template exists: SMS takes over.
    assert [(r.channel, r.status, r.error_code) for r in receipts] == [
        ("whatsapp", "failed", "outside_window_no_template"),
        ("sms", "sent", None),
    ]
    assert "412345678901" in receipts[1].body and "₹1,245.50" in receipts[1].body


def test_replay_of_the_same_payment_changes_nothing(client, session, bill, tr):
    first = post(client, notice(tr))
    again = post(client, notice(tr))
    assert first.status_code == again.status_code == 200
    assert again.json["status"] == "duplicate"
    assert payments(session) == 1
    assert session.exec(select(func.count()).select_from(OutboundMessage)).one() == 1


@pytest.mark.parametrize(
    "header",
    ["", "t=1,v1=abc", "garbage", "v1=deadbeef", "t=notanumber,v1=abc"],
    ids=["empty", "wrong-hmac-old", "garbage", "no-timestamp", "bad-timestamp"],
)
def test_unsigned_or_malformed_signatures_are_401(client, session, tr, header):
    response = post(client, notice(tr), header=header)
    assert response.status_code == 401
    assert response.json["error"]["code"] == "invalid_signature"
    assert payments(session) == 0


def test_forged_signature_is_401(client, session, tr):
    response = post(client, notice(tr), secret="not-the-secret")
    assert response.status_code == 401
    assert payments(session) == 0


def test_body_changed_after_signing_is_401(client, session, tr):
    raw = json.dumps(notice(tr)).encode()
    header = sign(SECRET, raw)
    tampered = raw.replace(b"124550", b"999999")
    response = client.post(
        "/webhooks/payments", data=tampered, content_type="application/json", headers={"X-Signature": header}
    )
    assert response.status_code == 401


def test_stale_signature_is_refused(client, session, tr):
    response = post(client, notice(tr), timestamp=int(time.time()) - 301)
    assert response.status_code == 401
    assert "stale" in response.json["error"]["message"].lower()
    assert payments(session) == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"{not json", None),
        ({"tr": "x", "status": "SUCCESS", "utr": "1"}, "amount"),
        ({"tr": "x", "amount": "100", "utr": "1", "status": "SUCCESS"}, "amount"),
        ({"tr": "x", "amount": 100, "utr": "1", "status": "MAYBE"}, "status"),
        ({"tr": "has space", "amount": 100, "utr": "1", "status": "SUCCESS"}, "tr"),
        ({"tr": "x", "amount": 0, "utr": "1", "status": "SUCCESS"}, "amount"),
    ],
)
def test_malformed_notices_are_4xx_naming_the_field(client, session, body, field):
    response = post(client, body)
    assert 400 <= response.status_code < 500
    assert response.json["error"]["field"] == field
    assert payments(session) == 0


def test_unknown_transaction_is_404_and_kept_for_review(client, session, bill):
    response = post(client, notice("CPUNKNOWN000000000000"))
    assert response.status_code == 404
    assert response.json["error"]["code"] == "unknown_transaction"
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "payment.unmatched")).one()
    assert event.detail["utr"] == "412345678901"


def test_other_currency_is_refused_and_recorded(client, session, bill, tr):
    response = post(client, notice(tr, currency="USD"))
    assert response.status_code == 422
    assert response.json["error"]["field"] == "currency"
    assert payments(session) == 0
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "payment.rejected")).one()


def test_failed_payment_is_recorded_and_leaves_the_bill_open(client, session, bill, tr):
    response = post(client, notice(tr, status="FAILURE"))
    assert response.status_code == 200
    session.expire_all()
    assert session.get(Bill, bill.id).status == "open"
    assert session.exec(select(LinkEvent).where(LinkEvent.kind == "payment_failed")).one()


def test_over_payment_is_kept_and_reported(client, session, bill, tr):
    response = post(client, notice(tr, amount=130000))
    assert response.status_code == 200
    assert response.json["overpaid"] == 5450
    assert response.json["bill_status"] == "paid"
    assert payments(session) == 1


def test_partial_payment_leaves_the_remainder(client, session, bill, tr):
    response = post(client, notice(tr, amount=24550))
    assert response.json["bill_status"] == "partially_paid"
    assert response.json["amount_due"] == 100000


def test_same_utr_for_a_different_amount_is_a_conflict(client, session, bill, tr):
    post(client, notice(tr))
    response = post(client, notice(tr, amount=100))
    assert response.status_code == 409
    assert payments(session) == 1


def test_payment_landing_while_a_reminder_is_queued_withdraws_the_reminder(client, session, bill, tr):
    [reminder] = queue_messages(session, bill, 1, key=f"bill:{bill.id}:step", template_key="reminder_due_today")

    post(client, notice(tr))

    session.expire_all()
    assert session.get(OutboundMessage, reminder.id).status == "cancelled"
    receipt = session.exec(select(OutboundMessage).where(OutboundMessage.template_key == "receipt")).one()
    assert (receipt.status, receipt.fallback_channels) == ("queued", ["sms", "email"])
