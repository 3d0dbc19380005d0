"""Money learned of outside our own webhook: bank-statement lines and payment-provider accounts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.db import UTCDateTime, utcnow
from models.encryption import EncryptedText


class StatementLine(SQLModel, table=True):
    """A credit from a biller's uploaded bank statement and what it matched (kept for review and re-uploads)."""

    __tablename__ = "statement_lines"
    __table_args__ = (UniqueConstraint("biller_id", "fingerprint", name="uq_statement_lines_biller_fingerprint"),)

    id: int | None = Field(default=None, primary_key=True)
    biller_id: int = Field(foreign_key="billers.id", index=True, ondelete="CASCADE")
    fingerprint: str = Field(max_length=64)  # the same line in a later upload has the same fingerprint
    txn_date: date
    narration: str = Field(max_length=500)
    bank_reference: str | None = Field(default=None, max_length=64)
    amount_paise: int = Field(sa_type=BigInteger)
    status: str = Field(max_length=20, index=True)  # matched, suggested, unmatched, rejected
    match_kind: str | None = Field(default=None, max_length=20)  # tr, utr_claim, amount
    bill_id: int | None = Field(default=None, foreign_key="bills.id", index=True, ondelete="SET NULL")
    payment_id: int | None = Field(default=None, foreign_key="payments.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by: str | None = Field(default=None, max_length=80)


class PaymentProviderAccount(SQLModel, table=True):
    """A biller's account with a payment provider (Razorpay, Cashfree): the secret its webhooks are signed with."""

    __tablename__ = "payment_provider_accounts"
    __table_args__ = (UniqueConstraint("biller_id", "provider", name="uq_payment_provider_accounts_biller_provider"),)

    id: int | None = Field(default=None, primary_key=True)
    biller_id: int = Field(foreign_key="billers.id", index=True, ondelete="CASCADE")
    provider: str = Field(max_length=20)
    webhook_secret: str = Field(sa_type=EncryptedText)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
