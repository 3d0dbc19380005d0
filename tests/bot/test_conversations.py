"""Whole conversations with the bot over SMS, WhatsApp and Telegram, in English, Hindi and Bengali."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import func, select

from billing.bills import current_link
from models import AuditEvent, Bill, Conversation, Customer, CustomerChannel, OutboundMessage
from models.db import utcnow
from tests.bot.conftest import post_telegram, post_twilio, telegram_update, twilio_params
from tests.builders import make_bill, make_biller
from tests.conftest import PUBLIC_BASE_URL

PHONE = "+919810000001"


@pytest.fixture
def bill(session, api):
    return make_bill(
        session,
        api.biller,
        reference="ELEC-5",
        amount=124550,
        due_date="2026-12-10",
        customer={
            "reference": "CA-5",
            "name": "Asha Verma",
            "phone": PHONE,
            "language": "en",
            "email": "asha@example.com",
        },
    )


def replies(session) -> list[OutboundMessage]:
    session.expire_all()
    return list(
        session.exec(
            select(OutboundMessage).where(OutboundMessage.template_key.is_(None)).order_by(OutboundMessage.id)
        ).all()
    )


def say(client, text: str, *, sender: str = PHONE, **extra) -> None:
    response = post_twilio(client, twilio_params(sender, text, **extra))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/xml"


def test_bill_lists_open_bills_with_the_link(client, session, bill):
    say(client, "bill")
    [reply] = replies(session)
    token = current_link(session=session, bill_id=bill.id).token
    assert (reply.channel, reply.recipient) == ("sms", PHONE)
    assert "₹1,245.50" in reply.body and f"{PUBLIC_BASE_URL}/p/{token}" in reply.body and "10 Dec 2026" in reply.body


@pytest.mark.parametrize(("language", "word", "expected"), [("hi", "बिल", "देय"), ("bn", "বিল", "দেয়")])
def test_hindi_and_bengali_customers_are_answered_in_their_language(client, session, api, language, word, expected):
    make_bill(session, api.biller, customer={"reference": "CA-L", "name": "Ravi", "phone": PHONE, "language": language})
    say(client, word)
    assert expected in replies(session)[0].body


def test_whatsapp_quick_reply_pay_names_the_preferred_app(client, session, bill):
    customer = session.get(Customer, bill.customer_id)
    customer.preferred_app = "phonepe"
    session.commit()
    say(client, "Pay now", sender=f"whatsapp:{PHONE}", ButtonPayload="pay", ButtonText="Pay now")
    [reply] = replies(session)
    assert reply.channel == "whatsapp" and "with PhonePe" in reply.body and "/p/" in reply.body


def test_already_paid_pauses_reminders_and_tells_support(client, session, bill):
    say(client, "paid 412345678901")
    session.expire_all()
    assert session.get(Bill, bill.id).paused_until > utcnow() + timedelta(hours=47)
    conversation = session.exec(select(Conversation)).one()
    assert conversation.needs_attention == "paid_claim"
    claim = session.exec(select(AuditEvent).where(AuditEvent.action == "payment.claimed")).one()
    assert claim.detail["utr"] == "412345678901"
    assert "412345678901" in replies(session)[0].body


@pytest.mark.parametrize(("text", "days"), [("later", 3), ("remind me later in 5 days", 5), ("later 30 days", 14)])
def test_later_snoozes_within_the_billers_limit(client, session, bill, text, days):
    say(client, text)
    session.expire_all()
    paused = session.get(Bill, bill.id).paused_until
    assert timedelta(days=days - 1) < paused - utcnow() < timedelta(days=days + 1)


def test_choosing_a_payment_app_by_number(client, session, bill):
    say(client, "5")
    assert "2 PhonePe" in replies(session)[-1].body
    say(client, "2")
    session.expire_all()
    assert session.get(Customer, bill.customer_id).preferred_app == "phonepe"
    assert "PhonePe will be shown first" in replies(session)[-1].body


def test_changing_language_then_speaking_it(client, session, bill):
    say(client, "language")
    say(client, "3")
    session.expire_all()
    assert session.get(Customer, bill.customer_id).language == "bn"
    assert replies(session)[-1].body == "ভাষা বাংলা করা হয়েছে।"
    say(client, "1")
    assert "প্রিয়" in replies(session)[-1].body or "দেয়" in replies(session)[-1].body


def test_sms_stop_is_recorded_without_repeating_twilios_reply(client, session, bill):
    say(client, "STOP")
    state = session.exec(select(CustomerChannel).where(CustomerChannel.channel == "sms")).one()
    assert state.opted_out_at is not None
    assert replies(session) == []
    say(client, "START")
    session.expire_all()
    assert session.get(CustomerChannel, state.id).opted_out_at is None


def test_whatsapp_stop_is_confirmed_and_start_rejoins(client, session, bill):
    say(client, "stop", sender=f"whatsapp:{PHONE}")
    assert "Reply START" in replies(session)[-1].body
    say(client, "start", sender=f"whatsapp:{PHONE}")
    assert "Welcome back" in replies(session)[-1].body


def test_agent_hands_over_and_the_bot_stays_quiet_until_handed_back(client, session, bill):
    say(client, "agent")
    say(client, "hello?")
    say(client, "bill")
    assert len(replies(session)) == 1 and "team will reply" in replies(session)[0].body
    conversation = session.exec(select(Conversation)).one()
    assert conversation.needs_attention == "handover"
    conversation.handed_over_at = None
    session.commit()
    say(client, "bill")
    assert len(replies(session)) == 2


def test_link_check_tells_genuine_from_fake(client, session, bill):
    token = current_link(session=session, bill_id=bill.id).token
    say(client, f"Is this real? {PUBLIC_BASE_URL}/p/{token}")
    assert "genuine link from Asansol Power for bill ELEC-5" in replies(session)[-1].body
    for fake in ("https://pay-example.test.evil.in/p/" + token, f"{PUBLIC_BASE_URL}/p/AAAAAAAAAAAA", "bit.ly/3xYzAbC"):
        say(client, f"check {fake}")
        assert "not from us" in replies(session)[-1].body


def test_unknown_sender_learns_nothing(client, session, bill):
    say(client, "bill", sender="+919899999999")
    [reply] = replies(session)
    assert "could not find your account" in reply.body
    assert "Asansol" not in reply.body and "ELEC" not in reply.body and reply.customer_id is None


def test_foreign_number_is_treated_as_unknown(client, session, bill):
    say(client, "bill", sender="+14155559999")
    assert "could not find your account" in replies(session)[0].body


def test_one_phone_with_two_billers_gets_each_billers_bills_in_a_reply_of_its_own(client, session, api, bill):
    other = make_biller(session, name="Durgapur Gas", upi_vpa="durgapurgas@sbi")
    make_bill(
        session, other, reference="GAS-9", amount=50000, customer={"reference": "G-1", "name": "Asha", "phone": PHONE}
    )
    say(client, "bill")
    by_biller = {reply.biller_id: reply.body for reply in replies(session)}
    assert "Asansol Power" in by_biller[api.biller.id] and "Durgapur Gas" not in by_biller[api.biller.id]
    assert "Durgapur Gas" in by_biller[other.id] and "Asansol Power" not in by_biller[other.id]


def test_a_retried_message_gets_no_second_reply(client, session, bill):
    params = twilio_params(PHONE, "bill")
    assert post_twilio(client, params).status_code == 200
    assert post_twilio(client, params).status_code == 200
    assert len(replies(session)) == 1


@pytest.mark.parametrize(
    ("token", "url"),
    [("forged-token", None), ("bot-test-auth-token", "http://10.0.0.5:8000/webhooks/twilio")],
    ids=["forged", "signed-for-the-internal-url"],
)
def test_bad_signatures_are_403_and_change_nothing(client, session, bill, token, url):
    response = post_twilio(client, twilio_params(PHONE, "STOP"), token=token, url=url)
    assert response.status_code == 403
    assert session.exec(select(func.count()).select_from(CustomerChannel)).one() == 0


def test_missing_signature_or_parameters(client, session, bill):
    assert client.post("/webhooks/twilio", data=twilio_params(PHONE, "bill")).status_code == 403
    params = twilio_params(PHONE, "bill")
    del params["From"]
    assert post_twilio(client, params).status_code == 400


@pytest.mark.parametrize(
    "text",
    ["x" * 20_000, "🙏🙏 bill 💡", "\u200bbill\u200d", "\u202ebill\u202c", "مرحبا", ""],
    ids=["20kB", "emoji", "zero-width", "right-to-left-override", "arabic", "empty"],
)
def test_odd_input_gets_at_most_one_reply_and_no_error(client, session, bill, text):
    say(client, text)
    assert len(replies(session)) <= 1


def test_zero_width_characters_do_not_hide_a_keyword(client, session, bill):
    say(client, "\u200bbill\u200d")
    assert "₹1,245.50" in replies(session)[0].body


def test_media_only_message_gets_one_short_help(client, session, bill):
    say(client, "", NumMedia="1", MediaUrl0="https://api.twilio.com/media/ME1", MediaContentType0="image/jpeg")
    [reply] = replies(session)
    assert "Reply with a number" in reply.body


def test_replies_are_capped_per_minute(client, session, bill):
    for _ in range(10):
        say(client, "hi")
    assert len(replies(session)) == 5


def test_our_own_number_is_ignored(client, session, bill):
    say(client, "bill", sender="+14155550100")
    assert replies(session) == []


def test_telegram_deep_link_connects_the_chat_then_buttons_work(client, session, bill):
    customer = session.get(Customer, bill.customer_id)
    customer.telegram_link_token = "tok123abc"
    session.commit()
    assert post_telegram(client, telegram_update(555001, text="/start tok123abc")).status_code == 200
    session.expire_all()
    assert session.get(Customer, bill.customer_id).telegram_chat_id == 555001
    assert "Connected" in replies(session)[-1].body
    post_telegram(client, telegram_update(555001, callback="bills"))
    reply = replies(session)[-1]
    assert (reply.channel, reply.recipient) == ("telegram", "555001") and "₹1,245.50" in reply.body


def test_telegram_checks_the_secret_and_ignores_bots_and_replays(client, session, bill):
    customer = session.get(Customer, bill.customer_id)
    customer.telegram_chat_id = 555002
    session.commit()
    assert post_telegram(client, telegram_update(555002, text="bill"), secret="wrong").status_code == 403
    assert client.post("/webhooks/telegram", json=telegram_update(555002, text="bill")).status_code == 403
    post_telegram(client, telegram_update(555003, text="bill", is_bot=True))
    update = telegram_update(555002, text="bill", update_id=900)
    post_telegram(client, update)
    post_telegram(client, update)
    assert len(replies(session)) == 1
    assert post_telegram(client, {"not": "an update"}).status_code == 400
