"""Events for the biller's own systems: `emit` queues one signed delivery per subscribed endpoint.

Called at the one place each thing happens (a payment recorded, a bill's status changing, a message failing,
a complaint opened, an opt-out), in that change's own transaction: the deliveries commit with it or not at all.
The worker sends them (webhooks_out.dispatch). This package imports only models, so any domain may emit.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime

from sqlmodel import Session, select

from models import Bill, Customer, OutboundMessage, Payment
from models.db import utcnow
from models.webhooks import EventType, WebhookDelivery, WebhookEndpoint


def new_event_id() -> str:
    """A unique, unguessable event id; the same for every endpoint that hears the event."""
    return f"evt_{secrets.token_hex(12)}"


def event_body(*, event_id: str, type: str, data: dict, now: datetime) -> str:
    """The delivery body of DESIGN §4: `{"id", "type", "created_at", "data"}`, serialised once."""
    return json.dumps({"id": event_id, "type": type, "created_at": now.isoformat(), "data": data}, sort_keys=True)


def emit(session: Session, biller_id: int, type: str, data: dict) -> int:
    """Queue the event for every active endpoint of the biller that asked for it; returns how many. Flushes."""
    endpoints = session.exec(
        select(WebhookEndpoint.id, WebhookEndpoint.events).where(
            WebhookEndpoint.biller_id == biller_id, WebhookEndpoint.active.is_(True)
        )
    ).all()
    wanted = [endpoint_id for endpoint_id, events in endpoints if type in events]
    return len(queue(session, biller_id=biller_id, endpoint_ids=wanted, type=type, data=data))


def queue(session: Session, *, biller_id: int, endpoint_ids: list[int], type: str, data: dict) -> list[WebhookDelivery]:
    """One event, one delivery per endpoint, each due now; flushes."""
    if not endpoint_ids:
        return []
    now = utcnow()
    event_id = new_event_id()
    body = event_body(event_id=event_id, type=type, data=data, now=now)
    deliveries = [
        WebhookDelivery(
            biller_id=biller_id,
            endpoint_id=endpoint_id,
            event_id=event_id,
            event_type=type,
            body=body,
            next_attempt_at=now,
            created_at=now,
        )
        for endpoint_id in endpoint_ids
    ]
    session.add_all(deliveries)
    session.flush()
    return deliveries


def bill_data(session: Session, bill: Bill) -> dict:
    """A bill as events describe it: the biller's own references, amounts in paise, and where it stands."""
    customer = session.get(Customer, bill.customer_id)
    return {
        "id": bill.id,
        "reference": bill.reference,
        "customer_reference": customer.reference if customer else None,
        "amount": bill.amount_paise,
        "amount_due": bill.amount_due_paise,
        "due_date": bill.due_date.isoformat(),
        "status": bill.status,
    }


def payment_data(payment: Payment) -> dict:
    """A payment as events describe it."""
    return {
        "id": payment.id,
        "bill_id": payment.bill_id,
        "amount": payment.amount_paise,
        "reference": payment.reference,
        "app": payment.app,
        "source": payment.source,
        "paid_at": payment.paid_at.isoformat(),
    }


def message_failed(session: Session, message: OutboundMessage, code: str | None) -> int:
    """Emit message.failed for a message the provider refused or could not deliver (no recipient address)."""
    if message.biller_id is None:
        return 0
    customer = session.get(Customer, message.customer_id) if message.customer_id else None
    data = {
        "id": message.id,
        "bill_id": message.bill_id,
        "customer_reference": customer.reference if customer else None,
        "channel": message.channel,
        "template": message.template_key,
        "status": message.status,
        "error_code": code or message.error_code,
    }
    return emit(session, message.biller_id, EventType.MESSAGE_FAILED, {"message": data})
