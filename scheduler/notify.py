"""Need-based notifications: one message about a bill now, or at the next moment the biller may call."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlmodel import Session

from billing.errors import Conflict, InvalidInput
from channels.outbox import enqueue_on_first_channel, reachable_channels, reminder_variables
from models import Bill, Biller, Customer, OutboundMessage
from models.db import utcnow
from models.vocab import PAYABLE_STATUSES
from scheduler.cadences import REMINDER_TEMPLATES, next_contact_moment


def notify_bill(
    *, session: Session, bill: Bill, channels: list[str] | None = None, template: str = "notify", key: str | None = None
) -> tuple[OutboundMessage, datetime]:
    """Queue one message about an open bill, honouring opt-outs and contact hours; returns it and when it goes."""
    if bill.status not in PAYABLE_STATUSES:
        raise Conflict("This bill is not open", field="status", code="bill_closed")
    if template not in REMINDER_TEMPLATES:
        raise InvalidInput("is not a bill message template", field="template")
    customer = session.get(Customer, bill.customer_id)
    biller = session.get(Biller, bill.biller_id)
    reachable = reachable_channels(session=session, customer=customer, biller=biller)
    if channels:
        reachable = sorted((pair for pair in reachable if pair[0] in channels), key=lambda p: channels.index(p[0]))
    if not reachable:
        raise InvalidInput(
            "the customer cannot be reached on these channels (no address, or opted out)", field="channels"
        )
    now = utcnow()
    when = next_contact_moment(session=session, biller_id=bill.biller_id, now=now)
    message = enqueue_on_first_channel(
        session=session,
        bill=bill,
        customer=customer,
        biller=biller,
        template_key=template,
        variables=reminder_variables(session=session, bill=bill, now=now),
        channels=reachable,
        not_before=when,
        idempotency_key=f"notify:bill:{bill.id}:{key or secrets.token_hex(8)}",
    )
    return message, when
