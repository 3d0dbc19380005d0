"""One composed message handed to its provider, on a sending thread: fenced by its lease, in doubt looked up
first, rate-limited to the slot, and the outcome returned (never raised) for the worker to write in a batch."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from channels.base import OUTCOME_UNKNOWN, ChannelProvider, Delivery, InDoubt, Outgoing, SendError
from channels.failures import PermanentFailure
from channels.rates import SlotBook

log = logging.getLogger(__name__)

CLOCK_SKEW = timedelta(minutes=5)  # how far the provider's clock may differ from ours when looking back


@dataclass
class Send:
    """A composed message on its way: what to send, through whom, and under which rate."""

    outgoing: Outgoing
    provider: ChannelProvider
    in_doubt: bool  # the last attempt may have reached the provider: look before sending again
    queued_at: datetime
    rate_key: str
    per_second: float  # 0: no limit


@dataclass
class Outcome:
    """What became of a Send: accepted (delivery), refused (error), never to go (failure), or left to its lease."""

    message_id: int
    text: str
    delivery: Delivery | None = None
    error: SendError | None = None
    failure: PermanentFailure | None = None
    abandoned: bool = False  # no longer ours, or a fault of ours: nothing is written, the lease decides


def deliver(send: Send, *, slots: SlotBook, still_ours: Callable[[int], bool]) -> Outcome:
    """Send one message if it is still ours; the outcome, whatever happens (SendError included)."""
    outgoing = send.outgoing
    outcome = Outcome(message_id=outgoing.message_id, text=outgoing.text)
    slotted = False
    try:
        if not still_ours(outgoing.message_id):
            outcome.abandoned = True  # another worker took it over meanwhile: it is theirs now
        elif send.in_doubt and (earlier := _earlier_delivery(send)) is not None:
            outcome.delivery = earlier
        else:
            if send.per_second > 0:  # last before the send: nothing may stand between a slot and the provider
                slots.wait(sender=send.rate_key, per_second=send.per_second)
                slotted = True
            outcome.delivery = send.provider.send(outgoing)
    except PermanentFailure as failure:
        outcome.failure = failure
    except SendError as error:
        outcome.error = error
    except Exception:  # a fault of ours (or the database's): the row stays in doubt and is retried after its lease
        log.exception("outbox: message %s failed unexpectedly; it will be retried after its lease", outgoing.message_id)
        outcome.abandoned = True
    if send.per_second > 0 and not slotted:
        slots.forget(send.rate_key)
    return outcome


def _earlier_delivery(send: Send) -> Delivery | None:
    """For a message in doubt: what its channel's choice says (see channels.base.InDoubt).

    Raises SendError (kept in doubt, retried) when the provider could not be asked.
    """
    provider = send.provider
    if provider.in_doubt == InDoubt.ASK:
        # Since the message was queued, not since its last retry: a backoff can outlast any window.
        try:
            return provider.find_sent(send.outgoing, since=send.queued_at - CLOCK_SKEW)
        except SendError as error:
            raise SendError(str(error), code=OUTCOME_UNKNOWN, transient=True) from None
    if provider.in_doubt == InDoubt.AT_MOST_ONCE:
        raise PermanentFailure(OUTCOME_UNKNOWN, "The last attempt may have been delivered; not sent again")
    return None
