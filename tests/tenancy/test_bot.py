"""Every bot intent from a phone shared by customers of two billers: each biller's bills stay apart."""

from __future__ import annotations

from sqlmodel import select

from billing.senders import set_sender
from models import Bill, Conversation, ConversationMessage, Customer, CustomerChannel, OutboundMessage
from tests.bot.conftest import post_telegram, telegram_update
from tests.conftest import PUBLIC_BASE_URL
from tests.tenancy.conftest import OWN_SMS_OF_B, PHONE, SHARED_SMS, leaks, new_replies, text_message

BILL_MARKS = slice(0, 6)  # everything but the biller's name


def check_apart(replies: list[OutboundMessage], a, b) -> None:
    """A reply in one biller's conversation names nothing of the other; one naming a bill says whose it is."""
    names = {a.biller_id: "Asansol Power", b.biller_id: "Bhopal Water"}
    for reply in replies:
        if reply.biller_id is None:  # the person's own thread: no biller's bill unless the person sent its link
            continue
        mine, theirs = (a, b) if reply.biller_id == a.biller_id else (b, a)
        assert leaks(reply.body, theirs) == [], reply.body
        if [mark for mark in leaks(reply.body, mine) if mark in mine.marks[BILL_MARKS]]:
            assert reply.body.startswith(names[mine.biller_id]), reply.body


def thread_text(session, biller_id: int | None) -> str:
    """Everything said, both ways, in the phone's conversation with this biller (None: the person's own)."""
    owner = Conversation.biller_id.is_(None) if biller_id is None else Conversation.biller_id == biller_id
    rows = session.exec(
        select(ConversationMessage.body)
        .join(Conversation, Conversation.id == ConversationMessage.conversation_id)
        .where(Conversation.address == PHONE, owner)
    ).all()
    return "\n".join(rows)


def test_every_intent_on_the_shared_sender_keeps_each_billers_bills_apart(client, session, clock, tenants):
    a, b = tenants
    seen: set[int] = set()

    def say(text: str) -> list[OutboundMessage]:
        text_message(client, clock, text)
        replies = new_replies(session, seen)
        check_apart(replies, a, b)
        return replies

    for word in ("bills", "pay"):
        by_biller = {reply.biller_id: reply.body for reply in say(word)}
        assert set(by_biller) == {a.biller_id, b.biller_id}
        assert a.token in by_biller[a.biller_id] and b.token in by_biller[b.biller_id]

    [question] = say("paid 412345678901")
    assert question.biller_id is None and "1 Asansol Power\n2 Bhopal Water" in question.body
    [ack] = say("1")
    assert ack.biller_id == a.biller_id and ack.body.startswith("Asansol Power: Thank you")
    session.expire_all()
    assert session.get(Bill, a.bill.id).paused_until is not None
    assert session.get(Bill, b.bill.id).paused_until is None

    [later] = say("later")  # about the biller just chosen
    assert later.biller_id == a.biller_id and "remind you after" in later.body
    assert session.get(Bill, b.bill.id).paused_until is None

    [apps] = say("app")
    assert apps.biller_id == a.biller_id and "Which app" in apps.body
    [saved] = say("2")
    assert saved.biller_id == a.biller_id and "PhonePe" in saved.body
    session.expire_all()
    customers = {c.biller_id: c for c in session.exec(select(Customer).where(Customer.phone == PHONE)).all()}
    assert (customers[a.biller_id].preferred_app, customers[b.biller_id].preferred_app) == ("phonepe", None)

    [languages] = say("language")  # the person's, for every biller
    assert languages.biller_id is None
    [hindi] = say("2")
    assert hindi.biller_id is None
    session.expire_all()
    assert {c.language for c in session.exec(select(Customer).where(Customer.phone == PHONE)).all()} == {"hi"}
    say("english")

    assert say("stop") == []  # Twilio answers its own SMS keywords; we record them, for every biller
    opted = session.exec(select(CustomerChannel).where(CustomerChannel.opted_out_at.is_not(None))).all()
    assert {row.customer_id for row in opted} == {a.bill.customer_id, b.bill.customer_id}
    assert say("start") == []

    [handover] = say("agent")
    assert handover.biller_id == a.biller_id
    session.expire_all()
    handed = session.exec(select(Conversation).where(Conversation.handed_over_at.is_not(None))).all()
    assert [conversation.biller_id for conversation in handed] == [a.biller_id]

    [genuine] = say(f"is this real? {PUBLIC_BASE_URL}/p/{b.token}")
    assert genuine.biller_id is None and "WATER-B1" in genuine.body

    session.expire_all()
    assert leaks(thread_text(session, a.biller_id), b) == []
    assert leaks(thread_text(session, b.biller_id), a) == []
    assert "ELEC-A1" not in thread_text(session, b.biller_id) and a.token in thread_text(session, a.biller_id)


def test_after_a_while_the_bot_asks_again_which_biller(client, session, clock, tenants):
    _, b = tenants
    seen: set[int] = set()
    text_message(client, clock, "later")
    text_message(client, clock, "2")
    [snoozed] = [reply for reply in new_replies(session, seen) if reply.biller_id is not None]
    assert snoozed.biller_id == b.biller_id and snoozed.body.startswith("Bhopal Water")
    clock.shift(31 * 60)
    text_message(client, clock, "paid")
    [question] = new_replies(session, seen)
    assert question.biller_id is None and "Which biller" in question.body


