"""One inbound message being answered: what came in, who wrote, and the replies going out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session

from billing.billers import biller_today
from bot.understanding import Understanding
from config import Settings
from models import Biller, Conversation, Customer


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


def biller_of(turn: Turn, customer: Customer) -> Biller:
    """The biller a customer of this turn belongs to."""
    return turn.session.get(Biller, customer.biller_id)


def customer_today(turn: Turn) -> date:
    """The customer's calendar day: their biller's, or the default zone's before a biller is known."""
    biller = biller_of(turn, turn.customers[0]) if turn.customers else None
    return biller_today(biller, turn.inbound.received_at)
