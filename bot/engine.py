"""The channel-neutral bot: an inbound message in, replies (through the outbox) and actions out.

Conversation state lives in the database, so any web process can answer the next message.
The conversation is drawn in bot/conversation.mmd; which conversation a message joins, in bot/tenancy.mmd.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlmodel import Session, func, select

from accounts.audit import record_audit
from billing.apps import apps_for, catalogue
from billing.bills import current_link
from billing.checkout import load_checkout_rows
from billing.customers import record_inbound, set_opted_out
from billing.links import TOKEN_LENGTH, link_url
from billing.money import format_day, format_inr
from bot import intents, tenancy
from bot.texts import menu_choices, say
from channels.outbox import enqueue
from config import Settings
from models import Bill, Biller, Conversation, ConversationMessage, Customer
from models.vocab import PAYABLE_STATUSES, Channel

REPLIES_PER_MINUTE = 5
PAID_PAUSE = timedelta(hours=48)
DEFAULT_SNOOZE_DAYS = 3
MAX_BILLS_LISTED = 5


@dataclass(frozen=True)
class Inbound:
    """A message from a customer on any channel."""

    channel: str  # sms, whatsapp or telegram
    address: str  # E.164 phone, or a Telegram chat id
    text: str
    provider_message_id: str
    received_at: datetime
    payload: str | None = None  # a WhatsApp quick reply or Telegram button
    start_payload: str | None = None  # Telegram /start <payload>
    to: str | None = None  # the sender it was written to (Twilio's `To`): a biller's own, or the shared one


@dataclass(frozen=True)
class Reply:
    """A reply, with buttons for channels that can show them (Telegram)."""

    text: str
    choices: tuple[tuple[str, str], ...] = ()


@dataclass
class Outcome:
    """What the bot did with one inbound message."""

    duplicate: bool = False
    replies: list[str] = field(default_factory=list)


@dataclass
class Turn:
    """One message being answered: who wrote, where, in which language.

    `customers` are the conversation's biller's customers with this phone or chat; only on the
    person's own thread (no biller) are they every biller's, and then no bill is acted on.
    """

    session: Session
    settings: Settings
    inbound: Inbound
    conversation: Conversation
    customers: list[Customer]
    language: str

    @property
    def text(self) -> str:
        return self.inbound.payload or self.inbound.text


def handle_inbound(*, session: Session, inbound: Inbound, settings: Settings) -> Outcome:
    """Answer one inbound message; a provider retry of the same message changes nothing.

    The message is answered in the conversation of the biller it belongs to (bot/tenancy.py), or per
    biller when the person is a customer of several, each answer in that biller's own conversation.
    """
    if session.exec(
        select(ConversationMessage.id).where(ConversationMessage.provider_message_id == inbound.provider_message_id)
    ).first():
        return Outcome(duplicate=True)
    linked = _link_telegram(session, inbound) if inbound.start_payload else []
    threads = tenancy.route(session=session, inbound=inbound, linked_biller_id=linked[0].biller_id if linked else None)
    outcome = Outcome()
    sent = 0
    for number, thread in enumerate(threads):
        session.add(
            ConversationMessage(
                conversation_id=thread.conversation.id,
                direction="in",
                body=(thread.text or inbound.text)[:4000],
                # the first copy carries the provider's id (a retry is recognised by it), unless routing kept it
                provider_message_id=inbound.provider_message_id if number == 0 and thread.text is None else None,
                created_at=inbound.received_at,
            )
        )
        turn, replies = _answer(session, settings, inbound, thread)
        for reply in replies:
            _send(turn, reply, sent)
            sent += 1
        outcome.replies += [reply.text for reply in replies]
    return outcome


def _answer(session: Session, settings: Settings, inbound: Inbound, thread: tenancy.Thread) -> tuple[Turn, list[Reply]]:
    """The bot's replies in one conversation, labelled with the biller when the person has several."""
    customers = thread.customers
    for customer in customers:
        record_inbound(session=session, customer_id=customer.id, channel=inbound.channel, at=inbound.received_at)
    conversation = thread.conversation
    conversation.updated_at = inbound.received_at
    session.add(conversation)
    if thread.text is not None:
        inbound = replace(inbound, text=thread.text, payload=None)
    language = customers[0].language if customers else intents.script_language(inbound.text) or "en"
    turn = Turn(session, settings, inbound, conversation, customers, language)
    if conversation.handed_over_at is not None:
        return turn, []  # a person is answering: the bot stays quiet
    if thread.ask_biller:
        return turn, [_ask_biller(turn, thread.ask_biller)]
    replies = [reply if isinstance(reply, Reply) else Reply(reply) for reply in respond(turn)]
    if replies and _replies_last_minute(session, conversation.id, inbound.received_at) >= REPLIES_PER_MINUTE:
        return turn, []  # never a flood, never a loop
    if thread.label:
        replies = [
            reply if reply.text.startswith(thread.label) else replace(reply, text=f"{thread.label}: {reply.text}")
            for reply in replies
        ]
    return turn, replies


