"""Billers (the tenants) and the API keys they integrate with."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import JSON, BigInteger, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.db import UTCDateTime, utcnow
from models.encryption import EncryptedText
from models.vocab import AmountExactness, Channel, known_channels

DEFAULT_PAYMENT_APPS = ["gpay", "phonepe", "paytm", "bhim", "mobikwik", "rbl_mobank", "icici_imobile"]
DEFAULT_CHANNEL_ORDER = [Channel.WHATSAPP.value, Channel.SMS.value, Channel.EMAIL.value]


# A new biller's time zone, and the day of a person who has not yet said which biller they mean.
DEFAULT_TIMEZONE = "Asia/Kolkata"


class Biller(SQLModel, table=True):
    """A company that issues bills and collects them through our links."""

    __tablename__ = "billers"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    upi_vpa: str = Field(max_length=255)
    payee_name: str = Field(max_length=100)
    merchant_category_code: str = Field(default="4900", max_length=4)
    default_amount_exactness: str = Field(default=AmountExactness.EXACT.value, max_length=20)
    timezone: str = Field(default=DEFAULT_TIMEZONE, max_length=64)
    payment_apps: list[str] = Field(
        default_factory=lambda: list(DEFAULT_PAYMENT_APPS), sa_column=Column(JSON, nullable=False)
    )
    channel_order: list[str] = Field(
        default_factory=lambda: list(DEFAULT_CHANNEL_ORDER), sa_column=Column(JSON, nullable=False)
    )
    contact_hours_start: time = Field(default=time(9, 0))
    contact_hours_end: time = Field(default=time(19, 0))
    skip_sundays: bool = False
    skip_public_holidays: bool = False
    # Where the biller's customers are: an Indian state or union territory as the `holidays` package codes it
    # (ISO 3166-2:IN without "IN-", e.g. "WB"); with skip_public_holidays its holidays count as well as India's.
    holiday_state: str | None = Field(default=None, max_length=3)
    max_reminders_per_bill: int = 8
    max_snooze_days: int = 14
    whatsapp_outside_window: str = Field(default="template", max_length=16)  # "template" or "sms"
    # Bharat Connect (BBPS) biller id, shown so a customer can pay from any BBPS app with their consumer number.
    # One biller's alone: two billers showing the same id would send one's customers to pay the other.
    bbps_biller_id: str | None = Field(default=None, max_length=20, unique=True, index=True)
    # UPI `purpose` code (NPCI linking spec: 00 default, 06 telecom, 07 insurance, 08 education…); None: not sent.
    upi_purpose: str | None = Field(default=None, max_length=2)
    # Money received above what was due, beyond this, opens a ticket for support to refund or carry forward.
    overpayment_tolerance_paise: int = Field(default=0, sa_type=BigInteger, sa_column_kwargs={"server_default": "0"})
    bill_fetch_url: str | None = Field(default=None, max_length=500)
    bill_fetch_secret: str | None = Field(default=None, sa_type=EncryptedText)
    # Signs this biller's POST /webhooks/payments notices; PAYMENT_WEBHOOK_SECRET is the fallback for one release.
    payment_webhook_secret: str | None = Field(default=None, sa_type=EncryptedText)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)

    @property
    def channels_in_order(self) -> list[str]:
        """The channels to try in order: channel_order's known channels, the default order when it names none."""
        return known_channels(self.channel_order) or list(DEFAULT_CHANNEL_ORDER)


class ApiKey(SQLModel, table=True):
    """A biller's API credential; only a hash of the secret part is stored."""

    __tablename__ = "api_keys"

    id: int | None = Field(default=None, primary_key=True)
    biller_id: int = Field(foreign_key="billers.id", index=True, ondelete="CASCADE")
    name: str = Field(default="default", max_length=80)
    prefix: str = Field(max_length=16, unique=True)
    key_hash: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class BillerSender(SQLModel, table=True):
    """A biller's own sender on one channel: what customers write to belongs to that biller alone.

    `address` is the number customers see (E.164); SMS may go out through a Twilio Messaging Service
    instead of the number itself.
    """

    __tablename__ = "biller_senders"
    __table_args__ = (
        UniqueConstraint("channel", "address", name="uq_biller_senders_channel_address"),
        UniqueConstraint("biller_id", "channel", name="uq_biller_senders_biller_channel"),
    )

    id: int | None = Field(default=None, primary_key=True)
    biller_id: int = Field(foreign_key="billers.id", index=True, ondelete="CASCADE")
    channel: str = Field(max_length=16)  # sms or whatsapp
    address: str = Field(max_length=16)
    messaging_service_sid: str | None = Field(default=None, max_length=34)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
