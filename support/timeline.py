"""A customer's whole story, newest first: every message with its delivery state, link opens, app choices,
payments and internal notes — one list the support desk reads top to bottom."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from billing.checkout import ANY_APP
from billing.money import format_inr
from models import Bill, CustomerNote, LinkEvent, OutboundMessage, Payment
from support.labels import app_label, channel_label, failure_label, status_label, template_label


@dataclass(frozen=True)
class Event:
    """One line of the timeline: when, what kind (message, link, payment, note) and what happened, in words."""

    at: datetime
    kind: str
    text: str


def _message_text(message: OutboundMessage) -> str:
    text = f"{channel_label(message.channel)} {template_label(message.template_key)}: {status_label(message.status)}"
    if message.error_code and message.status in ("failed", "undelivered", "cancelled", "queued"):
        text += f" — {failure_label(message.error_code)}"
    return text


def _link_text(event: LinkEvent) -> str:
    if event.kind == "opened":
        return "opened the payment link"
    if event.kind == "app_chosen":
        if event.app == ANY_APP:
            return "was shown the QR code on a computer"
        return f"chose {app_label(event.app)}" + (f" on {event.platform}" if event.platform else "")
    return event.kind.replace("_", " ")


def customer_timeline(*, session: Session, customer_id: int) -> list[Event]:
    """Everything that happened with the customer and their bills, newest first."""
    bill_ids = select(Bill.id).where(Bill.customer_id == customer_id)
    events = [
        Event(message.created_at, "message", _message_text(message))
        for message in session.exec(select(OutboundMessage).where(OutboundMessage.customer_id == customer_id)).all()
    ]
    events += [
        Event(event.created_at, "link", _link_text(event))
        for event in session.exec(select(LinkEvent).where(LinkEvent.bill_id.in_(bill_ids))).all()
    ]
    events += [
        Event(
            payment.paid_at,
            "payment",
            f"paid {format_inr(payment.amount_paise, 'en')} ({payment.source}, ref {payment.reference})",
        )
        for payment in session.exec(select(Payment).where(Payment.bill_id.in_(bill_ids))).all()
    ]
    events += [
        Event(note.created_at, "note", f"note: {note.body}")
        for note in session.exec(select(CustomerNote).where(CustomerNote.customer_id == customer_id)).all()
    ]
    events.sort(key=lambda event: event.at, reverse=True)
    return events
