"""The channel-neutral bot: an inbound message in, replies (through the outbox) and actions out.

Conversation state lives in the database, so any web process can answer the next message.
The conversation is drawn in bot/conversation.mmd; which conversation a message joins, in bot/tenancy.mmd.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlmodel import Session, func, select

from accounts.audit import record_audit
from billing.apps import PaymentApp, apps_for, catalogue
from billing.bills import current_link
from billing.checkout import load_checkout_rows
from billing.complaints import open_complaint
from billing.customers import record_inbound, set_opted_out
from billing.links import TOKEN_LENGTH, link_url
from billing.money import format_day, format_inr
from bot import tenancy
from bot.texts import intent_label, menu_choices, say
from bot.understanding import Understanding, understand
from bot.understanding.classify import CONFIDENT, is_carrier_keyword
from bot.understanding.lexicon import complaint_category
from bot.understanding.normalise import normalise, script_language
from channels.outbox import CONFIRMS_OPT_OUT, enqueue
from config import Settings
from models import Bill, Biller, Conversation, ConversationMessage, Customer, Payment
from models.complaints import ComplaintCategory
from models.vocab import PAYABLE_STATUSES, Channel

REPLIES_PER_MINUTE = 5
ALWAYS_ANSWERED = frozenset({"stop", "start", "agent", "language"})  # the reply limit never silences these
CHOOSING = "choosing:"  # state: the intents just offered, in order, e.g. "choosing:paid,pay,later"
NEVER_OFFERED = frozenset({"stop", "start", "unknown", "greeting", "thanks", "menu"})
DEFAULT_TIMEZONE = "Asia/Kolkata"  # the customer's today when no biller is known yet
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
    confirms_opt_out: bool = False  # delivered even though the customer has just opted out


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
    understanding: Understanding | None = None

    @property
    def text(self) -> str:
        return self.inbound.payload or self.inbound.text

    @property
    def intent(self) -> str | None:
        return self.understanding.intent if self.understanding else None


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
    language = (customers[0].language if customers else None) or script_language(inbound.text) or "en"
    turn = Turn(session, settings, inbound, conversation, customers, language)
    if conversation.handed_over_at is not None:
        return turn, []  # a person is answering: the bot stays quiet
    if thread.ask_biller:
        return turn, [_ask_biller(turn, thread.ask_biller)]
    replies = [reply if isinstance(reply, Reply) else Reply(reply) for reply in respond(turn)]
    if (
        replies
        and turn.intent not in ALWAYS_ANSWERED
        and _replies_last_minute(session, conversation.id, inbound.received_at) >= REPLIES_PER_MINUTE
    ):
        return turn, []  # never a flood, never a loop; but a stop, start, handover or language change is confirmed
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
    """The replies to one message: a pending numbered choice first, then what the message means."""
    words = normalise(turn.text)
    previous = turn.conversation.state
    if previous == "choosing_app" and words.isdigit():
        return choose_app(turn, int(words))
    if previous == "choosing_language" and words in ("1", "2", "3"):
        turn.understanding = Understanding(turn.text, "language", 1.0)
        return choose_language(turn, ("en", "hi", "bn")[int(words) - 1])
    turn.conversation.state = "idle"
    if turn.inbound.start_payload and turn.customers:
        return [say("connected", turn.language, biller=_biller(turn, turn.customers[0]).name)]
    turn.understanding = _understand(turn, previous, words)
    intent, slots = turn.understanding.intent, turn.understanding.slots
    if slots.url:
        return check_link(turn, slots.url)
    if intent == "language" and slots.language:
        return choose_language(turn, slots.language)
    unsure = intent == "unknown" or turn.understanding.confidence < CONFIDENT
    if intent in ("stop", "start") and not unsure:
        return opt(turn, intent)
    if not turn.customers:
        return [say("unknown_sender", turn.language)]
    if not words:
        return show_menu(turn)  # a photo, a sticker, nothing readable
    if unsure:
        return clarify(turn, misunderstood_before=previous.startswith(CHOOSING))
    return HANDLERS[intent](turn)


def _understand(turn: Turn, previous_state: str, words: str) -> Understanding:
    """A number answering the bot's own "did you mean" list picks from it; anything else is understood afresh."""
    if previous_state.startswith(CHOOSING) and words.isdigit():
        offered = previous_state.removeprefix(CHOOSING).split(",")
        if 1 <= int(words) <= len(offered):
            return Understanding(turn.text, offered[int(words) - 1], 1.0)
    return understand(turn.text, today=_customer_today(turn))


