"""Bot tests talk to the webhooks over HTTP, signed as Twilio and Telegram sign them."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest
from telegram import CallbackQuery, Chat, Message, Update, User
from twilio.request_validator import RequestValidator

from jobs.inbound import answer_inbound
from tests.conftest import PUBLIC_BASE_URL

AUTH_TOKEN = "bot-test-auth-token"
TELEGRAM_SECRET = "bot-test-telegram-secret"
_sids = itertools.count(1)


@pytest.fixture
def app_overrides():
    return {
        "twilio_account_sid": "AC" + "1" * 32,
        "twilio_auth_token": AUTH_TOKEN,
        "twilio_sms_from": "+14155550100",
        "twilio_whatsapp_from": "+14155550111",
        "telegram_bot_token": "7000001:TEST-token",
        "telegram_webhook_secret": TELEGRAM_SECRET,
    }


def twilio_params(sender: str, body: str, **extra) -> dict:
    params = {
        "MessageSid": f"SM{next(_sids):032d}",
        "AccountSid": "AC" + "1" * 32,
        "From": sender,
        "To": "+14155550100",
        "Body": body,
        "NumMedia": "0",
    }
    if sender.startswith("whatsapp:"):
        params.update({"To": "whatsapp:+14155550111", "WaId": sender.removeprefix("whatsapp:+"), "ProfileName": "Asha"})
    params.update(extra)
    return params


def answer_stored(app) -> int:
    """The worker's inbound step, run once: the bot answers what the webhooks stored."""
    return answer_inbound(app)


def post_twilio(client, params: dict, *, token: str = AUTH_TOKEN, url: str | None = None, answer: bool = True):
    """Post a signed Twilio webhook, then (unless told not to) let the worker's inbound step answer it."""
    url = url or f"{PUBLIC_BASE_URL}/webhooks/twilio"
    signature = RequestValidator(token).compute_signature(url, params)
    response = client.post("/webhooks/twilio", data=params, headers={"X-Twilio-Signature": signature})
    if answer:
        answer_stored(client.application)
    return response


def telegram_update(
    chat_id: int, *, text: str | None = None, callback: str | None = None, update_id=None, is_bot: bool = False
) -> dict:
    """An update built from PTB's own classes, as Telegram would send it."""
    user = User(id=chat_id, first_name="Sourav", is_bot=is_bot)
    chat = Chat(id=chat_id, type="private")
    message = Message(
        message_id=next(_sids), date=datetime(2026, 12, 1, tzinfo=UTC), chat=chat, from_user=user, text=text
    )
    update_id = update_id or next(_sids)
    if callback is not None:
        query = CallbackQuery(id=str(update_id), from_user=user, chat_instance="c", data=callback, message=message)
        return Update(update_id=update_id, callback_query=query).to_dict()
    return Update(update_id=update_id, message=message).to_dict()


def post_telegram(client, update: dict, *, secret: str = TELEGRAM_SECRET):
    """Post a Telegram update with the webhook secret, then let the worker's inbound step answer it."""
    response = client.post("/webhooks/telegram", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": secret})
    answer_stored(client.application)
    return response
