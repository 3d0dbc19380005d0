"""Inbound customer messages as the webhooks stored them, waiting for the worker to answer them in order."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from models.db import UTCDateTime


class InboundStatus(StrEnum):
    """Waiting for the bot, answered, or given up on (a fault of ours, logged)."""

    PENDING = "pending"
    ANSWERED = "answered"
    FAILED = "failed"


class InboundMessage(SQLModel, table=True):
    """One message from a customer, stored once per provider id; answered oldest first in each conversation."""

    __tablename__ = "inbound_messages"
    __table_args__ = (Index("ix_inbound_messages_pending", "status", "channel", "address", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    provider_message_id: str = Field(max_length=64, unique=True)
    channel: str = Field(max_length=16)
    address: str = Field(max_length=64)  # the customer's phone (E.164) or Telegram chat id
    text: str = Field(default="", sa_column=Column(Text, nullable=False))
    payload: str | None = Field(default=None, max_length=64)  # a WhatsApp quick reply or Telegram button
    start_payload: str | None = Field(default=None, max_length=64)  # Telegram /start <payload>
    to: str | None = Field(default=None, max_length=64)  # which of our numbers it was sent to
    status: str = Field(default=InboundStatus.PENDING.value, max_length=16)
    received_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
