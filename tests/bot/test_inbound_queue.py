"""The webhooks store and acknowledge; the worker's inbound step answers, oldest first in each conversation,
once per provider message id however often the provider delivers it."""

from __future__ import annotations

import pytest
from sqlmodel import select

from channels.inbox import next_inbound
from models import ConversationMessage, InboundMessage, OutboundMessage
from models.inbound import InboundStatus
from tests.bot.conftest import answer_stored, post_telegram, post_twilio, telegram_update, twilio_params
from tests.builders import make_bill

PHONE = "+919810000001"
OTHER = "+919810000002"


@pytest.fixture
def bill(session, api):
    return make_bill(session, api.biller, customer={"reference": "CA-Q", "name": "Asha", "phone": PHONE})


def inbound_rows(session) -> list[InboundMessage]:
    session.expire_all()
    return list(session.exec(select(InboundMessage).order_by(InboundMessage.id)).all())


def test_the_webhook_stores_the_message_and_the_bot_answers_only_in_the_worker(client, session, bill):
    response = post_twilio(client, twilio_params(PHONE, "bill"), answer=False)

    assert response.status_code == 200 and response.mimetype == "text/xml"
    [stored] = inbound_rows(session)
    assert (stored.channel, stored.address, stored.text, stored.status) == ("sms", PHONE, "bill", "pending")
    assert session.exec(select(OutboundMessage)).all() == []
    assert answer_stored(client.application) == 1
    assert inbound_rows(session)[0].status == InboundStatus.ANSWERED
    [reply] = session.exec(select(OutboundMessage)).all()
    assert reply.recipient == PHONE and "/p/" in reply.body


def test_twilio_delivering_the_same_message_twice_is_stored_and_answered_once(client, session, bill):
    params = twilio_params(PHONE, "bill")
    assert post_twilio(client, params, answer=False).status_code == 200
    assert post_twilio(client, params, answer=False).status_code == 200  # Twilio's retry, same MessageSid

    assert len(inbound_rows(session)) == 1
    answer_stored(client.application)
    assert post_twilio(client, params).status_code == 200  # and once more after it was answered
    assert len(inbound_rows(session)) == 1
    assert len(session.exec(select(OutboundMessage)).all()) == 1


def test_a_retried_telegram_update_is_answered_once(client, session, bill):
    update = telegram_update(555001, text="menu")
    assert post_telegram(client, update).status_code == 200
    assert post_telegram(client, update).status_code == 200

    assert len(inbound_rows(session)) == 1
    assert len(session.exec(select(OutboundMessage).where(OutboundMessage.channel == "telegram")).all()) == 1


def test_each_conversation_is_answered_in_the_order_its_messages_arrived(client, session, bill):
    sent = [
        (PHONE, twilio_params(PHONE, "bill")),
        (OTHER, twilio_params(OTHER, "hello")),
        (PHONE, twilio_params(PHONE, "paid 412345678901")),
        (PHONE, twilio_params(PHONE, "menu")),
    ]
    for _, params in sent:
        assert post_twilio(client, params, answer=False).status_code == 200

    assert answer_stored(client.application) == 4
    session.expire_all()
    answered = session.exec(
        select(ConversationMessage.provider_message_id)
        .where(ConversationMessage.provider_message_id.is_not(None))
        .order_by(ConversationMessage.id)
    ).all()
    mine = [params["MessageSid"] for phone, params in sent if phone == PHONE]
    assert [sid for sid in answered if sid in mine] == mine


def test_a_later_message_waits_while_an_earlier_one_of_its_conversation_is_being_answered(app, client, session, bill):
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("row locks held by another worker are PostgreSQL's (SQLite answers one message at a time)")
    first, second = twilio_params(PHONE, "bill"), twilio_params(PHONE, "menu")
    other = twilio_params(OTHER, "hello")
    for params in (first, second, other):
        post_twilio(client, params, answer=False)
    database = app.extensions["database"]
    busy, free = database.new_session(), database.new_session()
    try:
        assert next_inbound(session=busy).provider_message_id == first["MessageSid"]  # locked by "another worker"
        assert next_inbound(session=free).provider_message_id == other["MessageSid"]  # not `second`: it waits
    finally:
        busy.rollback()
        free.rollback()
        busy.close()
        free.close()
