"""POST /webhooks/twilio/status: signed by Twilio, applied in order of progress, never backwards."""

from __future__ import annotations

import pytest
from sqlmodel import select
from twilio.request_validator import RequestValidator

from models import CustomerChannel
from tests.builders import make_bill
from tests.channels.helpers import messages, queue_reminder, queue_text, run_worker
from tests.conftest import PUBLIC_BASE_URL

URL = f"{PUBLIC_BASE_URL}/webhooks/twilio/status"


def callback(client, twilio, params: dict, *, token=None, url=URL):
    signature = RequestValidator(token or twilio.auth_token).compute_signature(url, params)
    return client.post("/webhooks/twilio/status", data=params, headers={"X-Twilio-Signature": signature})


@pytest.fixture
def sent(app, session, api, twilio):
    bill = make_bill(session, api.biller)
    queue_text(session, bill, "sms", "+919810000001", "Hi", "k1")
    run_worker(app)
    return messages(session)[0]


def status(session, message) -> str:
    session.expire_all()
    return session.get(type(message), message.id).status


def test_delivered_then_read(client, session, twilio, sent):
    assert (
        callback(client, twilio, {"MessageSid": sent.provider_message_id, "MessageStatus": "delivered"}).status_code
        == 204
    )
    assert status(session, sent) == "delivered"
    callback(client, twilio, {"MessageSid": sent.provider_message_id, "MessageStatus": "read"})
    assert status(session, sent) == "read"


def test_late_callbacks_never_move_a_status_backwards(client, session, twilio, sent):
    callback(client, twilio, {"MessageSid": sent.provider_message_id, "MessageStatus": "delivered"})
    for late in ("sent", "queued", "undelivered"):
        callback(client, twilio, {"MessageSid": sent.provider_message_id, "MessageStatus": late})
    assert status(session, sent) == "delivered"


def test_extra_parameters_twilio_adds_are_accepted(client, session, twilio, sent):
    params = {
        "MessageSid": sent.provider_message_id,
        "MessageStatus": "delivered",
        "SmsSid": "x",
        "ApiVersion": "2010-04-01",
        "RawDlrDoneDate": "2611271000",
        "ChannelPrefix": "sms",
    }
    assert callback(client, twilio, params).status_code == 204


@pytest.mark.parametrize(
    ("token", "url"),
    [("wrong-token", URL), (None, "http://internal:8000/webhooks/twilio/status")],
    ids=["forged", "signed-for-the-internal-url"],
)
def test_unsigned_or_forged_callbacks_are_403(client, session, twilio, sent, token, url):
    response = callback(
        client, twilio, {"MessageSid": sent.provider_message_id, "MessageStatus": "failed"}, token=token, url=url
    )
    assert response.status_code == 403
    assert status(session, sent) == "sent"


def test_missing_signature_is_403(client, sent):
    response = client.post(
        "/webhooks/twilio/status", data={"MessageSid": sent.provider_message_id, "MessageStatus": "failed"}
    )
    assert response.status_code == 403


def test_undelivered_with_21610_opts_out_and_falls_back(app, client, session, api, twilio, smtp):
    bill = make_bill(session, api.biller)
    queue_reminder(session, bill, channels=[("sms", "+919810000001"), ("email", "asha@example.com")])
    run_worker(app)
    sms = messages(session)[0]
    callback(
        client, twilio, {"MessageSid": sms.provider_message_id, "MessageStatus": "undelivered", "ErrorCode": "21610"}
    )
    run_worker(app)
    assert [(m.channel, m.status) for m in messages(session)] == [("sms", "undelivered"), ("email", "sent")]
    assert session.exec(select(CustomerChannel).where(CustomerChannel.channel == "sms")).one().opted_out_at
