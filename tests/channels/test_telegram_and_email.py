"""Telegram through PTB's Bot against a local Bot API server; email to a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import email
from email import policy

import pytest
from sqlmodel import select

from models import Customer, CustomerChannel
from tests.builders import make_bill
from tests.channels.helpers import messages, queue_reminder, run_worker


@pytest.fixture
def bill(session, api):
    bill = make_bill(
        session,
        api.biller,
        reference="ELEC-77",
        amount=89000,
        customer={"reference": "CA-77", "name": "Sourav Das", "email": "sourav@example.com", "language": "bn"},
    )
    customer = session.get(Customer, bill.customer_id)
    customer.telegram_chat_id = 555001
    session.commit()
    return bill


def test_telegram_message_has_a_pay_button(app, session, bill, telegram):
    queue_reminder(session, bill, channels=[("telegram", "555001")])
    run_worker(app)

    assert [name for name, _ in telegram.calls] == ["getMe", "sendMessage"]
    [sent] = telegram.sent()
    assert int(sent["chat_id"]) == 555001
    assert "₹890.00" in sent["text"] and "আপনার" in sent["text"]
    [[button]] = sent["reply_markup"]["inline_keyboard"]
    assert button["url"].startswith("https://pay.example.test/p/")
    assert button["text"] == "Pay ₹890.00"
    [row] = messages(session)
    assert row.status == "sent" and row.provider_message_id.startswith("tg-555001-")


def test_blocked_bot_opts_the_customer_out_of_telegram_and_falls_back(app, session, bill, telegram, smtp):
    telegram.blocked.add(555001)
    queue_reminder(session, bill, channels=[("telegram", "555001"), ("email", "sourav@example.com")])
    run_worker(app)

    assert [(m.channel, m.status, m.error_code) for m in messages(session)] == [
        ("telegram", "failed", "telegram_blocked"),
        ("email", "sent", None),
    ]
    state = session.exec(select(CustomerChannel).where(CustomerChannel.channel == "telegram")).one()
    assert state.opted_out_at is not None


def test_telegram_flood_control_is_retried_later(app, session, bill, telegram):
    telegram.retry_after = 30
    queue_reminder(session, bill, channels=[("telegram", "555001")])
    run_worker(app)
    [row] = messages(session)
    assert (row.status, row.error_code) == ("queued", "telegram_retry_after")


def test_email_is_multipart_with_unsubscribe_headers(app, client, session, bill, smtp):
    queue_reminder(session, bill, channels=[("email", "sourav@example.com")])
    run_worker(app)

    assert smtp.recipients == [["sourav@example.com"]]
    mail = email.message_from_bytes(smtp.messages[0], policy=policy.default)
    assert mail["From"] == "Asansol Power <bills@asansol.example>"
    assert mail["Subject"] == "Asansol Power: bill ELEC-77"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail.get_content_type() == "multipart/alternative"
    text = mail.get_body(preferencelist=("plain",)).get_content()
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert "₹890.00" in text and "https://pay.example.test/p/" in text
    assert 'href="https://pay.example.test/p/' in html

    unsubscribe = mail["List-Unsubscribe"].strip("<>").removeprefix("https://pay.example.test")
    assert client.get(unsubscribe).status_code == 200
    assert session.exec(select(CustomerChannel)).first() is None  # a GET (a mail scanner) changes nothing
    response = client.post(unsubscribe)  # the one-click POST mail clients send
    assert response.status_code == 200
    state = session.exec(select(CustomerChannel).where(CustomerChannel.channel == "email")).one()
    assert state.opted_out_at is not None


def test_forged_unsubscribe_token_is_404(client):
    assert client.post("/u/not-a-real-token").status_code == 404


def test_opted_out_channel_is_skipped_at_send_time(app, session, bill, telegram, smtp):
    queue_reminder(session, bill, channels=[("telegram", "555001"), ("email", "sourav@example.com")])
    session.add(CustomerChannel(customer_id=bill.customer_id, channel="telegram", opted_out_at=bill.created_at))
    session.commit()
    run_worker(app)
    assert telegram.sent() == []
    assert [(m.channel, m.status) for m in messages(session)] == [("telegram", "failed"), ("email", "sent")]


def test_set_webhook_registers_our_url_with_the_secret(app, telegram):
    result = app.test_cli_runner().invoke(args=["telegram", "set-webhook"])
    assert result.exit_code == 0, result.output
    [params] = telegram.sent("setWebhook")
    assert params["url"] == "https://pay.example.test/webhooks/telegram"
    assert params["secret_token"] == "tg-secret"


def test_bot_menu_on_telegram_has_choice_buttons_that_work(app, client, session, bill, telegram):
    from tests.bot.conftest import post_telegram, telegram_update

    def post(update):
        return post_telegram(client, update, secret="tg-secret")

    assert post(telegram_update(555001, text="menu")).status_code == 200
    run_worker(app)
    [menu] = telegram.sent()
    assert all(len(row) == 1 for row in menu["reply_markup"]["inline_keyboard"])  # one option per line
    buttons = [button for row in menu["reply_markup"]["inline_keyboard"] for button in row]
    assert ("আমার বিল", "bills") in [(button["text"], button["callback_data"]) for button in buttons]
    assert all(len(button["callback_data"].encode()) <= 64 for button in buttons)

    post(telegram_update(555001, callback="bills"))
    run_worker(app)
    assert "₹890.00" in telegram.sent()[-1]["text"]
