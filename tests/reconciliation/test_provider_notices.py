"""POST /webhooks/payments/<provider>/<biller_id>: Razorpay and Cashfree notices signed exactly as their docs say."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest
from sqlmodel import func, select

from models import Bill, Payment, PaymentProviderAccount
from reconciliation.providers import set_provider_secret
from tests.reconciliation.conftest import choose_app

RAZORPAY_SECRET = "rzp-webhook-secret-asansol"
CASHFREE_SECRET = "cf-client-secret-asansol-0123"


@pytest.fixture
def secrets(session, api):
    for provider, secret in (("razorpay", RAZORPAY_SECRET), ("cashfree", CASHFREE_SECRET)):
        set_provider_secret(session=session, biller_id=api.biller.id, provider=provider, secret=secret)
    session.commit()


def razorpay_captured(tr: str, *, amount: int = 124550, rrn: str = "432100000021", event="payment.captured") -> bytes:
    """Razorpay's payment.captured event for a UPI payment (docs: webhooks/payments, sample payload)."""
    body = {
        "entity": "event",
        "account_id": "acc_BFQ7uQEaa7j2z7",
        "event": event,
        "contains": ["payment"],
        "payload": {
            "payment": {
                "entity": {
                    "id": "pay_DESlfW9H8K9uqM",
                    "entity": "payment",
                    "amount": amount,
                    "currency": "INR",
                    "status": "captured",
                    "order_id": "order_DESlLckIVRkHWj",
                    "method": "upi",
                    "captured": True,
                    "description": "Electricity bill",
                    "vpa": "asha.verma@okhdfcbank",
                    "email": "asha@example.com",
                    "contact": "+919810000001",
                    "notes": {"tr": tr},
                    "acquirer_data": {"rrn": rrn, "upi_transaction_id": "AXI4a3428ee8b3b4bdf9e2a56b5d1c7e4"},
                    "created_at": 1764048600,
                }
            }
        },
        "created_at": 1764048605,
    }
    return json.dumps(body, separators=(",", ":")).encode()


def razorpay_link_paid(tr: str) -> bytes:
    """Razorpay's payment_link.paid event: the link's reference_id is our `tr`."""
    body = {
        "entity": "event",
        "event": "payment_link.paid",
        "contains": ["payment_link", "order", "payment"],
        "payload": {
            "payment_link": {"entity": {"id": "plink_Ev0ezkKbs7YGSa", "reference_id": tr, "amount_paid": 124550}},
            "order": {"entity": {"id": "order_Ev0f0hjMUXBdQH", "receipt": tr, "amount_paid": 124550}},
            "payment": {
                "entity": {
                    "id": "pay_Ev0fGzGHoDHfSv",
                    "amount": 124550,
                    "currency": "INR",
                    "status": "captured",
                    "method": "upi",
                    "notes": [],
                    "acquirer_data": {"rrn": "432100000022"},
                }
            },
        },
    }
    return json.dumps(body).encode()


def cashfree_success(tr: str, *, amount: str = "1245.50", bank_reference: str = "432100000031") -> bytes:
    """Cashfree's PAYMENT_SUCCESS_WEBHOOK (version 2025-01-01), amounts in rupees with their decimals as sent."""
    template = (
        '{"data":{"order":{"order_id":"TR","order_amount":AMOUNT,"order_currency":"INR","order_tags":null},'
        '"payment":{"cf_payment_id":"5114910123456","payment_status":"SUCCESS","payment_amount":AMOUNT,'
        '"payment_currency":"INR","payment_message":"00::Transaction success",'
        '"payment_time":"2026-11-25T11:01:00+05:30","bank_reference":"BANKREF","auth_id":null,'
        '"payment_method":{"upi":{"channel":"collect","upi_id":"asha@ybl"}},'
        '"payment_group":"upi"},"customer_details":{"customer_name":null,"customer_id":"C-ASHA",'
        '"customer_email":"asha@example.com","customer_phone":"9810000001"}},'
        '"event_time":"2026-11-25T11:01:05+05:30","type":"PAYMENT_SUCCESS_WEBHOOK"}'
    )
    return template.replace("TR", tr).replace("AMOUNT", amount).replace("BANKREF", bank_reference).encode()


