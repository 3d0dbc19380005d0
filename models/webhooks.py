"""Outbound webhooks: the endpoints a biller registered for its own systems, and each delivery to them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, Index, Text
from sqlmodel import Field, SQLModel

from models.db import UTCDateTime, utcnow
from models.encryption import EncryptedText


class EventType(StrEnum):
    """What a biller's systems can subscribe to (DESIGN §4)."""

    BILL_PAID = "bill.paid"
    BILL_PARTIALLY_PAID = "bill.partially_paid"
    PAYMENT_RECEIVED = "payment.received"
    BILL_EXPIRED = "bill.expired"
    BILL_CANCELLED = "bill.cancelled"
    MESSAGE_FAILED = "message.failed"
    COMPLAINT_OPENED = "complaint.opened"
    CUSTOMER_OPTED_OUT = "customer.opted_out"


TEST_EVENT = "webhook.test"  # sent by "send test event"; not subscribable


class DeliveryStatus(StrEnum):
    """Where a delivery is: waiting (first try or a retry), being sent, accepted, or given up on."""

    PENDING = "pending"
    SENDING = "sending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class WebhookEndpoint(SQLModel, table=True):
    """A URL of the biller's that hears the events it chose, signed with its own secret."""

    __tablename__ = "webhook_endpoints"

    id: int | None = Field(default=None, primary_key=True)
    biller_id: int = Field(foreign_key="billers.id", index=True, ondelete="CASCADE")
    url: str = Field(max_length=2000)
    events: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    secret: str = Field(sa_type=EncryptedText)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class WebhookDelivery(SQLModel, table=True):
    """One event on its way to one endpoint: the exact body, its attempts and the last answer."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    biller_id: int = Field(foreign_key="billers.id", index=True, ondelete="CASCADE")
    endpoint_id: int = Field(foreign_key="webhook_endpoints.id", index=True, ondelete="CASCADE")
    event_id: str = Field(max_length=40)
    event_type: str = Field(max_length=40)
    body: str = Field(sa_column=Column(Text, nullable=False))  # sent byte for byte on every attempt
    status: str = Field(default=DeliveryStatus.PENDING.value, max_length=16)
    attempts: int = 0  # each claim increments it; a sender writes its outcome only while it is still its own
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    lease_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    response_status: int | None = None
    last_error: str | None = Field(default=None, max_length=300)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