def _ask_biller(turn: Turn, billers: list[Biller]) -> Reply:
    """Which biller the message is about, by number (and as buttons where the channel has them)."""
    options = "\n".join(f"{number} {biller.name}" for number, biller in enumerate(billers, start=1))
    buttons = tuple((biller.name, str(number)) for number, biller in enumerate(billers, start=1))
    return Reply(say("choose_biller", turn.language, options=options), buttons)


def respond(turn: Turn) -> list[str | Reply]:
    """The replies to one message, by conversation state, then link, then intent."""
    text = turn.text
    state = turn.conversation.state
    if state == "choosing_app" and intents.normalise(text).isdigit():
        return choose_app(turn, int(intents.normalise(text)))
    if state == "choosing_language" and intents.normalise(text) in ("1", "2", "3"):
        return choose_language(turn, ("en", "hi", "bn")[int(intents.normalise(text)) - 1])
    turn.conversation.state = "idle"
    if turn.inbound.start_payload and turn.customers:
        return [say("connected", turn.language, biller=_biller(turn, turn.customers[0]).name)]
    named_language = intents.language_named(text)
    if named_language:
        return choose_language(turn, named_language)
    link = intents.find_link(text)
    if link:
        return check_link(turn, link)
    intent = intents.intent_of(text)
    if intent in ("stop", "start"):
        return opt(turn, intent)
    if not turn.customers:
        return [say("unknown_sender", turn.language)]
    handlers = {
        "bills": list_bills,
        "pay": pay,
        "paid": claim_paid,
        "later": snooze,
        "app": ask_app,
        "language": ask_language,
        "agent": hand_over,
    }
    handler = handlers.get(intent)
    return handler(turn) if handler else [Reply(say("menu", turn.language), menu_choices(turn.language))]


def open_bills(turn: Turn) -> list[Bill]:
    """The open bills of the turn's customers: those of the conversation's biller only."""
    ids = [customer.id for customer in turn.customers]
    return list(
        turn.session.exec(
            select(Bill)
            .where(Bill.customer_id.in_(ids), Bill.status.in_([status.value for status in PAYABLE_STATUSES]))
            .order_by(Bill.due_date)
        ).all()
    )


def list_bills(turn: Turn) -> list[str]:
    """Open bills with amount, due date and link."""
    bills = open_bills(turn)
    if not bills:
        return [say("no_bills", turn.language)]
    return ["\n".join(say("bill_line", turn.language, **_bill_values(turn, bill)) for bill in bills[:MAX_BILLS_LISTED])]


