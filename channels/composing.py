"""Composing a claimed message for its channel: re-checked at send time, rendered, addressed.

A bill message is withdrawn when the bill no longer wants it, held back outside contact hours, and worded with
the amount due at the moment it goes; WhatsApp outside the customer's 24-hour window goes as a template.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from sqlmodel import Session, select

from billing.customers import is_opted_out, whatsapp_window_open
from billing.senders import sender_for
from channels.base import Outgoing
from channels.failures import PermanentFailure, retry_at, withdraw
from channels.outbox import CONFIRMS_OPT_OUT, reminder_variables
from channels.rendering import numbered_variables, render_for_channel
from channels.sms import segment_count
from channels.unsubscribe import unsubscribe_url
from config import current_settings
from models import Bill, Biller, OutboundMessage
from models.vocab import PAYABLE_STATUSES, Channel, is_bill_message
from scheduler.calendar import ContactCalendar


def withdrawal_reason(message: OutboundMessage, bill: Bill | None, now: datetime) -> str | None:
    """Why a bill message must not go out any more (paid, cancelled, expired, paused), if it must not."""
    if bill is None or not is_bill_message(message.template_key):
        return None
    if bill.status not in PAYABLE_STATUSES:
        return "bill_settled"
    if bill.paused_until and bill.paused_until > now:
        return "paused"
    return None


def withdraw_changed(*, session: Session, messages: Sequence[OutboundMessage], now: datetime) -> set[int]:
    """Withdraw the composed bill messages whose bills were paid, cancelled or paused meanwhile; their ids.

    A round's bills are read once, before its first message is composed: read again here, in one query, as the
    round is about to go, none goes out for a bill settled since."""
    bill_ids = {message.bill_id for message in messages if message.bill_id and is_bill_message(message.template_key)}
    if not bill_ids:
        return set()
    fresh = select(Bill).where(Bill.id.in_(bill_ids)).execution_options(populate_existing=True)
    bills = {bill.id: bill for bill in session.scalars(fresh)}
    withdrawn = set()
    for message in messages:
        reason = withdrawal_reason(message, bills.get(message.bill_id), now)
        if reason:
            withdraw(session=session, message=message, reason=reason, now=now)
            withdrawn.add(message.id)
    return withdrawn


def compose(*, session: Session, message: OutboundMessage, now: datetime, batch: dict | None = None) -> Outgoing | None:
    """The message ready for its provider; None when it was withdrawn or put off (recorded on the row).

    Raises PermanentFailure when it can never go on this channel (opted out, too long, no template).
    `batch` keeps per-customer and per-sender lookups for the messages composed together at one instant.
    """
    batch = {} if batch is None else batch
    bill = session.get(Bill, message.bill_id) if message.bill_id else None
    reason = withdrawal_reason(message, bill, now)
    if reason:
        withdraw(session=session, message=message, reason=reason, now=now)
        return None
    variables = message.content_variables or {}
    if bill and is_bill_message(message.template_key):
        calendar = ContactCalendar(session.get(Biller, message.biller_id))
        if not calendar.is_allowed(now):  # a retry must not reach a customer at night either
            when = calendar.next_allowed(now)
            retry_at(
                session=session, message=message, when=when, code="contact_hours", text="Outside contact hours", now=now
            )
            message.attempts -= 1
            return None
        if message.content_variables is None:  # reminders are worded when sent, with the amount due then
            message.content_variables = variables = reminder_variables(session=session, bill=bill, now=now)
    if (
        message.customer_id
        and variables.get(CONFIRMS_OPT_OUT) is not True
        and _once(
            batch,
            ("opted_out", message.customer_id, message.channel),
            lambda: is_opted_out(session=session, customer_id=message.customer_id, channel=message.channel),
        )
    ):
        raise PermanentFailure("opted_out", "The customer opted out of this channel")
    rendered = render_for_channel(session=session, message=message, channel=message.channel)
    outgoing = Outgoing(
        message_id=message.id,
        channel=message.channel,
        recipient=message.recipient,
        text=rendered.text,
        pay_url=variables.get("link") if message.template_key else None,
        pay_label=f"Pay {variables.get('amount', '')}".strip(),
        subject=_subject(session, message),
        choices=tuple(tuple(choice) for choice in variables.get("choices", ())) if not message.template_key else (),
        unsubscribe_url=_unsubscribe_url(message),
    )
    own = _once(
        batch,
        ("sender", message.biller_id, message.channel),
        lambda: sender_for(session=session, biller_id=message.biller_id, channel=message.channel),
    )
    if own is not None:  # the biller's own number: its customers see its messages come from it
        outgoing = replace(outgoing, from_number=own.address, messaging_service_sid=own.messaging_service_sid)
    if message.channel == Channel.WHATSAPP:
        outgoing = _whatsapp(session, message, outgoing, rendered.content_sid, now)
    if message.channel == Channel.SMS:
        message.segments = segment_count(rendered.text)
        if message.segments > current_settings().sms_max_segments:
            raise PermanentFailure("sms_too_long", f"{message.segments} SMS segments is over the limit")
    return outgoing


def _once(batch: dict, key: tuple, look_up):
    if key not in batch:
        batch[key] = look_up()
    return batch[key]


def _whatsapp(session, message, outgoing: Outgoing, template_sid: str | None, now) -> Outgoing:
    """Free-form inside the customer's 24-hour window; outside it only an approved template may go."""
    if message.content_sid:
        sid = message.content_sid  # forced after Twilio answered 63016
    elif message.customer_id is None or whatsapp_window_open(session=session, customer_id=message.customer_id, now=now):
        return outgoing  # inside the window (a reply to someone unknown answers the message they just sent)
    else:
        sid = template_sid
    if not sid:
        raise PermanentFailure(
            "outside_window_no_template", "Outside the WhatsApp 24-hour window and no approved template"
        )
    return replace(outgoing, content_sid=sid, content_variables=numbered_variables(message.content_variables or {}))


def _subject(session: Session, message: OutboundMessage) -> str | None:
    if message.channel != Channel.EMAIL or message.biller_id is None:
        return None
    biller = session.get(Biller, message.biller_id)
    return f"{biller.name}: bill {(message.content_variables or {}).get('bill_number', '')}".strip()


def _unsubscribe_url(message: OutboundMessage) -> str | None:
    if message.channel != Channel.EMAIL or not message.customer_id:
        return None
    return unsubscribe_url(customer_id=message.customer_id, channel=Channel.EMAIL)
