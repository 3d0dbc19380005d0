"""A statement line matched to a bill is a payment like any other: the customer gets a receipt and the biller's
system hears `payment.received` — once, however often the statement is uploaded."""
# ruff: noqa: E501 - statement lines are data, one transaction a line, as wide as the banks write them

from __future__ import annotations

import pytest
from sqlmodel import func, select

from billing.signatures import verify
from channels.worker import OutboxWorker
from models import OutboundMessage, Payment
from reconciliation.providers import set_provider_secret
from tests.fakes.webhook_receiver import WebhookReceiver
from tests.reconciliation.conftest import choose_app, hdfc_statement, upload
from tests.webhooks_out.conftest import register
from webhooks_out.dispatch import DeliveryDispatcher


@pytest.fixture
def receiver():
    fake = WebhookReceiver().start()
    yield fake
    fake.stop()


@pytest.fixture
def app_overrides(receiver):
    return {"outbound_allowed_hosts": receiver.host}  # messages go to the console provider: recorded, not sent


def receipts(session, bill_id: int) -> list[OutboundMessage]:
    session.expire_all()
    query = select(OutboundMessage).where(OutboundMessage.template_key == "receipt", OutboundMessage.bill_id == bill_id)
    return list(session.exec(query).all())


def test_a_matched_line_sends_one_receipt_and_one_payment_event_however_often_it_is_uploaded(
    app, client, session, api, bills, receiver
):
    endpoint = register(client, api, f"{receiver.url}/hooks", ["payment.received"])
    asha = bills["asha"]
    tr = choose_app(client, session, asha)
    statement = hdfc_statement(
        ("25/11/26", f"UPI-ASHA VERMA-asha.verma@okhdfcbank-HDFC0001234-432100000001-{tr}", "0000432100000001", "", "1,245.50"),
    )  # fmt: skip

    first = upload(client, api, statement)
    OutboxWorker(app).run(once=True)
    DeliveryDispatcher(app).run(once=True)

    assert first.json["lines"][0]["status"] == "matched"
    sent = [message for message in receipts(session, asha.id) if message.status == "sent"]
    assert len(sent) == 1
    assert "432100000001" in sent[0].body and "₹1,245.50" in sent[0].body
    assert [request.json["type"] for request in receiver.received] == ["payment.received"]
    event = receiver.received[0]
    verify(endpoint["secret"], event.headers["X-ClickPay-Signature"], event.raw)
    assert event.json["data"]["payment"]["reference"] == "432100000001"
    assert event.json["data"]["bill"]["reference"] == asha.reference
    queued = len(receipts(session, asha.id))

    again = upload(client, api, statement)
    OutboxWorker(app).run(once=True)
    DeliveryDispatcher(app).run(once=True)

    assert again.json["lines"][0]["status"] == "duplicate"
    assert len(receipts(session, asha.id)) == queued  # no second receipt
    assert len(receiver.received) == 1  # no second event
    assert session.exec(select(func.count()).select_from(Payment)).one() == 1


def test_a_razorpay_notice_sends_the_receipt_once(app, client, session, api, bills):
    from tests.reconciliation.test_provider_notices import RAZORPAY_SECRET, post_razorpay, razorpay_captured

    set_provider_secret(session=session, biller_id=api.biller.id, provider="razorpay", secret=RAZORPAY_SECRET)
    session.commit()
    asha = bills["asha"]
    tr = choose_app(client, session, asha)

    assert post_razorpay(client, api.biller.id, razorpay_captured(tr)).json["status"] == "recorded"
    assert post_razorpay(client, api.biller.id, razorpay_captured(tr)).json["status"] == "duplicate"
    OutboxWorker(app).run(once=True)

    sent = [message for message in receipts(session, asha.id) if message.status == "sent"]
    assert len(sent) == 1
    assert "432100000021" in sent[0].body
