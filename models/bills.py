"""Bills, their payment links, what happened on those links, and payments."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.db import UTCDateTime, utcnow
from models.vocab import AmountExactness, BillStatus


class Bill(SQLModel, table=True):
    """One bill a biller issued to a customer; amounts are integer paise."""

    __tablename__ = "bills"
    __table_args__ = (
        UniqueConstraint("biller_id", "reference", name="uq_bills_biller_reference"),
        CheckConstraint("amount_paise > 0", name="amount_positive"),
        CheckConstraint("amount_due_paise >= 0", name="amount_due_not_negative"),
        Index("ix_bills_next_reminder_at", "next_reminder_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # No index of its own: uq_bills_biller_reference leads with biller_id. Every index on bills costs the dunning
    # pass an entry per bill it moves on (next_reminder_at is indexed, so those updates are never HOT).
    biller_id: int = Field(foreign_key="billers.id", ondelete="CASCADE")
    customer_id: int = Field(foreign_key="customers.id", index=True, ondelete="CASCADE")
    reference: str = Field(max_length=64)
    period: str | None = Field(default=None, max_length=40)
    bill_date: date | None = None
    due_date: date
    amount_paise: int = Field(sa_type=BigInteger)
    amount_due_paise: int = Field(sa_type=BigInteger)
    amount_exactness: str = Field(default=AmountExactness.EXACT.value, max_length=20)
    min_amount_paise: int | None = Field(default=None, sa_type=BigInteger)
    max_amount_paise: int | None = Field(default=None, sa_type=BigInteger)
    early_payment_amount_paise: int | None = Field(default=None, sa_type=BigInteger)
    early_payment_date: date | None = None
    late_payment_amount_paise: int | None = Field(default=None, sa_type=BigInteger)
    # The smallest part payment accepted (Razorpay's first_min_partial_amount); None: ₹1 when partial is allowed.
    min_partial_amount_paise: int | None = Field(default=None, sa_type=BigInteger)
    status: str = Field(default=BillStatus.OPEN.value, max_length=20)  # a few values: filtered with other columns
    cadence_id: int | None = Field(default=None, foreign_key="cadences.id", ondelete="SET NULL")
    next_reminder_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    next_step: int = 0  # index into the cadence's plan of the reminder at next_reminder_at
    reminders_sent: int = 0
    paused_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    fetched_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class PaymentLink(SQLModel, table=True):
    """The short, unguessable link that opens a bill's payment page."""

    __tablename__ = "payment_links"

    id: int | None = Field(default=None, primary_key=True)
    bill_id: int = Field(foreign_key="bills.id", index=True, ondelete="CASCADE")
    token: str = Field(max_length=32, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    open_count: int = 0
    last_opened_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class LinkEvent(SQLModel, table=True):
    """Something a customer did on a payment link: opened it, or chose an app."""

    __tablename__ = "link_events"
    __table_args__ = (UniqueConstraint("bill_id", "kind", "payment_reference", name="uq_link_events_failure_notice"),)

    id: int | None = Field(default=None, primary_key=True)
    link_id: int = Field(foreign_key="payment_links.id", index=True, ondelete="CASCADE")
    bill_id: int = Field(foreign_key="bills.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=20)
    app: str | None = Field(default=None, max_length=32)
    platform: str | None = Field(default=None, max_length=16)
    transaction_reference: str | None = Field(default=None, max_length=35, unique=True)
    amount_paise: int | None = Field(default=None, sa_type=BigInteger)
    # The UTR of a payment-failure notice, so a replayed notice is recorded once.
    payment_reference: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class Payment(SQLModel, table=True):
    """Money received against a bill, identified by its UTR or PSP reference."""

    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("biller_id", "reference", name="uq_payments_biller_reference"),
        CheckConstraint("amount_paise > 0", name="amount_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    biller_id: int = Field(foreign_key="billers.id", index=True, ondelete="CASCADE")
    bill_id: int = Field(foreign_key="bills.id", index=True, ondelete="CASCADE")
    amount_paise: int = Field(sa_type=BigInteger)
    reference: str = Field(max_length=64)
    app: str | None = Field(default=None, max_length=32)
    source: str = Field(max_length=20)
    paid_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
