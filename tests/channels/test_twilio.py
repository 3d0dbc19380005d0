"""SMS and WhatsApp through the real twilio SDK against a Twilio API fake that checks Twilio's OpenAPI spec."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from sqlmodel import select

from billing.customers import record_inbound
from models import Customer, CustomerChannel
from models.db import utcnow
from tests.builders import make_bill, make_whatsapp_template
from tests.channels.helpers import messages, queue_reminder, queue_text, run_worker

CONTENT_SID = "HX" + "a" * 32


@pytest.fixture
def bill(session, api):
    return make_bill(
        session,
        api.biller,
        reference="ELEC-42",
        amount=124550,
        customer={
            "reference": "CA-42",
            "name": "Asha Verma",
            "phone": "+919810000001",
            "email": "asha@example.com",
            "language": "en",
        },
    )


def open_whatsapp_window(session, bill):
    record_inbound(session=session, customer_id=bill.customer_id, channel="whatsapp", at=utcnow())
    session.commit()


def test_sms_goes_out_through_the_sdk_as_twilio_expects(app, session, bill, twilio):
    queue_text(session, bill, "sms", "+919810000001", "Your bill is due", "k1")
    run_worker(app)

    assert twilio.violations == []
    [sent] = twilio.messages
    assert (sent["To"], sent["From"], sent["Body"]) == ("+919810000001", "+14155550100", "Your bill is due")
    [row] = messages(session)
    assert sent["StatusCallback"] == f"https://pay.example.test/webhooks/twilio/status?m={row.id}"
    assert (row.status, row.provider_message_id, row.segments) == ("sent", sent["Sid"], 1)


def test_messaging_service_is_used_instead_of_a_from_number(app, session, bill, twilio):
    app.extensions["settings"] = app.extensions["settings"].model_copy(
        update={"twilio_messaging_service_sid": "MG" + "1" * 32}
    )
    app.extensions.pop("channel_providers", None)
    queue_text(session, bill, "sms", "+919810000001", "Hi", "k1")
    run_worker(app)
    assert twilio.violations == []
    assert twilio.messages[0]["MessagingServiceSid"] == "MG" + "1" * 32
    assert "From" not in twilio.messages[0]


def test_whatsapp_inside_the_window_is_free_form(app, session, bill, twilio):
    open_whatsapp_window(session, bill)
    queue_reminder(session, bill)
    run_worker(app)

    assert twilio.violations == []
    [sent] = twilio.messages
    assert (sent["To"], sent["From"]) == ("whatsapp:+919810000001", "whatsapp:+14155550111")
    assert "₹1,245.50" in sent["Body"] and "ContentSid" not in sent


def test_whatsapp_outside_the_window_sends_the_approved_template(app, session, bill, twilio, api):
    make_whatsapp_template(
        session, api.biller, body="Bill {bill_number} of {amount} is due. {link}", content_sid=CONTENT_SID
    )
    queue_reminder(session, bill)
    run_worker(app)

    assert twilio.violations == []
    [sent] = twilio.messages
    assert sent["ContentSid"] == CONTENT_SID and "Body" not in sent
    variables = json.loads(sent["ContentVariables"])
    assert (variables["1"], variables["3"], variables["4"]) == ("Asha Verma", "ELEC-42", "₹1,245.50")


def test_whatsapp_window_closes_after_24_hours(app, session, bill, twilio):
    record_inbound(
        session=session, customer_id=bill.customer_id, channel="whatsapp", at=utcnow() - timedelta(hours=24, minutes=1)
    )
    session.commit()
    queue_reminder(session, bill)
    run_worker(app)
    assert [m.channel for m in messages(session)] == ["whatsapp", "sms"]
    assert [m["To"] for m in twilio.messages] == ["+919810000001"]


def test_whatsapp_63016_resends_as_the_template(app, session, bill, twilio, api):
    open_whatsapp_window(session, bill)
    make_whatsapp_template(session, api.biller, body="Due: {amount} {link}", content_sid=CONTENT_SID)
    twilio.fail_next(400, 63016)
    queue_reminder(session, bill)
    run_worker(app)

    [sent] = twilio.messages
    assert sent["ContentSid"] == CONTENT_SID
    assert [(m.channel, m.status) for m in messages(session)] == [("whatsapp", "sent")]


def test_whatsapp_63016_falls_back_to_sms_when_the_biller_says_so(app, session, bill, twilio, api):
    api.biller.whatsapp_outside_window = "sms"
    session.add(api.biller)
    open_whatsapp_window(session, bill)
    twilio.fail_next(400, 63016)
    queue_reminder(session, bill)
    run_worker(app)
    rows = messages(session)
    assert [(m.channel, m.status, m.error_code) for m in rows] == [
        ("whatsapp", "failed", "63016"),
        ("sms", "sent", None),
    ]


def test_21610_opts_the_customer_out_of_sms_and_email_takes_over(app, session, bill, twilio, smtp):
    twilio.fail_for("+919810000001", 400, 21610)
    queue_reminder(session, bill, channels=[("sms", "+919810000001"), ("email", "asha@example.com")])
    run_worker(app)

    rows = messages(session)
    assert [(m.channel, m.status, m.error_code) for m in rows] == [("sms", "failed", "21610"), ("email", "sent", None)]
    state = session.exec(select(CustomerChannel).where(CustomerChannel.channel == "sms")).one()
    assert state.opted_out_at is not None
    assert len(smtp.messages) == 1


def test_21211_marks_the_number_invalid(app, session, bill, twilio):
    twilio.fail_for("+919810000001", 400, 21211)
    queue_reminder(session, bill, channels=[("sms", "+919810000001")])
    run_worker(app)
    session.expire_all()
    assert session.get(Customer, bill.customer_id).phone_invalid_at is not None
    assert messages(session)[0].error_code == "21211"


def test_429_is_retried_after_the_time_twilio_asks(app, session, bill, twilio):
    twilio.fail_next(429, 20429, retry_after=120)
    queue_text(session, bill, "sms", "+919810000001", "Hi", "k1")
    before = utcnow()
    run_worker(app)
    [row] = messages(session)
    assert (row.status, row.attempts, row.error_code) == ("queued", 1, "20429")
    assert timedelta(seconds=115) < row.next_attempt_at - before < timedelta(seconds=130)


def test_5xx_backs_off_then_succeeds(app, session, bill, twilio):
    twilio.fail_next(500, 20500)
    message = queue_text(session, bill, "sms", "+919810000001", "Hi", "k1")
    run_worker(app)
    [row] = messages(session)
    assert row.status == "queued" and row.next_attempt_at > utcnow()
    row.next_attempt_at = utcnow()
    session.commit()
    run_worker(app)
    session.expire_all()
    assert session.get(type(message), message.id).status == "sent"
    assert len(twilio.messages) == 1


def test_transient_failures_stop_at_the_attempt_limit(app, session, bill, twilio):
    limit = app.extensions["settings"].outbox_max_attempts
    twilio.fail_next(503, 20503, times=limit)
    queue_text(session, bill, "sms", "+919810000001", "Hi", "k1")
    for _ in range(limit):
        for row in messages(session):
            row.next_attempt_at = utcnow()
        session.commit()
        run_worker(app)
    [row] = messages(session)
    assert (row.status, row.attempts, row.error_code) == ("failed", limit, "20503")


def test_a_twilio_answer_that_never_came_is_looked_for_before_sending_again(app, session, bill, twilio):
    twilio.delay = 1.5  # over the 1 s provider timeout the test app uses
    queue_text(session, bill, "sms", "+919810000001", "Hi", "k1")
    run_worker(app)
    [row] = messages(session)
    assert (row.status, row.error_code) == ("queued", "outcome_unknown")  # transient, and maybe delivered

    deadline = time.monotonic() + 10
    while not twilio.messages and time.monotonic() < deadline:  # Twilio took it after all
        time.sleep(0.05)
    twilio.delay = 0.0
    row.next_attempt_at = utcnow()
    session.commit()
    run_worker(app)

    [row] = messages(session)
    assert len(twilio.messages) == 1
    assert (row.status, row.provider_message_id) == ("sent", twilio.messages[0]["Sid"])


def test_hindi_sms_counts_ucs2_segments_and_refuses_overlong_text(app, session, bill, twilio, smtp):
    hindi = "आपका बिल देय है। " * 20
    queue_text(session, bill, "sms", "+919810000001", hindi, "long")
    run_worker(app)
    [row] = messages(session)
    assert (row.status, row.error_code) == ("failed", "sms_too_long")
    assert row.segments > app.extensions["settings"].sms_max_segments
    assert twilio.messages == []