def post_razorpay(client, biller_id: int, raw: bytes, *, secret: str = RAZORPAY_SECRET, signature: str | None = None):
    """Signed as Razorpay documents: X-Razorpay-Signature = hex HMAC-SHA256(webhook secret, raw body)."""
    signature = signature or hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    headers = {"X-Razorpay-Signature": signature, "X-Razorpay-Event-Id": "Ev0fGzGHoDHfSv"}
    return client.post(
        f"/webhooks/payments/razorpay/{biller_id}", data=raw, content_type="application/json", headers=headers
    )


def post_cashfree(
    client, biller_id: int, raw: bytes, *, secret: str = CASHFREE_SECRET, timestamp: str = "1764048665000"
):
    """Signed as Cashfree documents: x-webhook-signature = base64 HMAC-SHA256(secret, timestamp + raw body)."""
    signature = base64.b64encode(hmac.new(secret.encode(), timestamp.encode() + raw, hashlib.sha256).digest()).decode()
    headers = {"x-webhook-signature": signature, "x-webhook-timestamp": timestamp, "x-webhook-version": "2025-01-01"}
    return client.post(
        f"/webhooks/payments/cashfree/{biller_id}", data=raw, content_type="application/json", headers=headers
    )


def payments(session) -> list[Payment]:
    session.expire_all()
    return session.exec(select(Payment)).all()


def test_a_razorpay_payment_captured_pays_the_bill_its_tr_names_and_a_replay_changes_nothing(
    client, session, api, bills, secrets
):
    tr = choose_app(client, session, bills["asha"])

    first = post_razorpay(client, api.biller.id, razorpay_captured(tr))
    replay = post_razorpay(client, api.biller.id, razorpay_captured(tr))

    assert first.status_code == 200 and first.json["status"] == "recorded", first.json
    assert (replay.status_code, replay.json["status"]) == (200, "duplicate")
    [payment] = payments(session)
    assert (payment.bill_id, payment.reference, payment.amount_paise, payment.source) == (
        bills["asha"].id,
        "432100000021",
        124550,
        "razorpay",
    )
    assert session.get(Bill, bills["asha"].id).status == "paid"


def test_a_razorpay_payment_link_paid_is_matched_by_its_reference_id(client, session, api, bills, secrets):
    tr = choose_app(client, session, bills["asha"])

    response = post_razorpay(client, api.biller.id, razorpay_link_paid(tr))

    assert response.json["status"] == "recorded" and response.json["bill_id"] == bills["asha"].id
    assert [p.reference for p in payments(session)] == ["432100000022"]


def test_a_cashfree_payment_success_pays_the_bill_in_rupees_with_paise(client, session, api, bills, secrets):
    tr = choose_app(client, session, bills["ravi"])

    response = post_cashfree(client, api.biller.id, cashfree_success(tr, amount="200.00"))
    replay = post_cashfree(client, api.biller.id, cashfree_success(tr, amount="200.00"), timestamp="1764048725000")

    assert response.status_code == 200 and response.json["status"] == "recorded", response.json
    assert replay.json["status"] == "duplicate"
    [payment] = payments(session)
    assert (payment.bill_id, payment.amount_paise, payment.reference) == (bills["ravi"].id, 20000, "432100000031")
    assert session.get(Bill, bills["ravi"].id).status == "partially_paid"


@pytest.mark.parametrize("provider", ["razorpay", "cashfree"])
def test_a_tampered_notice_is_refused_and_records_nothing(client, session, api, bills, secrets, provider):
    tr = choose_app(client, session, bills["asha"])
    if provider == "razorpay":
        signed = hmac.new(RAZORPAY_SECRET.encode(), razorpay_captured(tr), hashlib.sha256).hexdigest()
        response = post_razorpay(client, api.biller.id, razorpay_captured(tr, amount=999999999), signature=signed)
    else:
        response = post_cashfree(client, api.biller.id, cashfree_success(tr), secret="someone-elses-secret")

    assert response.status_code == 401
    assert response.json["error"]["code"] == "invalid_signature"
    assert payments(session) == []


