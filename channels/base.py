"""The one interface every channel provider implements, and the outcomes a send can have."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol


@dataclass(frozen=True)
class Outgoing:
    """A message ready to hand to a provider: rendered for its channel, addressed, with its extras."""

    message_id: int
    channel: str
    recipient: str
    text: str
    content_sid: str | None = None
    content_variables: dict[str, str] = field(default_factory=dict)
    pay_url: str | None = None
    pay_label: str | None = None
    subject: str | None = None
    unsubscribe_url: str | None = None
    choices: tuple[tuple[str, str], ...] = ()  # (label, callback data) buttons, where the channel has them
    from_number: str | None = None  # the biller's own sender (E.164), instead of the platform's shared one
    messaging_service_sid: str | None = None  # the biller's own Twilio Messaging Service, if it sends through one

    @property
    def rate_key(self) -> str | None:
        """The biller's own sender a rate limit applies to, when the message goes from one."""
        own = self.messaging_service_sid or self.from_number
        return f"twilio:{own}" if own else None


@dataclass(frozen=True)
class Delivery:
    """The provider accepted the message."""

    provider_id: str
    status: str = "sent"


class SendError(Exception):
    """The provider refused or could not be reached.

    transient: worth retrying (timeouts, 429, 5xx); otherwise permanent, recorded with its code.
    """

    def __init__(
        self, message: str, *, code: str | None = None, transient: bool = False, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.transient = transient
        self.retry_after = retry_after


# error_code of a message whose last attempt may have reached the provider: a worker took it over
# from one whose lease expired while `sending`, or the provider's answer never came back.
OUTCOME_UNKNOWN = "outcome_unknown"


class InDoubt(StrEnum):
    """What the worker does with a message whose last attempt may have reached the provider.

    That is a row still `sending` when its lease expired: the worker died (or lost the database)
    after handing the message over, or before; nobody knows which.
    """

    ASK = "ask"  # the provider can be asked (find_sent); sent again only if it has no such message
    AT_LEAST_ONCE = "at_least_once"  # sent again: a duplicate is better than a lost message
    AT_MOST_ONCE = "at_most_once"  # not sent again: recorded as failed with code outcome_unknown


class ChannelProvider(Protocol):
    """Sends one message on one channel."""

    name: str
    sender: str  # the identity a rate limit applies to (a number, a bot, a mailbox)
    in_doubt: InDoubt  # the choice for messages whose outcome is unknown after a crash

    def send(self, outgoing: Outgoing) -> Delivery: ...


class AskableProvider(ChannelProvider, Protocol):
    """A provider that can say whether it already has a message (in_doubt is ASK)."""

    def find_sent(self, outgoing: Outgoing, *, since: datetime) -> Delivery | None: ...