def clarify(turn: Turn, *, misunderstood_before: bool) -> list[Reply]:
    """Offer the two or three likeliest readings as numbered choices; after two misses in a row, a person."""
    if misunderstood_before:
        offered: tuple[str, ...] = ("agent", "menu")
        text = say("offer_agent", turn.language)
    else:
        first, *others = (turn.understanding.intent, *turn.understanding.alternatives)
        readings = [first] if first == "stop" else []  # a guess at stop is only ever offered, never acted on
        readings += [intent for intent in (first, *others) if intent not in NEVER_OFFERED]
        readings += [intent for intent in ("bill", "pay", "agent") if intent not in readings]  # always 2-3 choices
        offered = tuple(readings[:3])
        lines = "\n".join(f"{number} {intent_label(intent, turn.language)}" for number, intent in enumerate(offered, 1))
        text = say("did_you_mean", turn.language, options=lines)
    turn.conversation.state = CHOOSING + ",".join(offered)
    return [Reply(text, tuple((intent_label(intent, turn.language), intent) for intent in offered))]


def show_menu(turn: Turn) -> list[Reply]:
    """Everything the bot can do, one option per line (and as buttons where the channel has them)."""
    return [Reply(say("menu", turn.language), menu_choices(turn.language))]


def greet(turn: Turn) -> list[str]:
    """A short hello, not the whole menu."""
    return [say("greeting", turn.language)]


def thank(turn: Turn) -> list[str]:
    """A short you're welcome."""
    return [say("thanks", turn.language)]


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
    """Confirm a payment we already hold by its UTR; otherwise pause reminders 48 hours and tell support."""
    utr = turn.understanding.slots.utr
    payment = _recorded_payment(turn, utr) if utr else None
    if payment is not None:
        biller = turn.session.get(Biller, payment.biller_id)
        amount = format_inr(payment.amount_paise, turn.language)
        return [say("paid_confirmed", turn.language, amount=amount, biller=biller.name, utr=utr)]
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
    wanted = turn.understanding.slots.date or today + timedelta(days=DEFAULT_SNOOZE_DAYS)
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


def set_app(turn: Turn) -> list[str | Reply]:
    """Save the app the customer named ("phone pe", "फोनपे") when the biller offers it; else offer the list."""
    apps = apps_for(_biller(turn, turn.customers[0]).payment_apps)
    named = next((app for app in apps if app.id == turn.understanding.slots.app), None)
    return _save_app(turn, named) if named else ask_app(turn)


def choose_app(turn: Turn, number: int) -> list[str | Reply]:
    """Record the app picked from the list; it comes first on the payment page."""
    apps = apps_for(_biller(turn, turn.customers[0]).payment_apps) if turn.customers else []
    if not 1 <= number <= len(apps):
        return ask_app(turn)
    return _save_app(turn, apps[number - 1])


def _save_app(turn: Turn, app: PaymentApp) -> list[str]:
    for customer in turn.customers:
        customer.preferred_app = app.id
        turn.session.add(customer)
    turn.conversation.state = "idle"
    return [say("app_saved", turn.language, app=app.name)]


def set_language(turn: Turn) -> list[str | Reply]:
    """Switch to the language named ("हिंदी में", "বাংলায়"), or offer the three."""
    language = turn.understanding.slots.language
    return choose_language(turn, language) if language else ask_language(turn)


def ask_language(turn: Turn) -> list[Reply]:
    """Offer English, Hindi and Bengali by number (and as buttons)."""
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


