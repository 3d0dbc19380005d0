"""Which biller's conversation an inbound message belongs to: tenancy follows the biller, not the phone.

A message to a biller's own sender belongs to that biller alone. On the platform's shared sender a
phone may be a customer of several billers (families share phones; one person pays several billers):
each biller then has a conversation of its own, and the person has one more, without a biller, for
what concerns them rather than a biller (language, stop, "which biller?"). Questions about bills are
answered per biller, each answer in that biller's conversation; an action on one biller's bills asks
which biller first, and the choice holds for a while.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from sqlmodel import Session, select

from billing.billers import biller_today
from billing.senders import biller_of_sender
from bot.understanding import understand
from bot.understanding.classify import CONFIDENT
from bot.understanding.normalise import normalise
from bot.understanding.slots import find_url
from models import Bill, Biller, Conversation, ConversationMessage, Customer, PaymentLink
from models.vocab import Channel, ConversationState

CHOOSING_BILLER = ConversationState.CHOOSING_BILLER
FOCUS = timedelta(minutes=30)
EACH_BILLER_INTENTS = {"bill", "bills", "pay"}  # answered per biller, each labelled
ONE_BILLER_INTENTS = {"paid", "later", "app", "agent", "complaint"}  # act on one biller's bills: which one?
PERSON_INTENTS = {"stop", "start", "language"}  # the person's, whichever biller


@dataclass
class Thread:
    """One conversation to answer in, with the customers whose bills it may see."""

    conversation: Conversation
    customers: list[Customer]
    text: str | None = None  # the message to answer when it is an earlier one (answered once the biller is chosen)
    label: str | None = None  # the biller's name, when the person is a customer of several billers
    ask_biller: list[Biller] = field(default_factory=list)  # ask which of these billers the message is about


def route(*, session: Session, inbound, linked_biller_id: int | None = None) -> list[Thread]:
    """The conversations this message is answered in; the first holds the message itself."""
    own = biller_of_sender(session=session, channel=inbound.channel, address=inbound.to)
    customers = customers_of(session=session, inbound=inbound, biller_id=own)
    by_biller: dict[int, list[Customer]] = {}
    for customer in customers:
        by_biller.setdefault(customer.biller_id, []).append(customer)
    link_biller = _link_biller(session, inbound.payload or inbound.text)
    if link_biller is not None and link_biller not in ({own} if own is not None else set(by_biller)) | {-1}:
        # A link to another biller's bill (forwarded to be checked) is not this biller's to see.
        person = conversation_for(session=session, inbound=inbound, biller_id=None, customers=[])
        return [Thread(person, customers)]
    if own is not None:
        conversation = conversation_for(session=session, inbound=inbound, biller_id=own, customers=customers)
        return [Thread(conversation, customers)]
    if len(by_biller) <= 1:
        biller_id = next(iter(by_biller), None)
        conversation = conversation_for(session=session, inbound=inbound, biller_id=biller_id, customers=customers)
        return [Thread(conversation, customers)]
    return _shared(session, inbound, by_biller, linked_biller_id)


def customers_of(*, session: Session, inbound, biller_id: int | None = None) -> list[Customer]:
    """Customers with this phone or Telegram chat: of one biller when given, else of every biller."""
    if inbound.channel == Channel.TELEGRAM:
        condition = Customer.telegram_chat_id == int(inbound.address)
    else:
        condition = Customer.phone == inbound.address
    statement = select(Customer).where(condition)
    if biller_id is not None:
        statement = statement.where(Customer.biller_id == biller_id)
    return list(session.exec(statement.order_by(Customer.id)).all())


def conversation_for(*, session: Session, inbound, biller_id: int | None, customers: list[Customer]) -> Conversation:
    """The conversation on this channel address with this biller (None: the person's own), created on first use."""
    owner = Conversation.biller_id.is_(None) if biller_id is None else Conversation.biller_id == biller_id
    conversation = session.exec(
        select(Conversation)
        .where(Conversation.channel == inbound.channel, Conversation.address == inbound.address, owner)
        .order_by(Conversation.id)
    ).first()
    if conversation is None:
        conversation = Conversation(channel=inbound.channel, address=inbound.address, biller_id=biller_id)
        session.add(conversation)
    if conversation.customer_id is None and biller_id is not None and customers:
        conversation.customer_id = customers[0].id
    session.flush()
    return conversation


def scope_of(text: str, today: date) -> str:
    """Whether a message concerns the person ("person"), each biller ("each"), one biller ("one"), or
    is free text ("any": the biller being talked to, if there is one) — read as the engine reads it."""
    understanding = understand(text, today=today)
    if understanding.slots.url or (understanding.intent == "language" and understanding.slots.language):
        return "person"
    intent = understanding.intent if understanding.confidence >= CONFIDENT else "unknown"
    if intent in EACH_BILLER_INTENTS:
        return "each"
    if intent in ONE_BILLER_INTENTS:
        return "one"
    if intent in PERSON_INTENTS:
        return "person"
    return "any"


def _shared(session: Session, inbound, by_biller: dict[int, list[Customer]], linked_biller_id: int | None):
    person = conversation_for(session=session, inbound=inbound, biller_id=None, customers=[])
    billers = sorted((session.get(Biller, biller_id) for biller_id in by_biller), key=lambda biller: biller.name)
    names = {biller.id: biller.name for biller in billers}
    everyone = [customer for customers in by_biller.values() for customer in customers]
    now = inbound.received_at

    def thread_of(biller_id: int, text: str | None = None) -> Thread:
        customers = by_biller[biller_id]
        conversation = conversation_for(session=session, inbound=inbound, biller_id=biller_id, customers=customers)
        return Thread(conversation, customers, text=text, label=names[biller_id])

    if linked_biller_id in by_biller:  # Telegram /start with one biller's link
        _focus(person, linked_biller_id, now)
        return [thread_of(linked_biller_id)]
    text = inbound.payload or inbound.text
    if person.state == CHOOSING_BILLER:
        person.state = ConversationState.IDLE
        word = normalise(text)
        if word.isdigit() and 1 <= int(word) <= len(billers):
            chosen = billers[int(word) - 1].id
            _focus(person, chosen, now)
            return [thread_of(chosen, text=_answer_choice(session, person, inbound))]
    if person.state != ConversationState.IDLE:  # a question asked on the person's own thread (which language?)
        return [Thread(person, everyone)]
    focus = _focus_of(session, person, inbound, by_biller, now)
    focused = thread_of(focus).conversation if focus is not None else None
    if focused is not None and focused.state != ConversationState.IDLE:
        return [thread_of(focus)]  # the number answers that biller's question (which app?)
    scope = scope_of(text, biller_today(None, now))  # before a biller is chosen: the default zone's day
    if scope == "person":
        return [Thread(person, everyone)]
    if focused is not None and focused.handed_over_at is not None:
        return [thread_of(focus)]  # talking to that biller's support
    if scope == "each":
        return [thread_of(biller.id) for biller in billers]
    if focus is not None:
        _focus(person, focus, now)
        return [thread_of(focus)]
    if scope == "one":
        person.state = CHOOSING_BILLER
        return [Thread(person, everyone, ask_biller=billers)]
    return [Thread(person, everyone)]


def _link_biller(session: Session, text: str) -> int | None:
    """The biller whose payment link the message carries; -1 for a link that is none of ours; None without one."""
    link = find_url(text)
    if link is None:
        return None
    token = urlsplit(link if "://" in link else f"https://{link}").path.rstrip("/").rsplit("/", 1)[-1]
    biller_id = session.exec(
        select(Bill.biller_id).join(PaymentLink, PaymentLink.bill_id == Bill.id).where(PaymentLink.token == token)
    ).first()
    return -1 if biller_id is None else biller_id


def _answer_choice(session: Session, person: Conversation, inbound) -> str:
    """Record the chosen number on the person's thread; the message it chose for is answered now."""
    asked = session.exec(
        select(ConversationMessage.body)
        .where(ConversationMessage.conversation_id == person.id, ConversationMessage.direction == "in")
        .order_by(ConversationMessage.id.desc())
    ).first()
    session.add(
        ConversationMessage(
            conversation_id=person.id,
            direction="in",
            body=inbound.text[:4000],
            provider_message_id=inbound.provider_message_id,
            created_at=inbound.received_at,
        )
    )
    return asked or "menu"


def _focus(person: Conversation, biller_id: int, now: datetime) -> None:
    person.focus_biller_id, person.focus_until = biller_id, now + FOCUS


def _focus_of(session: Session, person: Conversation, inbound, by_biller: dict, now: datetime) -> int | None:
    """The biller being talked about: the one chosen lately, or the only one whose support has the chat."""
    if person.focus_biller_id in by_biller and person.focus_until and person.focus_until > now:
        return person.focus_biller_id
    handed_over = session.exec(
        select(Conversation.biller_id).where(
            Conversation.channel == inbound.channel,
            Conversation.address == inbound.address,
            Conversation.biller_id.in_(list(by_biller)),
            Conversation.handed_over_at.is_not(None),
        )
    ).all()
    return handed_over[0] if len(handed_over) == 1 else None