def test_a_notice_signed_with_another_billers_secret_is_refused(client, session, api, other_api, bills, secrets):
    set_provider_secret(session=session, biller_id=other_api.biller.id, provider="razorpay", secret="bhopal-rzp-secret")
    session.commit()
    tr = choose_app(client, session, bills["asha"])

    wrong_biller = post_razorpay(client, api.biller.id, razorpay_captured(tr), secret="bhopal-rzp-secret")
    other_path = post_razorpay(client, other_api.biller.id, razorpay_captured(tr), secret="bhopal-rzp-secret")

    assert wrong_biller.status_code == 401
    assert other_path.status_code == 200 and other_path.json == {"status": "unmatched"}  # A's tr is not B's bill
    assert payments(session) == []


def test_unknown_events_are_acknowledged_and_ignored(client, session, api, bills, secrets):
    tr = choose_app(client, session, bills["asha"])
    refund = json.dumps({"event": "refund.processed", "payload": {"refund": {"entity": {"id": "rfnd_1"}}}}).encode()
    dropped = json.dumps({"type": "PAYMENT_USER_DROPPED_WEBHOOK", "data": {"order": {"order_id": tr}}}).encode()

    assert post_razorpay(client, api.biller.id, refund).json == {"status": "ignored"}
    assert post_razorpay(client, api.biller.id, razorpay_captured(tr, event="payment.authorized")).json == {
        "status": "ignored"
    }
    assert post_cashfree(client, api.biller.id, dropped).json == {"status": "ignored"}
    assert payments(session) == []


def test_a_biller_without_a_provider_secret_refuses_its_notices(client, session, api, bills):
    tr = choose_app(client, session, bills["asha"])

    response = post_razorpay(client, api.biller.id, razorpay_captured(tr))

    assert response.status_code == 401 and payments(session) == []


def test_an_unknown_provider_is_not_found(client, api, secrets):
    assert client.post(f"/webhooks/payments/paypal/{api.biller.id}", data=b"{}").status_code == 404


def test_an_unknown_biller_is_answered_as_one_without_a_secret_so_ids_stay_unknown(client, api, other_api, secrets):
    """other_api's biller exists but has no Razorpay secret; 999999 does not exist: the two answers are the same."""
    unknown = client.post("/webhooks/payments/razorpay/999999", data=b"{}")
    secretless = client.post(f"/webhooks/payments/razorpay/{other_api.biller.id}", data=b"{}")
    assert unknown.status_code == secretless.status_code == 401
    assert unknown.json == secretless.json


def test_a_signed_but_malformed_notice_is_refused_naming_the_field(client, session, api, bills, secrets):
    tr = choose_app(client, session, bills["asha"])

    not_json = post_razorpay(client, api.biller.id, b"{not json")
    no_amount = post_cashfree(client, api.biller.id, cashfree_success(tr, amount='"lots"'))

    assert (not_json.status_code, not_json.json["error"]["field"]) == (422, "body")
    assert (no_amount.status_code, no_amount.json["error"]["field"]) == (422, "amount")


def test_provider_secrets_are_stored_encrypted(session, api, secrets):
    from sqlalchemy import text

    stored = session.execute(text("SELECT webhook_secret FROM payment_provider_accounts")).scalars().all()
    assert len(stored) == 2 and not any(RAZORPAY_SECRET in value or CASHFREE_SECRET in value for value in stored)
    assert session.exec(select(func.count()).select_from(PaymentProviderAccount)).one() == 2


def test_the_secrets_command_stores_a_provider_secret_that_then_verifies_its_notices(app, client, session, api, bills):
    runner = app.test_cli_runner()
    args = ["secrets", "payment-provider", "--biller", str(api.biller.id), "--provider", "razorpay"]

    stored = runner.invoke(args=[*args, "--secret", RAZORPAY_SECRET])
    too_short = runner.invoke(args=[*args, "--secret", "short"])
    rotated = runner.invoke(args=["secrets", "rotate"])

    assert stored.exit_code == 0 and f"/webhooks/payments/razorpay/{api.biller.id}" in stored.output
    assert too_short.exit_code != 0 and "--secret" in too_short.output
    assert rotated.exit_code == 0
    tr = choose_app(client, session, bills["asha"])
    assert post_razorpay(client, api.biller.id, razorpay_captured(tr)).json["status"] == "recorded"
