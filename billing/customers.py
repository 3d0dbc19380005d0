"""Customer records: upsert by the biller's reference, and their public shape."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlmodel import Session, select

import events
from billing.links import TOKEN_ALPHABET
from billing.schemas import CustomerIn, CustomerPublic
from errors import NotFound
from models import Customer, CustomerChannel
from models.db import utcnow
from models.webhooks import EventType

_UPDATABLE = ("name", "phone", "email", "language", "preferred_channel")
WHATSAPP_WINDOW = timedelta(hours=24)


def find_customer(*, session: Session, biller_id: int, reference: str) -> Customer | None:
    """The biller's customer with this reference, if any."""
    return session.exec(
        select(Customer).where(Customer.biller_id == biller_id, Customer.reference == reference)
    ).first()


def get_customer(*, session: Session, biller_id: int, reference: str) -> Customer:
    """The biller's customer with this reference, or NotFound."""
    customer = find_customer(session=session, biller_id=biller_id, reference=reference)
    if customer is None:
        raise NotFound("No customer with that reference", field="reference")
    return customer


def upsert_customer(*, session: Session, biller_id: int, data: CustomerIn) -> tuple[Customer, bool]:
    """Create the customer, or update only the fields the biller sent; returns (customer, created)."""
    customer = find_customer(session=session, biller_id=biller_id, reference=data.reference)
    if customer is None:
        customer = Customer(biller_id=biller_id, **data.model_dump(mode="json"))
        session.add(customer)
        session.flush()
        return customer, True
    for field in _UPDATABLE:
        if field in data.model_fields_set:
            value = getattr(data, field)
            setattr(customer, field, value.value if hasattr(value, "value") else value)
    customer.updated_at = utcnow()
    session.add(customer)
    session.flush()
    return customer, False


def opted_out_channels(*, session: Session, customer_id: int) -> list[str]:
    """The channels this customer asked us not to use."""
    rows = session.exec(
        select(CustomerChannel.channel).where(
            CustomerChannel.customer_id == customer_id, CustomerChannel.opted_out_at.is_not(None)
        )
    ).all()
    return sorted(rows)


def customer_public(*, session: Session, customer: Customer) -> CustomerPublic:
    """The customer as the API shows it."""
    return CustomerPublic(
        reference=customer.reference,
        name=customer.name,
        phone=customer.phone,
        email=customer.email,
        language=customer.language,
        preferred_app=customer.preferred_app,
        preferred_channel=customer.preferred_channel,
        opted_out=opted_out_channels(session=session, customer_id=customer.id),
    )


def channel_state(*, session: Session, customer_id: int, channel: str) -> CustomerChannel:
    """The customer's state row for a channel, created on first use."""
    state = session.exec(
        select(CustomerChannel).where(CustomerChannel.customer_id == customer_id, CustomerChannel.channel == channel)
    ).first()
    if state is None:
        state = CustomerChannel(customer_id=customer_id, channel=channel)
        session.add(state)
        session.flush()
    return state


def set_opted_out(*, session: Session, customer_id: int, channel: str, opted_out: bool) -> None:
    """Record that the customer left (or rejoined) a channel; every sender honours it from the next message."""
    state = channel_state(session=session, customer_id=customer_id, channel=channel)
    newly_out = opted_out and state.opted_out_at is None
    state.opted_out_at = utcnow() if opted_out else None
    session.add(state)
    session.flush()
    if newly_out:
        customer = session.get(Customer, customer_id)
        data = {"customer": {"reference": customer.reference}, "channel": channel}
        events.emit(session, customer.biller_id, EventType.CUSTOMER_OPTED_OUT, data)


def is_opted_out(*, session: Session, customer_id: int, channel: str) -> bool:
    """Whether the customer asked us not to use this channel."""
    return channel in opted_out_channels(session=session, customer_id=customer_id)


def whatsapp_window_open(*, session: Session, customer_id: int, now) -> bool:
    """True within 24 hours of the customer's last WhatsApp message: free-form messages are allowed then."""
    last = session.exec(
        select(CustomerChannel.last_inbound_at).where(
            CustomerChannel.customer_id == customer_id, CustomerChannel.channel == "whatsapp"
        )
    ).first()
    return last is not None and now - last < WHATSAPP_WINDOW


def record_inbound(*, session: Session, customer_id: int, channel: str, at) -> None:
    """Note when the customer last wrote to us on a channel (opens WhatsApp's 24-hour window)."""
    state = channel_state(session=session, customer_id=customer_id, channel=channel)
    state.last_inbound_at = at
    session.add(state)
    session.flush()


def telegram_link_token(*, session: Session, customer: Customer) -> str:
    """The customer's Telegram deep-link payload (t.me/<bot>?start=<token>), made on first use."""
    if customer.telegram_link_token is None:
        customer.telegram_link_token = "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(20))
        session.add(customer)
        session.flush()
    return customer.telegram_link_token


def set_preferred_app(*, session: Session, customers: list[Customer], app_id: str) -> None:
    """The payment app the customer chose (on the payment page, or named to the bot) comes first next time."""
    for customer in customers:
        customer.preferred_app = app_id
        session.add(customer)
