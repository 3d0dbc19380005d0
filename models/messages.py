"""The outbox of messages to customers, and conversations with them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.db import UTCDateTime, utcnow
from models.vocab import ConversationState, MessageStatus


class OutboundMessage(SQLModel, table=True):
    """A message to a customer, written first and sent later by the worker."""

    __tablename__ = "outbound_messages"
    __table_args__ = (Index("ix_outbound_messages_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    # No biller only for replies to unknown senders, who belong to no biller yet.
    biller_id: int | None = Field(default=None, foreign_key="billers.id", index=True, ondelete="CASCADE")
    customer_id: int | None = Field(default=None, foreign_key="customers.id", index=True, ondelete="CASCADE")
    bill_id: int | None = Field(default=None, foreign_key="bills.id", index=True, ondelete="CASCADE")
    channel: str = Field(max_length=16)
    recipient: str = Field(max_length=320)
    template_key: str | None = Field(default=None, max_length=40)
    cadence_step: int | None = None  # which step of the bill's cadence a reminder is (for the dashboard funnel)
    language: str = Field(default="en", max_length=5)
    body: str | None = None
    content_sid: str | None = Field(default=None, max_length=64)
    content_variables: dict | None = Field(default=None, sa_column=Column(JSON))
    status: str = Field(default=MessageStatus.QUEUED.value, max_length=16)
    provider_message_id: str | None = Field(default=None, max_length=64, index=True)
    error_code: str | None = Field(default=None, max_length=40)
    error_message: str | None = Field(default=None, max_length=500)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    lease_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    idempotency_key: str = Field(max_length=200, unique=True)
    fallback_channels: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    segments: int | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class Conversation(SQLModel, table=True):
    """A chat thread on one channel address with one biller; without a biller, the person's own thread.

    A phone may belong to customers of several billers, so each biller gets a thread of its own and
    sees only that. The thread without a biller holds what concerns the person rather than one biller
    (language, stop, "which biller?") and is seen by no biller's staff.
    """

    __tablename__ = "conversations"
    __table_args__ = (Index("ix_conversations_channel_address_biller", "channel", "address", "biller_id"),)

    id: int | None = Field(default=None, primary_key=True)
    biller_id: int | None = Field(default=None, foreign_key="billers.id", index=True, ondelete="CASCADE")
    customer_id: int | None = Field(default=None, foreign_key="customers.id", index=True, ondelete="CASCADE")
    channel: str = Field(max_length=16)
    address: str = Field(max_length=320, index=True)
    # On the person's own thread: the biller they chose to talk about, until when.
    focus_biller_id: int | None = Field(default=None, foreign_key="billers.id", ondelete="SET NULL")
    focus_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    state: str = Field(default=ConversationState.IDLE.value, max_length=40)  # CHOOSING stored with its offer
    handed_over_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    needs_attention: str | None = Field(default=None, max_length=20)  # handover, paid_claim, delivery_failure
    attention_since: datetime | None = Field(default=None, sa_type=UTCDateTime)
    assigned_user_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class ConversationMessage(SQLModel, table=True):
    """One message in a conversation, inbound or outbound; provider ids make retries idempotent."""

    __tablename__ = "conversation_messages"

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversations.id", index=True, ondelete="CASCADE")
    direction: str = Field(max_length=8)
    body: str = ""
    provider_message_id: str | None = Field(default=None, max_length=64, unique=True)
    outbound_message_id: int | None = Field(default=None, foreign_key="outbound_messages.id", ondelete="SET NULL")
    author_user_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class MessageTemplate(SQLModel, table=True):
    """A biller's own wording for one message on one channel in one language (defaults ship with the product)."""

    __tablename__ = "message_templates"
    __table_args__ = (
        UniqueConstraint("biller_id", "key", "channel", "language", name="uq_message_templates_key_channel_language"),
    )

    id: int | None = Field(default=None, primary_key=True)
    biller_id: int = Field(foreign_key="billers.id", index=True, ondelete="CASCADE")
    key: str = Field(max_length=40)
    channel: str = Field(max_length=16)
    language: str = Field(max_length=5)
    body: str
    content_sid: str | None = Field(default=None, max_length=64)
    dlt_template_id: str | None = Field(default=None, max_length=40)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class SenderRate(SQLModel, table=True):
    """When a sender may next send, shared by every worker so a rate limit holds across processes."""

    __tablename__ = "sender_rates"

    sender: str = Field(primary_key=True, max_length=120)
    next_slot: float = 0.0  # unix seconds: plain numbers keep the reservation one portable UPDATE
