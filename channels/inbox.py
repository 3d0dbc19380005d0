"""The inbox: inbound messages stored by the webhooks (once per provider id) and taken oldest first per
conversation by whichever worker is free, so a customer's messages are answered in the order they were sent."""

from __future__ import annotations

from datetime import datetime
from functools import cache

from sqlalchemy import and_, exists, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased
from sqlmodel import Session

from models import InboundMessage
from models.inbound import InboundStatus


def store_inbound(
    *,
    session: Session,
    provider_message_id: str,
    channel: str,
    address: str,
    text: str,
    received_at: datetime,
    payload: str | None = None,
    start_payload: str | None = None,
    to: str | None = None,
) -> None:
    """Keep one inbound message for the worker; a provider's retry of the same id changes nothing."""
    session.execute(
        _store_statement(session.get_bind().dialect.name),
        {
            "provider_message_id": provider_message_id,
            "channel": channel,
            "address": address,
            "text": text,
            "payload": payload,
            "start_payload": start_payload,
            "to": to,
            "status": InboundStatus.PENDING.value,
            "received_at": received_at,
        },
    )


@cache
def _store_statement(dialect_name: str):
    """INSERT … ON CONFLICT (provider_message_id) DO NOTHING, built once: webhooks run it for every message."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    table = InboundMessage.__table__
    return dialect.insert(table).on_conflict_do_nothing(index_elements=[table.c.provider_message_id])


def next_inbound(*, session: Session) -> InboundMessage | None:
    """The oldest pending message whose conversation has no earlier one pending, locked for this worker.

    On PostgreSQL a message another worker is answering stays `pending` and locked until it commits: the
    next one of that conversation is not eligible meanwhile, and other conversations go on (SKIP LOCKED).
    """
    earlier = aliased(InboundMessage)
    pending = InboundMessage.status == InboundStatus.PENDING
    query = (
        select(InboundMessage)
        .where(
            pending,
            ~exists().where(
                and_(
                    earlier.status == InboundStatus.PENDING,
                    earlier.channel == InboundMessage.channel,
                    earlier.address == InboundMessage.address,
                    earlier.id < InboundMessage.id,
                )
            ),
        )
        .order_by(InboundMessage.id)
        .limit(1)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=InboundMessage)
    return session.scalars(query).first()


def settle_inbound(*, session: Session, message: InboundMessage, status: InboundStatus, now: datetime) -> None:
    """Answered (or given up on): the conversation's next message may go."""
    message.status = status.value
    message.answered_at = now
    session.add(message)
