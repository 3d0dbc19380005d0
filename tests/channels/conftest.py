"""Real peers at the wire: Twilio's API, a Telegram Bot API server and an SMTP server, all on loopback."""

from __future__ import annotations

import pytest
from aiosmtpd.controller import Controller

from tests.fakes.http import free_port
from tests.fakes.telegram_server import FakeTelegram
from tests.fakes.twilio_server import FakeTwilio


class MailSink:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self):
        self.messages: list[bytes] = []
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.original_content)
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 OK"


@pytest.fixture
def twilio():
    fake = FakeTwilio().start()
    yield fake
    fake.stop()


@pytest.fixture
def telegram():
    fake = FakeTelegram().start()
    yield fake
    fake.stop()


@pytest.fixture
def smtp():
    sink = MailSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    sink.url = f"smtp://127.0.0.1:{controller.port}"
    yield sink
    controller.stop()


@pytest.fixture
def app_overrides(twilio, telegram, smtp):
    return {
        "twilio_account_sid": twilio.account_sid,
        "twilio_auth_token": twilio.auth_token,
        "twilio_sms_from": "+14155550100",
        "twilio_whatsapp_from": "+14155550111",
        "twilio_api_base_url": twilio.url,
        "telegram_bot_token": telegram.token,
        "telegram_webhook_secret": "tg-secret",
        "telegram_api_base_url": telegram.url,
        "smtp_url": smtp.url,
        "mail_from": "Asansol Power <bills@asansol.example>",
        "provider_timeout_seconds": 1.0,
    }