def pay(turn: Turn) -> list[str]:
    """The payment link of each open bill, naming the customer's preferred app."""
    bills = open_bills(turn)
    if not bills:
        return [say("no_bills", turn.language)]
    lines = []
    for bill in bills[:MAX_BILLS_LISTED]:
        customer = next(c for c in turn.customers if c.id == bill.customer_id)
        app = catalogue().get(customer.preferred_app or "")
        with_app = say("with_app", turn.language, app=app.name) if app else ""
        lines.append(say("pay_line", turn.language, app=with_app, **_bill_values(turn, bill)))
    return ["\n".join(lines)]


def claim_paid(turn: Turn) -> list[str]:
    """Record 'I already paid', pause reminders for 48 hours, and put it in front of support."""
    utr = intents.find_utr(turn.text)
    until = turn.inbound.received_at + PAID_PAUSE
    for bill in open_bills(turn):
        bill.paused_until = max(bill.paused_until or until, until)
        turn.session.add(bill)
        record_audit(
            session=turn.session,
            biller_id=bill.biller_id,
            actor="customer",
            action="payment.claimed",
            subject_type="bill",
            subject_id=bill.id,
            detail={"utr": utr, "channel": turn.inbound.channel},
        )
    _needs_attention(turn, "paid_claim")
    return [say("paid_ack", turn.language, utr=say("utr_note", turn.language, utr=utr) if utr else "")]


def snooze(turn: Turn) -> list[str]:
    """Pause reminders until the day asked for (3 days by default), no later than the biller allows."""
    biller = _biller(turn, turn.customers[0])
    zone = ZoneInfo(biller.timezone)
    today = turn.inbound.received_at.astimezone(zone).date()
    limit = min(_biller(turn, customer).max_snooze_days for customer in turn.customers)
    wanted = intents.later_date(turn.text, today) or today + timedelta(days=DEFAULT_SNOOZE_DAYS)
    day = min(wanted, today + timedelta(days=limit))
    until = datetime.combine(day, biller.contact_hours_start, tzinfo=zone)
    for bill in open_bills(turn):
        bill.paused_until = until
        turn.session.add(bill)
    return [say("later_ack", turn.language, date=format_day(day, turn.language))]


def ask_app(turn: Turn) -> list[Reply]:
    """Offer the biller's payment apps by number (and as buttons where the channel has them)."""
    apps = apps_for(_biller(turn, turn.customers[0]).payment_apps)
    turn.conversation.state = "choosing_app"
    options = "\n".join(f"{number} {app.name}" for number, app in enumerate(apps, start=1))
    buttons = tuple((app.name, str(number)) for number, app in enumerate(apps, start=1))
    return [Reply(say("choose_app", turn.language, options=options), buttons)]


def choose_app(turn: Turn, number: int) -> list[str]:
    """Record the app picked from the list; it comes first on the payment page."""
    apps = apps_for(_biller(turn, turn.customers[0]).payment_apps) if turn.customers else []
    if not 1 <= number <= len(apps):
        return ask_app(turn)
    for customer in turn.customers:
        customer.preferred_app = apps[number - 1].id
        turn.session.add(customer)
    turn.conversation.state = "idle"
    return [say("app_saved", turn.language, app=apps[number - 1].name)]


def ask_language(turn: Turn) -> list[Reply]:
    turn.conversation.state = "choosing_language"
    return [Reply(say("choose_language", turn.language), (("English", "1"), ("हिन्दी", "2"), ("বাংলা", "3")))]


def choose_language(turn: Turn, language: str) -> list[str]:
    """Speak this language from now on (the payment page and reminders too)."""
    for customer in turn.customers:
        customer.language = language
        turn.session.add(customer)
    turn.conversation.state = "idle"
    turn.language = language
    return [say("language_saved", language)]


def opt(turn: Turn, intent: str) -> list[str]:
    """STOP / START for this channel; Twilio already answers its own SMS keywords, so we only record them."""
    for customer in turn.customers:
        set_opted_out(
            session=turn.session, customer_id=customer.id, channel=turn.inbound.channel, opted_out=intent == "stop"
        )
    word = intents.normalise(turn.text)
    if turn.inbound.channel == Channel.SMS and word in intents.TWILIO_OPT_OUT | intents.TWILIO_OPT_IN:
        return []
    return [say("stopped" if intent == "stop" else "started", turn.language)]


