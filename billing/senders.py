"""A biller's own senders: messages to them belong to that biller alone, and its messages go out from them."""

from __future__ import annotations

import re

import phonenumbers
from sqlmodel import Session, select

from errors import InvalidInput
from models import BillerSender
from models.vocab import Channel

SENDER_CHANNELS = (Channel.SMS, Channel.WHATSAPP)
MESSAGING_SERVICE_SID = re.compile(r"^MG[0-9a-fA-F]{32}$")


def sender_number(raw: str) -> str:
    """A sender's number in E.164 (any country: Twilio numbers are often not Indian), or InvalidInput."""
    text = raw.strip().removeprefix("whatsapp:")
    try:
        number = phonenumbers.parse(text, "IN")
    except phonenumbers.NumberParseException:
        raise InvalidInput("Give the sender as a phone number, e.g. +14155550100", field="address") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidInput("That sender is not a valid phone number", field="address")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def set_sender(
    *, session: Session, biller_id: int, channel: str, address: str, messaging_service_sid: str | None = None
) -> BillerSender:
    """Give the biller its own sender on a channel (replacing any it had); a number serves one biller only."""
    if channel not in {str(name) for name in SENDER_CHANNELS}:
        raise InvalidInput("A biller's own sender is for sms or whatsapp", field="channel")
    number = sender_number(address)
    if messaging_service_sid and not MESSAGING_SERVICE_SID.match(messaging_service_sid):
        raise InvalidInput("A Messaging Service SID is MG followed by 32 hex digits", field="messaging_service_sid")
    taken = session.exec(
        select(BillerSender).where(BillerSender.channel == channel, BillerSender.address == number)
    ).first()
    if taken is not None and taken.biller_id != biller_id:
        raise InvalidInput("That number is another biller's sender", field="address")
    sender = sender_for(session=session, biller_id=biller_id, channel=channel) or BillerSender(
        biller_id=biller_id, channel=channel, address=number
    )
    sender.address = number
    sender.messaging_service_sid = messaging_service_sid or None
    session.add(sender)
    session.flush()
    return sender


def remove_sender(*, session: Session, biller_id: int, channel: str) -> bool:
    """Send from the platform's shared sender again; True when there was an own sender to remove."""
    sender = sender_for(session=session, biller_id=biller_id, channel=channel)
    if sender is None:
        return False
    session.delete(sender)
    session.flush()
    return True


def sender_for(*, session: Session, biller_id: int | None, channel: str) -> BillerSender | None:
    """The biller's own sender on this channel, if it has one."""
    if biller_id is None:
        return None
    return session.exec(
        select(BillerSender).where(BillerSender.biller_id == biller_id, BillerSender.channel == channel)
    ).first()


def biller_of_sender(*, session: Session, channel: str, address: str | None) -> int | None:
    """The biller whose own sender this address is (Twilio's `To`); None for the platform's shared sender."""
    if not address:
        return None
    number = address.removeprefix("whatsapp:")
    return session.exec(
        select(BillerSender.biller_id).where(BillerSender.channel == channel, BillerSender.address == number)
    ).first()


def own_sender_numbers(*, session: Session) -> set[str]:
    """Every biller's own sender number (so the bot never answers a message from one of them)."""
    return set(session.exec(select(BillerSender.address)).all())
