"""Conversations with customers: posting into one (bot or support), handing it to a person and back."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from accounts.audit import record_audit
from channels.outbox import enqueue
from models import Bill, Conversation, ConversationMessage
from models.vocab import Channel
from workflows import Actor

HANDOVER = "handover"  # the reason a conversation waits in the support inbox after the customer asked for a person


def post_to_conversation(
    *,
    session: Session,
    actor: Actor,
    now: datetime,
    conversation: Conversation,
    idempotency_key: str,
    language: str,
    body: str | None = None,
    template_key: str | None = None,
    bill: Bill | None = None,
    variables: dict | None = None,
) -> ConversationMessage:
    """Queue a message on the conversation's channel and address, and add it to the conversation.

    Free text or a template about a bill; attributed to the conversation's biller and customer (the
    person's own thread belongs to no biller), and to the console user when one wrote it.
    """
    message = enqueue(
        session=session,
        biller_id=conversation.biller_id,
        customer_id=conversation.customer_id,
        bill_id=bill.id if bill else None,
        channel=Channel(conversation.channel),
        recipient=conversation.address,
        body=body,
        template_key=template_key,
        variables=variables,
        idempotency_key=idempotency_key,
        language=language,
    )
    session.flush()
    entry = ConversationMessage(
        conversation_id=conversation.id,
        direction="out",
        body=body or f"[template {template_key}]",
        outbound_message_id=message.id,
        author_user_id=actor.user_id,
        created_at=now,
    )
    session.add(entry)
    return entry


def needs_attention(*, conversation: Conversation, reason: str, now: datetime) -> None:
    """Put the conversation in the support inbox for this reason (handover, paid_claim, complaint…)."""
    conversation.needs_attention = reason
    conversation.attention_since = now


def hand_over(*, session: Session, actor: Actor, now: datetime, conversation: Conversation) -> None:
    """A person takes the conversation: the bot stays quiet until support hands it back."""
    conversation.handed_over_at = now
    needs_attention(conversation=conversation, reason=HANDOVER, now=now)
    session.add(conversation)


def hand_back(*, session: Session, actor: Actor, now: datetime, conversation: Conversation) -> None:
    """Give the conversation back to the bot and clear it from the support inbox."""
    conversation.handed_over_at = conversation.needs_attention = conversation.attention_since = None
    session.add(conversation)
    record_audit(
        session=session,
        biller_id=conversation.biller_id,
        actor=str(actor),
        action="conversation.hand_back",
        subject_type="conversation",
        subject_id=conversation.id,
    )