def opt(turn: Turn, intent: str) -> list[Reply]:
    """STOP / START for this channel, confirmed exactly once: Twilio itself answers its keywords on SMS."""
    for customer in turn.customers:
        set_opted_out(
            session=turn.session, customer_id=customer.id, channel=turn.inbound.channel, opted_out=intent == "stop"
        )
    if turn.inbound.channel == Channel.SMS and is_carrier_keyword(turn.text):
        return []
    if intent == "stop":
        return [Reply(say("stopped", turn.language), confirms_opt_out=True)]
    return [Reply(say("started", turn.language))]


def hand_over(turn: Turn) -> list[str]:
    """A person takes over; the bot acknowledges once and stays quiet until support hands back."""
    turn.conversation.handed_over_at = turn.inbound.received_at
    _needs_attention(turn, "handover")
    return [say("agent_ack", turn.language)]


def complain(turn: Turn) -> list[str]:
    """Open a complaint ticket in the support inbox, with a category, and give the customer its reference."""
    category = ComplaintCategory(complaint_category(normalise(turn.text)))
    complaint = open_complaint(
        session=turn.session,
        customer=turn.customers[0],
        conversation_id=turn.conversation.id,
        category=category,
        text=turn.inbound.text,
        now=turn.inbound.received_at,
    )
    _needs_attention(turn, "complaint")
    category_name = say(f"complaint_{category.value}", turn.language)
    return [say("complaint_opened", turn.language, category=category_name, reference=complaint.reference)]


def ask_for_link(turn: Turn) -> list[str]:
    """'Is this genuine?' without a link: ask for it, and say what ours look like."""
    domain = urlsplit(turn.settings.link_base_url or turn.settings.public_base_url).netloc
    return [say("send_link", turn.language, domain=domain)]


def check_link(turn: Turn, link: str) -> list[str]:
    """Say whether a forwarded link is one of ours, and for which biller and bill."""
    token = _our_token(link, turn.settings)
    rows = load_checkout_rows(session=turn.session, token=token) if token else None
    if rows is None:
        return [say("link_fake", turn.language)]
    _, bill, biller, _ = rows
    return [say("link_genuine", turn.language, biller=biller.name, bill=bill.reference)]


def _our_token(link: str, settings: Settings) -> str | None:
    """The token of a link on our short-link or payment-page host; a query (?lang=hi) or a trailing / is fine."""
    parts = urlsplit(link if "://" in link else f"https://{link}")
    for base, prefix in ((settings.link_base_url, ""), (settings.public_base_url, "/p")):
        ours = urlsplit(base or "")
        try:
            same_host = bool(ours.hostname) and (parts.hostname, parts.port) == (ours.hostname, ours.port)
        except ValueError:  # a malformed port: not ours
            return None
        if same_host:
            token = parts.path.rstrip("/").removeprefix(ours.path.rstrip("/") + prefix + "/")
            if len(token) == TOKEN_LENGTH and token.isalnum():
                return token
    return None


def _recorded_payment(turn: Turn, utr: str) -> Payment | None:
    """A payment already recorded with this UTR against one of this customer's bills."""
    ids = [customer.id for customer in turn.customers]
    return turn.session.exec(
        select(Payment)
        .join(Bill, Bill.id == Payment.bill_id)
        .where(Payment.reference == utr, Bill.customer_id.in_(ids))
    ).first()


def _customer_today(turn: Turn) -> date:
    zone = _biller(turn, turn.customers[0]).timezone if turn.customers else DEFAULT_TIMEZONE
    return turn.inbound.received_at.astimezone(ZoneInfo(zone)).date()


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
    variables = {"choices": [list(choice) for choice in reply.choices]} if reply.choices else {}
    if reply.confirms_opt_out:
        variables[CONFIRMS_OPT_OUT] = True
    message = enqueue(
        session=turn.session,
        biller_id=biller_id,
        customer_id=customer_id,
        bill_id=None,
        channel=Channel(turn.inbound.channel),
        recipient=turn.inbound.address,
        body=reply.text,
        variables=variables or None,
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


HANDLERS = {
    "bill": list_bills,
    "pay": pay,
    "paid": claim_paid,
    "later": snooze,
    "app": set_app,
    "language": set_language,
    "agent": hand_over,
    "complaint": complain,
    "link_check": ask_for_link,
    "greeting": greet,
    "thanks": thank,
    "menu": show_menu,
}
