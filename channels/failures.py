"""The outbox's failure policy: what a refused, withdrawn or undeliverable message turns into.

Retry later (with backoff, or at the provider's Retry-After), withdraw, fail — and what a permanent failure
tells us about the customer (opted out, invalid number), and the fallback to the next channel that reaches them.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlmodel import Session

import events
from billing.customers import set_opted_out
from channels.base import OUTCOME_UNKNOWN, SendError
from channels.outbox import enqueue, reachable_channels
from channels.rendering import render_for_channel
from config import current_settings
from models import Biller, Customer, OutboundMessage
from models.db import utcnow
from models.vocab import Channel, MessageStatus

OPT_OUT_CODES = {"21610": Channel.SMS, "telegram_blocked": Channel.TELEGRAM}
BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 3600


class PermanentFailure(Exception):
    """A message that will not go out on this channel, with the code to record."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def backoff(attempts: int, retry_after: float | None) -> timedelta:
    """Exponential backoff with jitter, or the provider's Retry-After when it gave one."""
    if retry_after:
        return timedelta(seconds=retry_after)
    seconds = min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_CAP_SECONDS)
    return timedelta(seconds=seconds * random.uniform(0.5, 1.5))  # noqa: S311 - jitter, not security


def retry_at(*, session: Session, message: OutboundMessage, when: datetime, code: str | None, text: str, now) -> None:
    """Back to the queue, due at `when`, with the reason recorded."""
    message.status = MessageStatus.QUEUED.value
    message.next_attempt_at = when
    message.lease_expires_at = None
    message.error_code, message.error_message = code, text[:500]
    message.updated_at = now
    session.add(message)


def withdraw(*, session: Session, message: OutboundMessage, reason: str, now: datetime) -> None:
    """Cancelled: the message no longer makes sense (its bill was paid, reminders were paused…)."""
    message.status = MessageStatus.CANCELLED.value
    message.error_code = reason
    message.lease_expires_at = None
    message.updated_at = now
    session.add(message)


def fail(
    *, session: Session, message: OutboundMessage, code: str, text: str, now: datetime, fall_back_allowed: bool = True
) -> None:
    """Failed for good on this channel; the customer's record learns why, and the next channel takes over."""
    message.status = MessageStatus.FAILED.value
    message.error_code, message.error_message = code, text[:500]
    message.lease_expires_at = None
    message.updated_at = now
    session.add(message)
    apply_failure_side_effects(session=session, message=message, code=code)
    if fall_back_allowed:
        fall_back(session=session, message=message, now=now)


def fail_permanently(*, session: Session, message: OutboundMessage, failure: PermanentFailure, now: datetime) -> None:
    """Record a PermanentFailure; one that may have gone out is not sent again elsewhere either: no fallback."""
    fail(
        session=session,
        message=message,
        code=failure.code,
        text=str(failure),
        now=now,
        fall_back_allowed=failure.code != OUTCOME_UNKNOWN,
    )


def on_send_error(*, session: Session, message: OutboundMessage, error: SendError, now: datetime) -> None:
    """A provider refusal: a WhatsApp 63016 becomes a template, transient ones wait and retry, the rest fail."""
    if error.code == "63016" and message.channel == Channel.WHATSAPP and not message.content_sid and message.biller_id:
        biller = session.get(Biller, message.biller_id)
        if biller.whatsapp_outside_window == "template":
            rendered = render_for_channel(session=session, message=message, channel=message.channel)
            if rendered.content_sid:
                message.content_sid = rendered.content_sid  # the next attempt goes as the template
                retry_at(session=session, message=message, when=now, code="63016", text=str(error), now=now)
                return
    if error.transient and message.attempts < current_settings().outbox_max_attempts:
        when = now + backoff(message.attempts, error.retry_after)
        retry_at(session=session, message=message, when=when, code=error.code, text=str(error), now=now)
        return
    fail(session=session, message=message, code=error.code or "failed", text=str(error), now=now)


def apply_failure_side_effects(*, session: Session, message: OutboundMessage, code: str | None) -> None:
    """What a provider's permanent answer tells us about the customer (opted out, invalid number); the biller's
    systems hear of the failure (`message.failed`)."""
    events.message_failed(session, message, code)
    if not message.customer_id or not code:
        return
    if code in OPT_OUT_CODES:
        set_opted_out(session=session, customer_id=message.customer_id, channel=message.channel, opted_out=True)
    if code == "21211":
        customer = session.get(Customer, message.customer_id)
        customer.phone_invalid_at = utcnow()
        session.add(customer)


def fall_back(*, session: Session, message: OutboundMessage, now: datetime | None = None) -> OutboundMessage | None:
    """Queue the same message on the next channel of its order that can still reach the customer."""
    if not message.fallback_channels or not message.customer_id:
        return None
    customer = session.get(Customer, message.customer_id)
    biller = session.get(Biller, message.biller_id)
    reachable = dict(reachable_channels(session=session, customer=customer, biller=biller))
    remaining = list(message.fallback_channels)
    while remaining:
        channel = remaining.pop(0)
        if channel in reachable:
            return enqueue(
                session=session,
                biller_id=message.biller_id,
                customer_id=message.customer_id,
                bill_id=message.bill_id,
                channel=Channel(channel),
                recipient=reachable[channel],
                idempotency_key=f"{message.idempotency_key}>{channel}",
                template_key=message.template_key,
                body=None if message.template_key else message.body,
                variables=message.content_variables,
                language=message.language,
                fallback_channels=remaining,
                cadence_step=message.cadence_step,
                not_before=now,
            )
    return None
