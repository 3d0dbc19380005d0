"""Messages whose outcome is unknown after a crash: asked for at Twilio, and each other channel's written choice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from channels.base import OUTCOME_UNKNOWN, InDoubt
from channels.claims import claim_due
from channels.console import ConsoleChannel
from channels.leases import LeaseKeeper
from channels.registry import providers
from channels.worker import OutboxWorker
from models import Customer, OutboundMessage
from models.db import utcnow
from tests.builders import make_bill
from tests.channels.helpers import messages, queue_text, run_worker


@pytest.fixture
def bill(session, api):
    bill = make_bill(
        session,
        api.biller,
        customer={"reference": "CA-9", "name": "Asha Verma", "email": "asha@example.com", "language": "en"},
    )
    customer = session.get(Customer, bill.customer_id)
    customer.telegram_chat_id = 555001
    session.commit()
    return bill


def crash_mid_send(session, message_id: int) -> None:
    """What a worker that died holding a message leaves behind: `sending`, no provider id, lease expired."""
    session.expire_all()
    row = session.get(OutboundMessage, message_id)
    row.status, row.provider_message_id, row.sent_at = "sending", None, None
    row.lease_expires_at = utcnow() - timedelta(seconds=1)
    session.commit()


def test_a_message_twilio_already_has_is_not_sent_again(app, session, bill, twilio):
    message = queue_text(session, bill, "sms", "+919810000001", "Your bill is due", "k1")
    run_worker(app)
    [first] = messages(session)
    crash_mid_send(session, message.id)  # Twilio took it, but the worker died before writing that down

    run_worker(app)

    assert len(twilio.messages) == 1
    [row] = messages(session)
    assert (row.status, row.provider_message_id, row.error_code) == ("sent", first.provider_message_id, None)
    assert twilio.violations == []


def test_a_message_twilio_never_got_is_sent_after_the_crash(app, session, bill, twilio):
    message = queue_text(session, bill, "sms", "+919810000001", "Your bill is due", "k1")
    crash_mid_send(session, message.id)  # the worker died before reaching Twilio

    run_worker(app)

    assert [sent["Body"] for sent in twilio.messages] == ["Your bill is due"]
    [row] = messages(session)
    assert (row.status, row.provider_message_id) == ("sent", twilio.messages[0]["Sid"])
    assert twilio.violations == []


def test_the_claim_marks_a_taken_over_message_as_outcome_unknown(app, session, bill):
    message = queue_text(session, bill, "sms", "+919810000001", "Your bill is due", "k1")
    crash_mid_send(session, message.id)

    assert claim_due(session=session, limit=10, now=utcnow(), lease=timedelta(seconds=30)) == [message.id]
    session.expire_all()
    assert session.get(OutboundMessage, message.id).error_code == OUTCOME_UNKNOWN


def test_telegram_is_at_least_once_a_message_in_doubt_goes_again(app, session, bill, telegram):
    message = queue_text(session, bill, "telegram", "555001", "Your bill is due", "k1")
    run_worker(app)
    crash_mid_send(session, message.id)

    run_worker(app)

    assert providers()["telegram"].in_doubt == InDoubt.AT_LEAST_ONCE
    assert [call["text"] for call in telegram.sent()] == ["Your bill is due"] * 2
    assert [row.status for row in messages(session)] == ["sent"]


def test_email_is_at_least_once_a_message_in_doubt_goes_again(app, session, bill, smtp):
    message = queue_text(session, bill, "email", "asha@example.com", "Your bill is due", "k1")
    run_worker(app)
    crash_mid_send(session, message.id)

    run_worker(app)

    assert providers()["email"].in_doubt == InDoubt.AT_LEAST_ONCE
    assert len(smtp.messages) == 2
    assert [row.status for row in messages(session)] == ["sent"]


def test_the_console_is_at_most_once_a_message_in_doubt_is_not_sent_again(app, session, bill):
    with app.app_context():
        providers()["sms"] = ConsoleChannel("sms")
    message = queue_text(session, bill, "sms", "+919810000001", "Your bill is due", "k1")
    session.get(OutboundMessage, message.id).fallback_channels = ["email"]
    session.commit()
    crash_mid_send(session, message.id)

    run_worker(app)

    [row] = messages(session)  # failed, and no fallback either: the customer may already have it
    assert (row.status, row.error_code) == ("failed", OUTCOME_UNKNOWN)


def test_the_lease_keeper_keeps_a_slow_send_from_being_taken_over(app, session, bill):
    message = queue_text(session, bill, "sms", "+919810000001", "Your bill is due", "k1")
    start = utcnow()
    lease = timedelta(seconds=3)
    assert claim_due(session=session, limit=10, now=start, lease=lease) == [message.id]
    keeper = LeaseKeeper(app, lease=lease, clock=lambda: start + timedelta(seconds=10))
    keeper.hold([message.id], claimed_at=start)

    assert keeper.renew() == 1  # the send is still in progress ten seconds later

    assert claim_due(session=session, limit=10, now=start + timedelta(seconds=12), lease=lease) == []
    keeper.let_go(message.id)
    assert keeper.renew() == 0
    assert session.exec(select(OutboundMessage.status)).all() == ["sending"]


def test_taking_over_a_dead_workers_message_does_not_use_up_an_attempt(app, session, bill):
    message = queue_text(session, bill, "sms", "+919810000001", "Your bill is due", "k1")
    claim_due(session=session, limit=10, now=utcnow(), lease=timedelta(seconds=30))
    crash_mid_send(session, message.id)

    claim_due(session=session, limit=10, now=utcnow(), lease=timedelta(seconds=30))

    session.expire_all()
    assert session.get(OutboundMessage, message.id).attempts == 1


def test_a_message_in_doubt_after_a_long_backoff_is_still_found_at_twilio(app, session, bill, twilio):
    message = queue_text(session, bill, "sms", "+919810000001", "Your bill is due", "k1")
    run_worker(app)
    later = utcnow() + timedelta(minutes=9)  # a retry after a backoff longer than any clock-skew margin
    session.expire_all()
    row = session.get(OutboundMessage, message.id)
    row.status, row.error_code, row.provider_message_id, row.next_attempt_at = "queued", OUTCOME_UNKNOWN, None, later
    session.commit()

    OutboxWorker(app, clock=lambda: later + timedelta(minutes=1), sleep=lambda seconds: None).run(once=True)

    assert len(twilio.messages) == 1
    [row] = messages(session)
    assert (row.status, row.provider_message_id) == ("sent", twilio.messages[0]["Sid"])
