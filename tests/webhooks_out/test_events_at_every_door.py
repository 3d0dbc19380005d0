"""Each outbound event, one test each, caused through a door a person or a provider really uses (a signed payment
webhook, a Razorpay notice, the console, the bot over Twilio, the unsubscribe page, the worker against Twilio,
the scheduler's pass), and heard by a local receiver that checks the signature.

The events are emitted in the domain function where the thing happens (billing.payments, billing.bills,
billing.customers, billing.complaints, channels.failures), so every door that reaches it emits it.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlmodel import select

from billing.signatures import sign, verify
from channels.unsubscribe import unsubscribe_url
from models import PaymentLink
from models.db import utcnow
from models.vocab import Role
from reconciliation.providers import set_provider_secret
from scheduler import jobs as scheduler_jobs
from tests.bot.conftest import AUTH_TOKEN, post_twilio, twilio_params
from tests.builders import make_bill
from tests.channels.helpers import queue_reminder, run_worker
from tests.fakes.twilio_server import FakeTwilio
from tests.reconciliation.conftest import choose_app
from tests.reconciliation.test_provider_notices import razorpay_captured
from tests.web.test_console import PASSWORD, csrf, login
from tests.webhooks.test_payment_webhook import SECRET as PAYMENT_WEBHOOK_SECRET
from tests.webhooks_out.conftest import register
from webhooks_out.dispatch import DeliveryDispatcher

PHONE = "+919810000007"
AMOUNT = 124550


@pytest.fixture
def twilio():
    fake = FakeTwilio(account_sid="AC" + "1" * 32, auth_token=AUTH_TOKEN).start()
    yield fake
    fake.stop()


@pytest.fixture
def app_overrides(receiver, twilio):
    return {
        "outbound_allowed_hosts": receiver.host,
        "twilio_account_sid": twilio.account_sid,
        "twilio_auth_token": twilio.auth_token,
        "twilio_sms_from": "+14155550100",
        "twilio_whatsapp_from": "+14155550111",
        "twilio_api_base_url": twilio.url,
    }


@pytest.fixture
def bill(session, api):
    customer = {"reference": "CA-DOOR", "name": "Asha", "phone": PHONE, "language": "en"}
    return make_bill(session, api.biller, reference="ELEC-DOOR", amount=AMOUNT, customer=customer)


def signed_payment_webhook(client, session, api, bill, twilio):
    tr = choose_app(client, session, bill)
    raw = (f'{{"tr": "{tr}", "amount": {AMOUNT}, "utr": "412345678901", "status": "SUCCESS", "app": "gpay"}}').encode()
    headers = {"X-Signature": sign(PAYMENT_WEBHOOK_SECRET, raw)}
    response = client.post("/webhooks/payments", data=raw, content_type="application/json", headers=headers)
    assert response.status_code == 200, response.json


def razorpay_notice(client, session, api, bill, twilio):
    set_provider_secret(session=session, biller_id=api.biller.id, provider="razorpay", secret="rzp-secret")
    session.commit()
    raw = razorpay_captured(choose_app(client, session, bill), amount=AMOUNT)
    signature = hmac.new(b"rzp-secret", raw, hashlib.sha256).hexdigest()
    response = client.post(
        f"/webhooks/payments/razorpay/{api.biller.id}",
        data=raw,
        content_type="application/json",
        headers={"X-Razorpay-Signature": signature},
    )
    assert response.status_code == 200, response.json


def api_part_payment(client, session, api, bill, twilio):
    response = client.post(
        f"/api/v1/bills/{bill.id}/payments", json={"amount": 40000, "reference": "UTR-PART"}, headers=api.headers
    )
    assert response.status_code == 201, response.json


def console_mark_paid(client, session, api, bill, twilio):
    from accounts.users import create_user

    create_user(session=session, email="desk@a.example", password=PASSWORD, role=Role.SUPPORT, biller_id=api.biller.id)
    session.commit()
    login(client, "desk@a.example")
    page = f"/console/customers/{bill.customer_id}"
    response = client.post(
        f"{page}/bills/{bill.id}/mark-paid", data={"csrf_token": csrf(client, page), "reference": "UTRCONSOLE1"}
    )
    assert response.status_code == 302


def api_cancel(client, session, api, bill, twilio):
    assert client.post(f"/api/v1/bills/{bill.id}/cancel", headers=api.headers).status_code == 200


def scheduler_expiry(client, session, api, bill, twilio):
    link = session.exec(select(PaymentLink).where(PaymentLink.bill_id == bill.id)).one()
    link.expires_at = utcnow() - timedelta(minutes=1)
    session.add(link)
    session.commit()
    scheduler_jobs.bind_app(client.application)
    scheduler_jobs.expire_bills()


def worker_refused_by_twilio(client, session, api, bill, twilio):
    twilio.fail_for(PHONE, 400, 21211)  # "invalid 'To' phone number": failed for good
    queue_reminder(session, bill, channels=[("sms", PHONE)])
    run_worker(client.application)


def bot_complaint(client, session, api, bill, twilio):
    response = post_twilio(client, twilio_params(f"whatsapp:{PHONE}", "I was charged twice"))
    assert response.status_code == 200


def bot_stop(client, session, api, bill, twilio):
    assert post_twilio(client, twilio_params(PHONE, "STOP")).status_code == 200


def unsubscribe_page(client, session, api, bill, twilio):
    with client.application.app_context():
        url = unsubscribe_url(customer_id=bill.customer_id, channel="email")
    assert client.post(urlsplit(url).path).status_code == 200


DOORS = [
    ("bill.paid", signed_payment_webhook),
    ("payment.received", razorpay_notice),
    ("payment.received", console_mark_paid),
    ("bill.partially_paid", api_part_payment),
    ("bill.cancelled", api_cancel),
    ("bill.expired", scheduler_expiry),
    ("message.failed", worker_refused_by_twilio),
    ("complaint.opened", bot_complaint),
    ("customer.opted_out", bot_stop),
    ("customer.opted_out", unsubscribe_page),
]


# What each event is about: the bill's reference, or the customer's.
SUBJECT = {
    "bill.paid": lambda data: data["bill"]["reference"],
    "bill.partially_paid": lambda data: data["bill"]["reference"],
    "bill.cancelled": lambda data: data["bill"]["reference"],
    "bill.expired": lambda data: data["bill"]["reference"],
    "payment.received": lambda data: data["bill"]["reference"],
    "message.failed": lambda data: data["message"]["customer_reference"],
    "complaint.opened": lambda data: data["complaint"]["customer_reference"],
    "customer.opted_out": lambda data: data["customer"]["reference"],
}


@pytest.mark.parametrize(("event", "door"), DOORS, ids=[f"{event}-{door.__name__}" for event, door in DOORS])
def test_the_event_reaches_the_billers_system_signed(app, client, session, api, bill, receiver, twilio, event, door):
    endpoint = register(client, api, f"{receiver.url}/hooks", [event])
    door(client, session, api, bill, twilio)
    DeliveryDispatcher(app).run(once=True)

    [request] = receiver.received
    verify(endpoint["secret"], request.headers["X-ClickPay-Signature"], request.raw)
    assert request.json["type"] == request.headers["X-ClickPay-Event"] == event
    assert SUBJECT[event](request.json["data"]) == ("ELEC-DOOR" if event.startswith(("bill", "payment")) else "CA-DOOR")
    assert PHONE not in request.raw.decode()  # the customer's reference, never their phone number
