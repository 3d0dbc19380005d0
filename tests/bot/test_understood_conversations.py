"""Conversations in the customer's own words, over signed webhooks: every intent in English, Hindi and Bengali."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from billing.bills import current_link
from billing.money import format_day
from billing.payments import record_payment
from bot.texts import say as bot_says
from models import Bill, Complaint, Conversation, Customer, CustomerChannel, OutboundMessage
from tests.bot.conftest import post_telegram, post_twilio, telegram_update, twilio_params
from tests.builders import make_bill
from tests.conftest import PUBLIC_BASE_URL

PHONE = "+919810000005"
WHATSAPP = f"whatsapp:{PHONE}"
INDIA = ZoneInfo("Asia/Kolkata")
WEDNESDAY = datetime(2026, 11, 25, 5, 30, tzinfo=UTC)  # 11:00 IST on a working Wednesday


@pytest.fixture(autouse=True)
def wednesday(time_machine):
    time_machine.move_to(WEDNESDAY)


def customer_bill(session, api, language: str = "en", phone: str = PHONE) -> Bill:
    customer = {"reference": f"CA-{language}", "name": "Asha", "phone": phone, "language": language}
    return make_bill(
        session, api.biller, reference=f"EL-{language}", amount=124550, due_date="2026-12-10", customer=customer
    )


def write(client, text: str, *, sender: str = WHATSAPP) -> None:
    response = post_twilio(client, twilio_params(sender, text))
    assert response.status_code == 200, response.get_data(as_text=True)


def bot_replies(session) -> list[OutboundMessage]:
    session.expire_all()
    query = select(OutboundMessage).where(OutboundMessage.template_key.is_(None)).order_by(OutboundMessage.id)
    return list(session.exec(query).all())


def last_reply(session) -> str:
    return bot_replies(session)[-1].body


# (intent, customer's language, what they write)
SAID = [
    ("bill", "en", "how much do I owe?"),
    ("bill", "hi", "मेरा बिल कितना है?"),
    ("bill", "hi", "bill kitna hai"),
    ("bill", "bn", "আমার বিল কত?"),
    ("bill", "bn", "amar bill koto"),
    ("pay", "en", "I want to pay now"),
    ("pay", "hi", "मुझे भुगतान करना है"),
    ("pay", "bn", "পেমেন্ট করতে চাই"),
    ("paid", "en", "payment done"),
    ("paid", "hi", "भुगतान कर दिया है"),
    ("paid", "bn", "আমি ইতিমধ্যে পরিশোধ করেছি"),
    ("later", "en", "I will pay on 5th"),
    ("later", "hi", "kal bhar dunga"),
    ("later", "bn", "২ দিন পরে দেব"),
    ("app", "en", "I pay with phone pe"),
    ("app", "hi", "फोनपे से भुगतान करता हूँ"),
    ("app", "bn", "আমি ফোনপে ব্যবহার করি"),
    ("language", "en", "please reply in Hindi"),
    ("language", "hi", "बांग्ला में भेजो"),
    ("language", "bn", "ইংরেজিতে পাঠান"),
    ("stop", "en", "stop sending me these"),
    ("stop", "hi", "मैसेज मत भेजो"),
    ("stop", "bn", "আর মেসেজ পাঠাবেন না"),
    ("start", "en", "START"),
    ("start", "hi", "शुरू"),
    ("start", "bn", "শুরু"),
    ("agent", "en", "I want to talk to a person"),
    ("agent", "hi", "कस्टमर केयर से बात कराओ"),
    ("agent", "bn", "মানুষের সাথে কথা বলতে চাই"),
    ("complaint", "en", "I was charged twice"),
    ("complaint", "hi", "दो बार पैसे कट गए"),
    ("complaint", "bn", "দুবার টাকা কেটে গেছে"),
    ("link_check", "en", "is this message genuine?"),
    ("link_check", "hi", "क्या यह लिंक असली है"),
    ("link_check", "bn", "এই লিংক কি আসল"),
    ("greeting", "en", "good morning"),
    ("greeting", "hi", "नमस्ते"),
    ("greeting", "bn", "নমস্কার"),
    ("thanks", "en", "thank you"),
    ("thanks", "hi", "धन्यवाद"),
    ("thanks", "bn", "ধন্যবাদ"),
    ("menu", "en", "what can you do?"),
    ("menu", "hi", "मदद"),
    ("menu", "bn", "মেনু"),
    ("unknown", "en", "who won the cricket match"),
    ("unknown", "hi", "आज मौसम कैसा है"),
    ("unknown", "bn", "আজ আবহাওয়া কেমন"),
]
LATER_DAYS = {"I will pay on 5th": date(2026, 12, 5), "kal bhar dunga": date(2026, 11, 26)}
LATER_DAYS["২ দিন পরে দেব"] = date(2026, 11, 27)
MARKERS = {
    "bill": {"en": " due ", "hi": "देय", "bn": "দেয়"},
    "pay": {"en": "Pay ", "hi": "भुगतान करें", "bn": "পেমেন্ট করুন"},
}
NEW_LANGUAGE = {"please reply in Hindi": "hi", "बांग्ला में भेजो": "bn", "ইংরেজিতে পাঠান": "en"}


@pytest.mark.parametrize(
    ("intent", "language", "text"), SAID, ids=[f"{i}-{lang}-{n}" for n, (i, lang, _) in enumerate(SAID)]
)
def test_each_intent_in_each_language_is_acted_on_and_answered_in_that_language(
    client, session, api, intent, language, text
):
    bill = customer_bill(session, api, language)
    if intent == "start":
        write(client, "STOP")
    write(client, text)
    body = last_reply(session)
    customer = session.get(Customer, bill.customer_id)
    conversation = session.exec(select(Conversation)).one()
    whatsapp = session.exec(select(CustomerChannel).where(CustomerChannel.channel == "whatsapp")).first()
    if intent in ("bill", "pay"):
        assert current_link(session=session, bill_id=bill.id).token in body
        assert MARKERS[intent][language] in body
    elif intent == "paid":
        assert conversation.needs_attention == "paid_claim" and body.startswith(
            bot_says("paid_ack", language, utr="")[:8]
        )
    elif intent == "later":
        day = LATER_DAYS[text]
        assert session.get(Bill, bill.id).paused_until.astimezone(INDIA).date() == day
        assert body == bot_says("later_ack", language, date=format_day(day, language))
    elif intent == "app":
        assert customer.preferred_app == "phonepe" and "PhonePe" in body
    elif intent == "language":
        assert customer.language == NEW_LANGUAGE[text] and body == bot_says("language_saved", customer.language)
    elif intent == "stop":
        assert whatsapp.opted_out_at is not None and body == bot_says("stopped", language)
    elif intent == "start":
        assert whatsapp.opted_out_at is None and body == bot_says("started", language)
    elif intent == "agent":
        assert conversation.handed_over_at is not None and body == bot_says("agent_ack", language)
    elif intent == "complaint":
        complaint = session.exec(select(Complaint)).one()
        assert complaint.category == "charged_twice" and complaint.reference in body
        assert conversation.needs_attention == "complaint"
    elif intent == "unknown":
        assert conversation.state.startswith("choosing:") and "\n1 " in body
    else:
        key = {"link_check": "send_link", "greeting": "greeting", "thanks": "thanks", "menu": "menu"}[intent]
        assert body == bot_says(key, language, domain="pay.example.test")


def test_end_of_month_i_will_pay_keeps_the_customer_subscribed_with_reminders_paused_to_the_months_last_day(
    client, session, api
):
    bill = customer_bill(session, api)
    write(client, "End of month I will pay")
    session.expire_all()
    assert session.exec(select(CustomerChannel).where(CustomerChannel.opted_out_at.is_not(None))).all() == []
    paused = session.get(Bill, bill.id).paused_until.astimezone(INDIA)
    assert (paused.date(), paused.hour) == (date(2026, 11, 30), api.biller.contact_hours_start.hour)
    assert last_reply(session) == "OK, we will remind you after 30 Nov 2026."


@pytest.mark.parametrize(
    "text",
    [
        "Stop the reminders for a week",
        "don't cut my connection, I'll pay tomorrow",
        "cancel the reminders till 1st dec, I will pay then",
        "end of month",
        "stop",  # on its own it is an opt-out; this is the control that the check below can fail
    ],
)
def test_sentences_that_merely_start_like_a_stop_pause_instead_of_opting_out(client, session, api, text):
    bill = customer_bill(session, api)
    write(client, text)
    session.expire_all()
    opted_out = session.exec(select(CustomerChannel).where(CustomerChannel.opted_out_at.is_not(None))).all()
    assert bool(opted_out) == (text == "stop")
    assert (session.get(Bill, bill.id).paused_until is not None) == (text != "stop")


@pytest.mark.parametrize("channel", ["whatsapp", "sms"])
def test_mat_bhejo_opts_out_and_is_confirmed_as_stop_is(client, session, api, channel):
    """One customer writes STOP, another "mat bhejo": both are opted out of that channel. On WhatsApp the bot
    confirms both alike; on SMS Twilio answers its own keyword STOP but not "mat bhejo", so the bot confirms that."""
    phones = {"STOP": PHONE, "mat bhejo": "+919810000006"}
    customers = {}
    for text, phone in phones.items():
        customer = {"reference": f"CA{phone[1:]}", "name": "Asha", "phone": phone}
        customers[text] = make_bill(session, api.biller, reference=f"EL{phone[1:]}", customer=customer).customer_id
        write(client, text, sender=f"whatsapp:{phone}" if channel == "whatsapp" else phone)
    session.expire_all()
    opted_out = session.exec(select(CustomerChannel).where(CustomerChannel.opted_out_at.is_not(None))).all()
    assert sorted((state.customer_id, state.channel) for state in opted_out) == [
        (customers["STOP"], channel),
        (customers["mat bhejo"], channel),
    ]
    replies = {reply.recipient: reply.body for reply in bot_replies(session)}
    assert replies[phones["mat bhejo"]] == bot_says("stopped", "en")
    assert replies.get(PHONE) == (bot_says("stopped", "en") if channel == "whatsapp" else None)


def test_a_question_about_messages_is_not_an_opt_out(client, session, api):
    customer_bill(session, api)
    write(client, "why did you stop sending me reminders?")
    session.expire_all()
    assert session.exec(select(CustomerChannel).where(CustomerChannel.opted_out_at.is_not(None))).all() == []


def test_an_unsure_opt_out_is_offered_as_a_choice_and_acted_on_only_when_picked(client, session, api):
    customer_bill(session, api)
    write(client, "remove me")
    session.expire_all()
    assert session.exec(select(CustomerChannel).where(CustomerChannel.opted_out_at.is_not(None))).all() == []
    assert "\n1 Stop messages" in last_reply(session)
    write(client, "1")
    assert session.exec(select(CustomerChannel)).one().opted_out_at is not None
    assert last_reply(session) == bot_says("stopped", "en")


def test_the_reply_limit_never_silences_stop_start_agent_or_language(client, session, api):
    bill = customer_bill(session, api)
    for _ in range(5):
        write(client, "hi")
    write(client, "what is the capital of france")
    assert len(bot_replies(session)) == 5  # the sixth ordinary message is not answered
    for text, expected in [
        ("हिंदी में बात करो", bot_says("language_saved", "hi")),
        ("STOP", bot_says("stopped", "hi")),
        ("START", bot_says("started", "hi")),
        ("agent", bot_says("agent_ack", "hi")),
    ]:
        write(client, text)
        assert last_reply(session) == expected
    assert session.get(Customer, bill.customer_id).language == "hi"


def test_paid_with_a_recorded_utr_is_confirmed_without_troubling_support(client, session, api):
    bill = customer_bill(session, api)
    record_payment(session=session, bill=bill, amount_paise=124550, reference="412345678901", source="api")
    session.commit()
    write(client, "paid already, UTR 412345678901")
    assert (
        last_reply(session)
        == "Thank you. Your payment of ₹1,245.50 to Asansol Power (reference 412345678901) is confirmed."
    )
    assert session.exec(select(Conversation)).one().needs_attention is None


def test_paid_with_a_utr_we_do_not_hold_is_flagged_for_support(client, session, api):
    customer_bill(session, api, "hi")
    write(client, "भुगतान कर दिया, UTR ५१२३९८७६५४३२")
    assert session.exec(select(Conversation)).one().needs_attention == "paid_claim"
    assert "512398765432" in last_reply(session)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("my bill amount is wrong", "wrong_amount"),
        ("बिल गलत आया है", "wrong_amount"),
        ("paise do baar kat gaye", "charged_twice"),
        ("money deducted twice for one bill", "charged_twice"),
        ("payment stopped midway, money deducted", "payment_not_credited"),
        ("payment failed but amount debited, complaint", "payment_not_credited"),
        ("paise kat gaye par bill paid nahi dikha raha, complaint", "payment_not_credited"),
        ("पेमेंट अटक गया, पैसे कट गए", "payment_not_credited"),
        ("টাকা কেটে নিয়েছে কিন্তু বিল জমা হয়নি, অভিযোগ", "payment_not_credited"),
        ("no electricity since yesterday, I want to complain", "service"),
        ("কারেন্ট নেই, অভিযোগ করতে চাই", "service"),
        ("I want to file a complaint", "other"),
    ],
)
def test_a_complaint_opens_a_ticket_with_its_category_and_the_customer_gets_its_reference(
    client, session, api, text, category
):
    bill = customer_bill(session, api)
    write(client, text)
    complaint = session.exec(select(Complaint)).one()
    assert (complaint.category, complaint.customer_id, complaint.status) == (category, bill.customer_id, "open")
    assert complaint.reference in last_reply(session) and complaint.reference.startswith("CMP-")


def test_a_complaint_shows_in_the_support_inbox(client, session, api):
    from accounts.users import create_user
    from models.vocab import Role
    from tests.web.test_console import PASSWORD, login

    customer_bill(session, api)
    create_user(session=session, email="desk@a.example", password=PASSWORD, role=Role.SUPPORT, biller_id=api.biller.id)
    session.commit()
    write(client, "I was charged twice")
    reference = session.exec(select(Complaint)).one().reference
    login(client, "desk@a.example")
    page = client.get("/console/").get_data(as_text=True)
    assert f"{reference} charged twice" in page


def test_when_unsure_the_bot_offers_numbered_choices_and_a_number_picks_one(client, session, api):
    bill = customer_bill(session, api)
    write(client, "hmm")
    body = last_reply(session)
    offered = session.exec(select(Conversation)).one().state.removeprefix("choosing:").split(",")
    assert 2 <= len(offered) <= 3 and "stop" not in offered and "bill" in offered
    assert "\n1 " in body and "\n2 " in body and "My bills" in body
    write(client, str(offered.index("bill") + 1))
    assert current_link(session=session, bill_id=bill.id).token in last_reply(session)


def test_two_misunderstandings_in_a_row_offer_a_person(client, session, api):
    customer_bill(session, api, "bn")
    write(client, "hmm")
    write(client, "qwzx")
    assert last_reply(session) == bot_says("offer_agent", "bn")
    write(client, "1")
    assert session.exec(select(Conversation)).one().handed_over_at is not None


def test_unsure_choices_are_telegram_buttons(client, session, api):
    bill = customer_bill(session, api)
    customer = session.get(Customer, bill.customer_id)
    customer.telegram_chat_id = 555010
    session.commit()
    post_telegram(client, telegram_update(555010, text="hmm"))
    [reply] = bot_replies(session)
    buttons = reply.content_variables["choices"]
    assert ["My bills", "bill"] in buttons and all(len(data.encode()) <= 64 for _, data in buttons)
    post_telegram(client, telegram_update(555010, callback="bill"))
    assert current_link(session=session, bill_id=bill.id).token in last_reply(session)


@pytest.mark.parametrize(("text", "language"), [("আমার বিল কত?", "bn"), ("मेरा बिल कितना है", "hi"), ("my bill", "en")])
def test_a_sender_we_do_not_know_is_answered_in_the_script_they_wrote_in(client, session, api, text, language):
    customer_bill(session, api)
    write(client, text, sender="whatsapp:+919899999999")
    assert last_reply(session) == bot_says("unknown_sender", language)


@pytest.mark.parametrize("language", ["en", "hi", "bn"])
def test_the_menu_has_one_option_per_line(client, session, api, language):
    customer_bill(session, api, language)
    write(client, "menu", sender=PHONE)
    lines = last_reply(session).splitlines()
    assert [line.split(" ")[0] for line in lines[1:9]] == [str(number) for number in range(1, 9)]


@pytest.mark.parametrize(
    "link",
    ["{base}/p/{token}?lang=hi", "{base}/p/{token}/", "{base}/p/{token}/?utm_source=sms", "{base}/p/{token}#pay"],
)
def test_link_check_accepts_our_links_with_a_query_or_a_trailing_slash(client, session, api, link):
    bill = customer_bill(session, api)
    token = current_link(session=session, bill_id=bill.id).token
    write(client, "is this real? " + link.format(base=PUBLIC_BASE_URL, token=token))
    assert "genuine link from Asansol Power for bill EL-en" in last_reply(session)


class TestTheShortLinkDomain:
    @pytest.fixture
    def app_overrides(self, app_overrides):
        return {**app_overrides, "link_base_url": "https://bbps.example.test"}

    @pytest.mark.parametrize(
        ("link", "genuine"),
        [
            ("https://bbps.example.test/{token}", True),
            ("bbps.example.test/{token}?lang=bn", True),
            ("http://BBPS.example.test/{token}/", True),
            ("https://bbps.example.test.evil.in/{token}", False),
            ("https://bbps.example.test@evil.in/{token}", False),
            ("https://bbps.example.test:8443/{token}", False),
        ],
    )
    def test_short_links_are_checked_on_their_own_domain(self, client, session, api, link, genuine):
        bill = customer_bill(session, api)
        token = current_link(session=session, bill_id=bill.id).token
        write(client, "genuine? " + link.format(token=token))
        assert ("genuine link from" in last_reply(session)) is genuine
