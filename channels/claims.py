"""Claiming outbox rows for a worker and writing back, in one statement each, what the provider accepted."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import bindparam, case, or_, select, update
from sqlmodel import Session

from channels.base import OUTCOME_UNKNOWN, Delivery
from models import OutboundMessage
from models.vocab import MessageStatus


def claim_due(*, session: Session, limit: int, now: datetime, lease: timedelta) -> list[int]:
    """Take up to `limit` due messages (and ones whose worker died) for this worker, atomically.

    A message taken over from a dead worker (still `sending`, lease expired) is marked OUTCOME_UNKNOWN
    in the same statement: the provider may already have it.
    """
    due = or_(
        (OutboundMessage.status == MessageStatus.QUEUED) & (OutboundMessage.next_attempt_at <= now),
        (OutboundMessage.status == MessageStatus.SENDING) & (OutboundMessage.lease_expires_at < now),
    )
    claim = {
        "status": MessageStatus.SENDING.value,
        "lease_expires_at": now + lease,
        "updated_at": now,
        # Taking over a dead worker's message continues its attempt rather than starting one: database
        # faults must not use up the attempts a message has for provider errors.
        "attempts": OutboundMessage.attempts + case((OutboundMessage.status == MessageStatus.SENDING, 0), else_=1),
        "error_code": case(
            (OutboundMessage.status == MessageStatus.SENDING, OUTCOME_UNKNOWN), else_=OutboundMessage.error_code
        ),
    }
    if session.get_bind().dialect.name == "postgresql":
        ids = list(
            session.execute(
                select(OutboundMessage.id)
                .where(due)
                .order_by(OutboundMessage.next_attempt_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
            ).scalars()
        )
        if ids:
            session.execute(update(OutboundMessage).where(OutboundMessage.id.in_(ids)).values(**claim))
    else:
        # SQLite has one writer at a time, so a single UPDATE … RETURNING is already exclusive.
        subquery = select(OutboundMessage.id).where(due).order_by(OutboundMessage.next_attempt_at).limit(limit)
        ids = list(
            session.execute(
                update(OutboundMessage)
                .where(OutboundMessage.id.in_(subquery))
                .values(**claim)
                .returning(OutboundMessage.id)
            ).scalars()
        )
    session.commit()
    return ids


def mark_sent(*, session: Session, accepted: list[tuple[int, Delivery, str]], at: datetime) -> None:
    """Record that the provider accepted these (id, delivery, text) messages, in one executemany.

    Only rows still `sending` change: a status callback that overtook us has already moved the row on.
    """
    if not accepted:
        return
    table = OutboundMessage.__table__
    session.execute(
        update(table)
        .where(table.c.id == bindparam("message_id"), table.c.status == MessageStatus.SENDING.value)
        .values(
            status=MessageStatus.SENT.value,
            provider_message_id=bindparam("provider_id"),
            body=bindparam("text"),
            sent_at=at,
            updated_at=at,
            lease_expires_at=None,
            error_code=None,
            error_message=None,
        ),
        [
            {"message_id": message_id, "provider_id": delivery.provider_id, "text": text}
            for message_id, delivery, text in accepted
        ],
    )
