"""The console channel: what development and the simulator use when no provider is configured."""

from __future__ import annotations

import logging

from channels.base import Delivery, InDoubt, Outgoing

log = logging.getLogger(__name__)


class ConsoleChannel:
    """Records the message as sent; its body stays on the outbox row for the demo and simulator to show."""

    # Nobody waits on a console message, and a doubled line in the demo looks like a bug: at most once.
    in_doubt = InDoubt.AT_MOST_ONCE

    def __init__(self, name: str) -> None:
        self.name = name
        self.sender = f"console:{name}"

    def send(self, outgoing: Outgoing) -> Delivery:
        log.info("console %s: message %s (%d characters)", self.name, outgoing.message_id, len(outgoing.text))
        return Delivery(provider_id=f"console-{outgoing.message_id}")
