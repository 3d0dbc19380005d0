"""The domain's fixed vocabularies, stored as their string values."""

from enum import StrEnum


class Channel(StrEnum):
    """A way to reach a customer."""

    WHATSAPP = "whatsapp"
    SMS = "sms"
    TELEGRAM = "telegram"
    EMAIL = "email"


def known_channels(stored: object) -> list[str]:
    """The channels a stored JSON list names, in order and each once, leaving out anything else.

    Channel lists live in JSON columns that can be set outside the forms that check them (by hand, by a script) to
    null, a string or a list of something else: what they name is used, not a pass or a send that fails on it.
    """
    if not isinstance(stored, list):
        return []
    names = {channel.value for channel in Channel}
    # Once each: the pass's SQL would keep a channel named twice as its own fallback (a second send on it).
    return list(dict.fromkeys(channel for channel in stored if isinstance(channel, str) and channel in names))


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


# Messages that only make sense while their bill is unpaid, by template key prefix: reminders and notifications.
REMINDER_TEMPLATE_PREFIX = "reminder"
BILL_MESSAGE_PREFIXES = (REMINDER_TEMPLATE_PREFIX, "notify")


def is_bill_message(template_key: str | None) -> bool:
    """Whether a message is about a bill being unpaid (withheld once the bill is paid, closed or paused)."""
    return (template_key or "").startswith(BILL_MESSAGE_PREFIXES)


class ConversationState(StrEnum):
    """Where the bot's conversation stands (bot/conversation.mmd; the person's own thread, bot/tenancy.mmd).

    CHOOSING is stored with the intents offered, in order: "choosing:paid,pay,later".
    """

    IDLE = "idle"
    CHOOSING = "choosing"
    CHOOSING_APP = "choosing_app"
    CHOOSING_LANGUAGE = "choosing_language"
    CHOOSING_BILLER = "choosing_biller"

    @classmethod
    def offering(cls, intents: tuple[str, ...]) -> str:
        """The stored state of a conversation that offered these intents as numbered choices."""
        return f"{cls.CHOOSING}:{','.join(intents)}"

    @classmethod
    def offered(cls, state: str) -> list[str] | None:
        """The intents a CHOOSING conversation offered, in order; None in any other state."""
        prefix = f"{cls.CHOOSING}:"
        return state.removeprefix(prefix).split(",") if state.startswith(prefix) else None


class Role(StrEnum):
    """What a console user may do."""

    ADMIN = "admin"
    BILLER_ADMIN = "biller_admin"
    SUPPORT = "support"
