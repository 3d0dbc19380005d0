"""Webhooks acknowledge what they cannot use, and scrub what customers type before the bot sees it."""

from __future__ import annotations

import pytest
from sqlmodel import select

from models import ConversationMessage, OutboundMessage
from tests.bot.conftest import post_telegram, post_twilio, telegram_update, twilio_params
from tests.builders import make_bill


def _telegram_with_chat_id(chat_id) -> dict:
    update = telegram_update(555001, text="hello")
    update["message"]["chat"]["id"] = chat_id
    return update


@pytest.mark.parametrize(
    "update",
    [
        pytest.param(_telegram_with_chat_id("abc"), id="chat-id-text"),
        pytest.param(_telegram_with_chat_id(1e30), id="chat-id-1e30"),
        pytest.param({"update_id": 7, "message": "x"}, id="message-a-string"),
        pytest.param({"update_id": 8, "message": {"chat": None}}, id="chat-null"),
    ],
)
def test_malformed_telegram_updates_are_acknowledged_and_ignored(client, session, update):
    response = post_telegram(client, update)
    assert response.status_code == 200
    assert session.exec(select(OutboundMessage)).all() == []


@pytest.mark.parametrize("body", [{"update_id": "seven"}, ["not", "an", "update"], {"no": "update_id"}])
def test_bodies_that_are_not_updates_at_all_are_400(client, session, body):
    assert post_telegram(client, body).status_code == 400
    assert session.exec(select(OutboundMessage)).all() == []


def test_telegram_text_with_nul_and_escapes_gets_a_reply_without_them(client, session):
    assert post_telegram(client, telegram_update(555001, text="hel\x00lo \x1b[31m\u202e")).status_code == 200
    [inbound] = session.exec(select(ConversationMessage).where(ConversationMessage.direction == "in")).all()
    assert inbound.body == "hello "
    assert session.exec(select(OutboundMessage)).all()


def test_twilio_body_with_nul_gets_a_polite_reply(client, session, api):
    make_bill(session, api.biller, customer={"reference": "CA-1", "name": "Asha Verma", "phone": "+919810000001"})
    response = post_twilio(client, twilio_params("+919810000001", "bill\x00\u202e please"))
    assert response.status_code == 200
    [inbound] = session.exec(select(ConversationMessage).where(ConversationMessage.direction == "in")).all()
    assert "\x00" not in inbound.body and "\u202e" not in inbound.body
    [reply] = session.exec(select(OutboundMessage)).all()
    assert reply.recipient == "+919810000001"


def test_a_link_token_with_nul_is_a_404_counted_as_a_miss(client):
    statuses = [client.get("/p/ab%00cdefghijk").status_code for _ in range(21)]
    assert statuses[:20] == [404] * 20
    assert statuses[20] == 429


@pytest.mark.parametrize("token", ["ab%1Bcdefghijk", "ab%E2%80%AEcdefghij", "x" * 300])
def test_link_tokens_that_cannot_be_ours_are_404(client, token):
    assert client.get(f"/p/{token}").status_code == 404
