"""Complaints customers raise with the bot: a ticket in the support inbox with a category and a reference."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from models.db import UTCDateTime, utcnow


class ComplaintCategory(StrEnum):
    """What a complaint is about, as BBPS complaint handling groups them."""

    WRONG_AMOUNT = "wrong_amount"
    CHARGED_TWICE = "charged_twice"
    PAYMENT_NOT_CREDITED = "payment_not_credited"  # money taken from the customer, the bill not paid (failed, stuck)
    SERVICE = "service"
    OVERPAYMENT = "overpayment"  # opened by the system, not the customer: money beyond the biller's tolerance
    OTHER = "other"


class Complaint(SQLModel, table=True):
    """A customer's complaint, opened from a conversation and worked by support."""

    __tablename__ = "complaints"

    id: int | None = Field(default=None, primary_key=True)
    biller_id: int = Field(foreign_key="billers.id", index=True, ondelete="CASCADE")
    customer_id: int = Field(foreign_key="customers.id", index=True, ondelete="CASCADE")
    conversation_id: int | None = Field(default=None, foreign_key="conversations.id", index=True, ondelete="SET NULL")
    category: str = Field(max_length=20)
    text: str = Field(max_length=1000)
    status: str = Field(default="open", max_length=10)  # open, closed
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    @property
    def reference(self) -> str:
        """The reference the customer is given and quotes back: CMP-000042."""
        return f"CMP-{self.id:06d}"