def hand_over(turn: Turn) -> list[str]:
    """A person takes over; the bot acknowledges once and stays quiet until support hands back."""
    turn.conversation.handed_over_at = turn.inbound.received_at
    _needs_attention(turn, "handover")
    return [say("agent_ack", turn.language)]


def check_link(turn: Turn, link: str) -> list[str]:
    """Say whether a forwarded link is one of ours, and for which biller and bill."""
    token = _our_token(link, turn.settings)
    rows = load_checkout_rows(session=turn.session, token=token) if token else None
    if rows is None:
        return [say("link_fake", turn.language)]
    _, bill, biller, _ = rows
    return [say("link_genuine", turn.language, biller=biller.name, bill=bill.reference)]


def _our_token(link: str, settings: Settings) -> str | None:
    parts = urlsplit(link if "://" in link else f"https://{link}")
    for base in filter(None, (settings.link_base_url, settings.public_base_url)):
        ours = urlsplit(base)
        if parts.scheme == ours.scheme and parts.netloc.lower() == ours.netloc.lower():
            prefix = ours.path.rstrip("/") + ("" if base == settings.link_base_url else "/p")
            token = parts.path.removeprefix(prefix + "/")
            if len(token) == TOKEN_LENGTH and token.isalnum() and not parts.query:
                return token
    return None


def _bill_values(turn: Turn, bill: Bill) -> dict[str, str]:
    biller = turn.session.get(Biller, bill.biller_id)
    return {
        "biller": biller.name,
        "amount": format_inr(bill.amount_due_paise, turn.language),
        "due_date": format_day(bill.due_date, turn.language),
        "link": link_url(current_link(session=turn.session, bill_id=bill.id).token, settings=turn.settings),
    }


def _biller(turn: Turn, customer: Customer) -> Biller:
    return turn.session.get(Biller, customer.biller_id)


def _needs_attention(turn: Turn, reason: str) -> None:
    turn.conversation.needs_attention = reason
    turn.conversation.attention_since = turn.inbound.received_at


def _link_telegram(session: Session, inbound: Inbound) -> list[Customer]:
    customer = session.exec(select(Customer).where(Customer.telegram_link_token == inbound.start_payload)).first()
    if customer is None:
        return []
    customer.telegram_chat_id = int(inbound.address)
    session.add(customer)
    return [customer]


def _replies_last_minute(session: Session, conversation_id: int, now: datetime) -> int:
    return session.exec(
        select(func.count())
        .select_from(ConversationMessage)
        .where(
            ConversationMessage.conversation_id == conversation_id,
            ConversationMessage.direction == "out",
            ConversationMessage.author_user_id.is_(None),
            ConversationMessage.created_at > now - timedelta(minutes=1),
        )
    ).one()


def _send(turn: Turn, reply: Reply, index: int) -> None:
    # Attributed to the conversation's biller and customer: the person's own thread belongs to no biller.
    customer_id, biller_id = turn.conversation.customer_id, turn.conversation.biller_id
    choices = {"choices": [list(choice) for choice in reply.choices]} if reply.choices else None
    message = enqueue(
        session=turn.session,
        biller_id=biller_id,
        customer_id=customer_id,
        bill_id=None,
        channel=Channel(turn.inbound.channel),
        recipient=turn.inbound.address,
        body=reply.text,
        variables=choices,
        idempotency_key=f"reply:{turn.inbound.provider_message_id}:{index}",
        language=turn.language,
    )
    turn.session.flush()
    turn.session.add(
        ConversationMessage(
            conversation_id=turn.conversation.id,
            direction="out",
            body=reply.text,
            outbound_message_id=message.id,
            created_at=turn.inbound.received_at,
        )
    )
