"""The domain's fixed vocabularies, stored as their string values."""

from enum import StrEnum


class Channel(StrEnum):
    """A way to reach a customer."""

    WHATSAPP = "whatsapp"
    SMS = "sms"
    TELEGRAM = "telegram"
    EMAIL = "email"


class Language(StrEnum):
    """Languages customers read and the product speaks."""

    ENGLISH = "en"
    HINDI = "hi"
    BENGALI = "bn"


class AmountExactness(StrEnum):
    """BBPS rule for how much of a bill the customer may choose to pay."""

    EXACT = "EXACT"
    EXACT_AND_ABOVE = "EXACT_AND_ABOVE"
    EXACT_AND_BELOW = "EXACT_AND_BELOW"
    ANY = "ANY"
    RANGE = "RANGE"


class BillStatus(StrEnum):
    """Where a bill stands; only open and partially paid bills take payments and reminders."""

    OPEN = "open"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


PAYABLE_STATUSES = (BillStatus.OPEN, BillStatus.PARTIALLY_PAID)


class MessageStatus(StrEnum):
    """Life of an outbound message, from the outbox row to the provider's last word."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"
    UNDELIVERED = "undelivered"
    CANCELLED = "cancelled"


class Role(StrEnum):
    """What a console user may do."""

    ADMIN = "admin"
    BILLER_ADMIN = "biller_admin"
    SUPPORT = "support"
