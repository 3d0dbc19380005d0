"""The one interface every channel provider implements, and the outcomes a send can have."""

from __future__ import annotations

from dataclasses import dataclass, field
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


class ChannelProvider(Protocol):
    """Sends one message on one channel."""

    name: str
    sender: str  # the identity a rate limit applies to (a number, a bot, a mailbox)

    def send(self, outgoing: Outgoing) -> Delivery: ...
