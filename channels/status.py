"""Delivery status from providers: applied in order of progress, never backwards, whatever order it arrives in."""

from __future__ import annotations

from sqlmodel import Session, select

from channels.failures import apply_failure_side_effects, fall_back
from models import OutboundMessage
from models.db import utcnow
from models.vocab import MessageStatus

# How far along a message is; a status only replaces one further back.
PROGRESS = {
    MessageStatus.QUEUED: 0,
    MessageStatus.SENDING: 1,
    MessageStatus.SENT: 2,
    MessageStatus.FAILED: 3,
    MessageStatus.UNDELIVERED: 3,
    MessageStatus.DELIVERED: 3,
    MessageStatus.READ: 4,
}
PROVIDER_STATUSES = {
    "accepted": "sent",
    "scheduled": "sent",
    "queued": "sent",
    "sending": "sent",
    "sent": "sent",
    "delivered": "delivered",
    "read": "read",
    "failed": "failed",
    "undelivered": "undelivered",
}


def apply_provider_status(
    *, session: Session, provider_message_id: str, provider_status: str, error_code: str | None
) -> OutboundMessage | None:
    """Move a message forward to what the provider reports; failures opt out, invalidate or fall back."""
    message = session.exec(
        select(OutboundMessage).where(OutboundMessage.provider_message_id == provider_message_id)
    ).first()
    status = PROVIDER_STATUSES.get(provider_status)
    if message is None or status is None:
        return message
    current, new = MessageStatus(message.status), MessageStatus(status)
    if PROGRESS.get(new, 0) <= PROGRESS.get(current, 0):
        return message
    message.status = new.value
    message.updated_at = utcnow()
    if new in (MessageStatus.FAILED, MessageStatus.UNDELIVERED):
        message.error_code = error_code or new.value
        apply_failure_side_effects(session=session, message=message, code=error_code)
        fall_back(session=session, message=message)
    session.add(message)
    return message
