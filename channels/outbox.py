"""The outbox: every message to a customer is written here first and sent later by the worker."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from billing.amounts import amount_choice
from billing.billers import biller_today
from billing.bills import current_link
from billing.links import link_url, receipt_url
from billing.money import format_day, format_inr
from config import current_settings
from models import Bill, Biller, Customer, CustomerChannel, OutboundMessage, Payment
from models.db import utcnow
from models.reach import channel_addresses, reachable_in_order
from models.vocab import Channel

# A message variable marking the one reply that confirms an opt-out: the worker sends it although the
# customer has just opted out of the channel (every other message to them is withheld).
CONFIRMS_OPT_OUT = "confirms_opt_out"


def enqueue(
    *,
    session: Session,
    biller_id: int | None,
    customer_id: int | None,
    bill_id: int | None,
    channel: Channel,
    recipient: str,
    idempotency_key: str,
    template_key: str | None = None,
    body: str | None = None,
    variables: dict | None = None,
    language: str = "en",
    fallback_channels: list[str] | None = None,
    not_before: datetime | None = None,
    cadence_step: int | None = None,
) -> OutboundMessage:
    """Write a message to the outbox once: a second enqueue with the same key returns the first row."""
    existing = session.exec(select(OutboundMessage).where(OutboundMessage.idempotency_key == idempotency_key)).first()
    if existing is not None:
        return existing
    message = OutboundMessage(
        biller_id=biller_id,
        customer_id=customer_id,
        bill_id=bill_id,
        channel=channel.value,
        recipient=recipient,
        template_key=template_key,
        body=body,
        content_variables=variables,
        language=language,
        cadence_step=cadence_step,
        fallback_channels=[str(channel) for channel in fallback_channels or []],
        idempotency_key=idempotency_key,
        next_attempt_at=not_before or utcnow(),
    )
    try:
        with session.begin_nested():
            session.add(message)
    except IntegrityError:
        # Another process enqueued the same logical message between our check and insert.
        return session.exec(select(OutboundMessage).where(OutboundMessage.idempotency_key == idempotency_key)).one()
    return message


def reachable_channels(*, session: Session, customer: Customer, biller: Biller) -> list[tuple[Channel, str]]:
    """Where this customer can be reached, in the order to try: their preference, then the biller's order."""
    opted_out = set(
        session.exec(
            select(CustomerChannel.channel).where(
                CustomerChannel.customer_id == customer.id, CustomerChannel.opted_out_at.is_not(None)
            )
        ).all()
    )
    addresses = channel_addresses(
        phone=customer.phone,
        phone_invalid_at=customer.phone_invalid_at,
        email=customer.email,
        telegram_chat_id=customer.telegram_chat_id,
    )
    # Any message may go wherever the customer prefers; Telegram, once linked, is always a way to reach them.
    order = [customer.preferred_channel, *biller.channels_in_order, Channel.TELEGRAM.value]
    return reachable_in_order(
        order=filter(None, order), preferred=customer.preferred_channel, addresses=addresses, opted_out=opted_out
    )


def bill_variables(*, session: Session, bill: Bill, customer: Customer, biller: Biller, amount_paise: int) -> dict:
    """The template variables describing a bill, formatted in the customer's language."""
    link = current_link(session=session, bill_id=bill.id)
    return {
        "customer_name": customer.name,
        "biller_name": biller.name,
        "bill_number": bill.reference,
        "amount": format_inr(amount_paise, customer.language),
        "due_date": format_day(bill.due_date, customer.language),
        "link": link_url(link.token, settings=current_settings()),
    }


def reminder_variables(*, session: Session, bill: Bill, now: datetime) -> dict:
    """A reminder's variables at the moment it is sent: the amount due today (early or late amount included)."""
    customer = session.get(Customer, bill.customer_id)
    biller = session.get(Biller, bill.biller_id)
    amount = amount_choice(bill, today=biller_today(biller, now)).due_paise
    return bill_variables(session=session, bill=bill, customer=customer, biller=biller, amount_paise=amount)


def queue_receipt(*, session: Session, bill: Bill, payment: Payment) -> OutboundMessage | None:
    """Thank the customer for a payment on the first channel that reaches them (sent at once)."""
    customer = session.get(Customer, bill.customer_id)
    biller = session.get(Biller, bill.biller_id)
    variables = bill_variables(
        session=session, bill=bill, customer=customer, biller=biller, amount_paise=payment.amount_paise
    )
    variables["reference"] = payment.reference
    variables["balance"] = format_inr(bill.amount_due_paise, customer.language)
    token = current_link(session=session, bill_id=bill.id).token
    variables["receipt_link"] = receipt_url(token, settings=current_settings())
    return enqueue_on_first_channel(
        session=session,
        bill=bill,
        customer=customer,
        biller=biller,
        template_key="receipt",
        variables=variables,
        idempotency_key=f"receipt:payment:{payment.id}",
    )


def enqueue_on_first_channel(
    *,
    session: Session,
    bill: Bill | None,
    customer: Customer,
    biller: Biller,
    template_key: str,
    variables: dict,
    idempotency_key: str,
    channels: list[tuple[Channel, str]] | None = None,
    not_before: datetime | None = None,
) -> OutboundMessage | None:
    """Queue a templated message on the first reachable channel, the rest kept as its fallbacks."""
    channels = (
        channels if channels is not None else reachable_channels(session=session, customer=customer, biller=biller)
    )
    if not channels:
        return None
    (channel, recipient), rest = channels[0], channels[1:]
    return enqueue(
        session=session,
        biller_id=biller.id,
        customer_id=customer.id,
        bill_id=bill.id if bill else None,
        channel=channel,
        recipient=recipient,
        idempotency_key=f"{idempotency_key}:{channel}",
        template_key=template_key,
        variables=variables,
        language=customer.language,
        fallback_channels=[name for name, _ in rest],
        not_before=not_before,
    )
