"""A STOP gets exactly one confirmation, and it reaches Twilio, although the customer has just opted out."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from channels.outbox import enqueue
from models.vocab import Channel
from tests.bot.conftest import AUTH_TOKEN, post_twilio, twilio_params
from tests.builders import make_bill
from tests.channels.helpers import run_worker
from tests.fakes.twilio_server import FakeTwilio

PHONE = "+919810000007"


@pytest.fixture
def twilio():
    fake = FakeTwilio(account_sid="AC" + "1" * 32, auth_token=AUTH_TOKEN).start()
    yield fake
    fake.stop()


@pytest.fixture
def app_overrides(app_overrides, twilio):
    return {**app_overrides, "twilio_api_base_url": twilio.url}


@pytest.fixture(autouse=True)
def wednesday(time_machine):
    time_machine.move_to(datetime(2026, 11, 25, 5, 30, tzinfo=UTC))


@pytest.fixture
def bill(session, api):
    customer = {"reference": "CA-7", "name": "Asha", "phone": PHONE, "language": "hi"}
    return make_bill(session, api.biller, reference="EL-7", amount=50000, due_date="2026-12-10", customer=customer)


def write(client, sender: str, text: str) -> None:
    assert post_twilio(client, twilio_params(sender, text)).status_code == 200


@pytest.mark.parametrize("text", ["STOP", "मैसेज मत भेजो", "mat bhejo", "Please stop", "আর পাঠাবেন না"])
def test_whatsapp_stop_confirmation_reaches_twilio_and_nothing_else_follows(app, client, session, bill, twilio, text):
    write(client, f"whatsapp:{PHONE}", text)
    enqueue(
        session=session,
        biller_id=bill.biller_id,
        customer_id=bill.customer_id,
        bill_id=bill.id,
        channel=Channel.WHATSAPP,
        recipient=PHONE,
        idempotency_key="after-stop",
        body="A message queued after the STOP",
    )
    session.commit()
    run_worker(app)
    assert [(sent["To"], sent["Body"]) for sent in twilio.messages] == [
        (f"whatsapp:{PHONE}", "अब आपको यहाँ संदेश नहीं मिलेंगे। फिर से पाने के लिए START भेजें।")
    ]


def test_sms_stop_keyword_is_left_to_twilios_own_reply(app, client, session, bill, twilio):
    write(client, PHONE, "STOP")
    run_worker(app)
    assert twilio.messages == []


def test_sms_stop_in_free_text_is_confirmed_once_by_us(app, client, session, bill, twilio):
    write(client, PHONE, "please stop sending me these messages")  # not a carrier keyword: Twilio stays silent
    run_worker(app)
    [sent] = twilio.messages
    assert sent["To"] == PHONE and "START" in sent["Body"]