def test_whatsapp_on_the_shared_sender_answers_per_biller(client, session, clock, tenants):
    a, b = tenants
    text_message(client, clock, "bills", sender=f"whatsapp:{PHONE}", to="whatsapp:+14155550111")
    replies = new_replies(session, set())
    check_apart(replies, a, b)
    assert {(reply.channel, reply.biller_id) for reply in replies} == {
        ("whatsapp", a.biller_id),
        ("whatsapp", b.biller_id),
    }


def test_on_a_billers_own_sender_every_intent_sees_only_that_biller(client, session, clock, tenants):
    a, b = tenants
    set_sender(session=session, biller_id=b.biller_id, channel="sms", address=OWN_SMS_OF_B)
    session.commit()
    seen: set[int] = set()

    def say(text: str) -> list[OutboundMessage]:
        text_message(client, clock, text, to=OWN_SMS_OF_B)
        replies = new_replies(session, seen)
        for reply in replies:  # the person's own thread may name A's bill: the phone is A's customer too
            assert reply.biller_id is None or leaks(reply.body, a) == [], reply.body
        return replies

    for word in ("bills", "pay"):
        [reply] = say(word)
        assert reply.biller_id == b.biller_id and b.token in reply.body
    [ack] = say("paid")
    assert ack.biller_id == b.biller_id and "Thank you" in ack.body
    session.expire_all()
    assert session.get(Bill, b.bill.id).paused_until and session.get(Bill, a.bill.id).paused_until is None
    [later] = say("later")
    assert later.biller_id == b.biller_id
    say("app")
    say("2")
    say("language")
    say("3")
    session.expire_all()
    assert session.get(Customer, a.bill.customer_id).language == "en"
    assert session.get(Customer, b.bill.customer_id).language == "bn"
    say("english")
    say("stop")
    opted = session.exec(select(CustomerChannel.customer_id).where(CustomerChannel.opted_out_at.is_not(None))).all()
    assert opted == [b.bill.customer_id]
    say("start")
    [genuine] = say(f"{PUBLIC_BASE_URL}/p/{a.token}")  # A's link, forwarded to B's number
    assert genuine.biller_id is None and "ELEC-A1" in genuine.body  # answered, but in no biller's thread
    [handover] = say("agent")
    assert handover.biller_id == b.biller_id
    session.expire_all()
    assert leaks(thread_text(session, b.biller_id), a) == []
    assert thread_text(session, a.biller_id) == ""


def test_replies_go_out_from_the_billers_own_sender_when_it_has_one(app, client, session, clock, tenants, twilio):
    from channels.worker import OutboxWorker

    a, b = tenants
    set_sender(session=session, biller_id=b.biller_id, channel="sms", address=OWN_SMS_OF_B)
    session.commit()
    text_message(client, clock, "bills", to=OWN_SMS_OF_B)
    text_message(client, clock, "bills", to=SHARED_SMS)
    OutboxWorker(app, sleep=lambda seconds: None).run(once=True)
    sent = [(message["From"], message["Body"]) for message in twilio.messages]
    assert len(sent) == 3 and twilio.violations == []
    for sender, body in sent:
        if b.token in body:
            assert sender == OWN_SMS_OF_B and leaks(body, a) == []
        else:
            assert sender == SHARED_SMS and a.token in body


def test_telegram_on_the_shared_bot_asks_which_biller_with_buttons(client, session, clock, tenants):
    a, b = tenants
    chat = 555000111
    for tenant in tenants:
        customer = session.get(Customer, tenant.bill.customer_id)
        customer.telegram_chat_id = chat
        session.add(customer)
    session.commit()
    seen: set[int] = set()
    assert post_telegram(client, telegram_update(chat, text="bills")).status_code == 200
    replies = new_replies(session, seen)
    check_apart(replies, a, b)
    assert {reply.biller_id for reply in replies} == {a.biller_id, b.biller_id}
    post_telegram(client, telegram_update(chat, text="agent"))
    [question] = new_replies(session, seen)
    assert question.content_variables == {"choices": [["Asansol Power", "1"], ["Bhopal Water", "2"]]}
    post_telegram(client, telegram_update(chat, callback="2"))
    [handover] = new_replies(session, seen)
    assert handover.biller_id == b.biller_id and handover.body.startswith("Bhopal Water")


def test_while_one_billers_support_has_the_chat_free_text_reaches_only_that_support(client, session, clock, tenants):
    a, b = tenants
    for text in ("agent", "1", "my meter reading is wrong", f"and this? {PUBLIC_BASE_URL}/p/{b.token}"):
        text_message(client, clock, text)
    session.expire_all()
    assert "my meter reading is wrong" in thread_text(session, a.biller_id)
    assert "meter" not in thread_text(session, b.biller_id) and "meter" not in thread_text(session, None)
    assert leaks(thread_text(session, a.biller_id), b) == []  # B's link went to the person's own thread
    assert b.token in thread_text(session, None)


def test_whatsapp_to_a_billers_own_number_belongs_to_that_biller_alone(client, session, clock, tenants):
    a, b = tenants
    set_sender(session=session, biller_id=a.biller_id, channel="whatsapp", address="whatsapp:+14155550177")
    session.commit()
    text_message(client, clock, "paid", sender=f"whatsapp:{PHONE}", to="whatsapp:+14155550177")
    [ack] = new_replies(session, set())
    assert (ack.channel, ack.biller_id) == ("whatsapp", a.biller_id) and "Which biller" not in ack.body
    session.expire_all()
    assert session.get(Bill, a.bill.id).paused_until and session.get(Bill, b.bill.id).paused_until is None
    assert thread_text(session, b.biller_id) == ""
