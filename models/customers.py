"""Customers of a biller and their per-channel state."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from models.db import UTCDateTime, utcnow
from models.vocab import Language


class Customer(SQLModel, table=True):
    """A person who owes a biller; identified by the biller's own customer reference."""

    __tablename__ = "customers"
    __table_args__ = (UniqueConstraint("biller_id", "reference", name="uq_customers_biller_reference"),)

    id: int | None = Field(default=None, primary_key=True)
    biller_id: int = Field(foreign_key="billers.id", index=True, ondelete="CASCADE")
    reference: str = Field(max_length=64)
    name: str = Field(max_length=120)
    phone: str | None = Field(default=None, max_length=16, index=True)
    email: str | None = Field(default=None, max_length=254)
    telegram_chat_id: int | None = Field(default=None, index=True)
    telegram_link_token: str | None = Field(default=None, max_length=32, unique=True)
    language: str = Field(default=Language.ENGLISH.value, max_length=5)
    preferred_channel: str | None = Field(default=None, max_length=16)
    preferred_app: str | None = Field(default=None, max_length=32)
    phone_invalid_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class CustomerChannel(SQLModel, table=True):
    """What we know of one customer on one channel: opt-out and the last message they sent."""

    __tablename__ = "customer_channels"
    __table_args__ = (UniqueConstraint("customer_id", "channel", name="uq_customer_channels_channel"),)

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customers.id", index=True, ondelete="CASCADE")
    channel: str = Field(max_length=16)
    opted_out_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_inbound_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
