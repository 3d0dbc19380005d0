"""The outbox worker: claims due messages, sends them, retries what may succeed later, falls back when not."""

from __future__ import annotations

import logging
import random
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import replace
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import case, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

import events
from billing.customers import is_opted_out, set_opted_out, whatsapp_window_open
from billing.senders import sender_for
from channels.base import OUTCOME_UNKNOWN, Delivery, InDoubt, Outgoing, SendError
from channels.leases import LeaseKeeper, record_sent, renew_lease
from channels.outbox import CONFIRMS_OPT_OUT, enqueue, reachable_channels, reminder_variables
from channels.rates import wait_for_slot
from channels.registry import providers
from channels.rendering import numbered_variables, render_for_channel
from channels.sms import segment_count
from channels.unsubscribe import unsubscribe_url
from config import current_settings
from models import Bill, Biller, Customer, OutboundMessage
from models.db import current_db, utcnow
from models.vocab import PAYABLE_STATUSES, Channel, MessageStatus, is_bill_message
from scheduler.calendar import ContactCalendar

log = logging.getLogger(__name__)

OPT_OUT_CODES = {"21610": Channel.SMS, "telegram_blocked": Channel.TELEGRAM}
BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 3600
DATABASE_RETRY_CAP_SECONDS = 5.0
CLOCK_SKEW = timedelta(minutes=5)  # how far the provider's clock may differ from ours when looking back


class PermanentFailure(Exception):
    """A message that will not go out on this channel, with the code to record."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def claim_due(*, session: Session, limit: int, now: datetime, lease: timedelta) -> list[int]:
    """Take up to `limit` due messages (and ones whose worker died) for this worker, atomically.

    A message taken over from a dead worker (still `sending`, lease expired) is marked OUTCOME_UNKNOWN
    in the same statement: the provider may already have it.
    """
    due = or_(
        (OutboundMessage.status == MessageStatus.QUEUED) & (OutboundMessage.next_attempt_at <= now),
        (OutboundMessage.status == MessageStatus.SENDING) & (OutboundMessage.lease_expires_at < now),
    )
    claim = {
        "status": MessageStatus.SENDING.value,
        "lease_expires_at": now + lease,
        "updated_at": now,
        # Taking over a dead worker's message continues its attempt rather than starting one: database
        # faults must not use up the attempts a message has for provider errors.
        "attempts": OutboundMessage.attempts + case((OutboundMessage.status == MessageStatus.SENDING, 0), else_=1),
        "error_code": case(
            (OutboundMessage.status == MessageStatus.SENDING, OUTCOME_UNKNOWN), else_=OutboundMessage.error_code
        ),
    }
    if session.get_bind().dialect.name == "postgresql":
        ids = list(
            session.execute(
                select(OutboundMessage.id)
                .where(due)
                .order_by(OutboundMessage.next_attempt_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
            ).scalars()
        )
        if ids:
            session.execute(update(OutboundMessage).where(OutboundMessage.id.in_(ids)).values(**claim))
    else:
        # SQLite has one writer at a time, so a single UPDATE … RETURNING is already exclusive.
        subquery = select(OutboundMessage.id).where(due).order_by(OutboundMessage.next_attempt_at).limit(limit)
        ids = list(
            session.execute(
                update(OutboundMessage)
                .where(OutboundMessage.id.in_(subquery))
                .values(**claim)
                .returning(OutboundMessage.id)
            ).scalars()
        )
    session.commit()
    return ids


def withdrawal_reason(message: OutboundMessage, bill: Bill | None, now: datetime) -> str | None:
    """Why a bill message must not go out any more (paid, cancelled, expired, paused), if it must not."""
    if bill is None or not is_bill_message(message.template_key):
        return None
    if bill.status not in PAYABLE_STATUSES:
        return "bill_settled"
    if bill.paused_until and bill.paused_until > now:
        return "paused"
    return None


def backoff(attempts: int, retry_after: float | None) -> timedelta:
    """Exponential backoff with jitter, or the provider's Retry-After when it gave one."""
    if retry_after:
        return timedelta(seconds=retry_after)
    seconds = min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_CAP_SECONDS)
    return timedelta(seconds=seconds * random.uniform(0.5, 1.5))  # noqa: S311 - jitter, not security


class OutboxWorker:
    """Sends due outbox rows with a pool of threads; safe to run as several processes at once."""

    def __init__(self, app: Flask, *, clock=utcnow, sleep=time.sleep) -> None:
        self.app = app
        self.clock = clock
        self.sleep = sleep
        settings = app.extensions["settings"]
        self.concurrency = settings.worker_concurrency
        self.lease = timedelta(seconds=settings.outbox_lease_seconds)
        self.stopping = threading.Event()
        self.leases = LeaseKeeper(app, lease=self.lease, clock=clock)
        self._database_retry = 0.0

    def run(self, *, once: bool = False, idle_seconds: float = 1.0) -> int:
        """Send until stopped; with once, until nothing is due. Returns how many messages were handled.

        The pool is kept fed: more rows are claimed whenever fewer than two rounds are in flight, so
        threads never wait for a whole batch to finish (that idles a rate-limited sender).
        """
        self.leases = LeaseKeeper(self.app, lease=self.lease, clock=self.clock).start()
        try:
            handled = self._run_pool(once=once, idle_seconds=idle_seconds)
        finally:
            self.leases.stop()  # only after the pool finished: messages still in flight keep their leases
        return handled

    def _run_pool(self, *, once: bool, idle_seconds: float) -> int:
        handled = 0
        in_flight: set[Future] = set()
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            while not self.stopping.is_set():
                claimed: list[int] | None = []
                if len(in_flight) < self.concurrency * 2:
                    claimed = self._claim(self.concurrency * 4 - len(in_flight))
                    for message_id in claimed or ():
                        in_flight.add(pool.submit(self.process, message_id))
                if not in_flight:
                    if once and claimed is not None:
                        break
                    self.stopping.wait(idle_seconds)
                    continue
                done, in_flight = wait(in_flight, timeout=idle_seconds, return_when=FIRST_COMPLETED)
                handled += len(done)
        return handled

    def _claim(self, limit: int) -> list[int] | None:
        """Claim due messages; None when the database could not be reached (after waiting a growing while)."""
        now = self.clock()
        try:
            with self.app.app_context(), current_db().session_scope() as session:
                ids = claim_due(session=session, limit=limit, now=now, lease=self.lease)
        except SQLAlchemyError as exc:
            self._database_retry = min(max(self._database_retry * 2, 0.1), DATABASE_RETRY_CAP_SECONDS)
            log.warning(
                "outbox: database unavailable (%s); retrying in %.1fs", type(exc).__name__, self._database_retry
            )
            self.stopping.wait(self._database_retry)
            return None
        self._database_retry = 0.0
        self.leases.hold(ids, claimed_at=now)
        return ids

    def process(self, message_id: int) -> None:
        """Send one claimed message and record what happened; never raises."""
        accepted: tuple[Delivery, str] | None = None
        with self.app.app_context():
            session = current_db().new_session()
            try:
                message = session.get(OutboundMessage, message_id)
                if message is not None and self._ours(message):
                    accepted = self._deliver(session, message)
                session.commit()
            except Exception as exc:
                session.rollback()
                if accepted is not None:  # the provider has it: the database must learn so, or it goes twice
                    delivery, body = accepted
                    record_sent(self.app, message_id=message_id, delivery=delivery, body=body, at=self.clock())
                elif isinstance(exc, SQLAlchemyError):
                    log.warning(
                        "outbox: database lost while handling message %s; it is retried after its lease", message_id
                    )
                else:
                    log.exception(
                        "outbox: message %s failed unexpectedly; it will be retried after its lease", message_id
                    )
            finally:
                session.close()
                self.leases.let_go(message_id)

    def _deliver(self, session: Session, message: OutboundMessage) -> tuple[Delivery, str] | None:
        """Send the message if it still should go; (delivery, text) when the provider accepted it."""
        now = self.clock()
        in_doubt = message.error_code == OUTCOME_UNKNOWN
        try:
            with session.no_autoflush:
                outgoing = self._prepare(session, message, now)
            if outgoing is None:
                return None
            # No transaction stays open while the provider answers: SQLite would hold its write lock.
            session.commit()
            provider = providers()[message.channel]
            if not self._renew_before_sending(session, message):
                return None  # another worker took it over meanwhile: it is theirs now
            if in_doubt:
                earlier = self._earlier_delivery(message, provider, outgoing)
                if earlier is not None:
                    self._mark_sent(message, earlier, outgoing.text)
                    return None
            rate = current_settings().send_rate_per_channel.get(message.channel, 0)
            if rate > 0:  # last before the send: nothing may stand between a reserved slot and the provider
                wait_for_slot(
                    session=session,
                    sender=outgoing.rate_key or provider.sender,
                    per_second=rate,
                    sleep=self.sleep,
                    clock=time.time,
                )
            delivery = provider.send(outgoing)
        except PermanentFailure as failure:
            # A message that may have gone out is not sent again elsewhere either: no fallback.
            self._fail(session, message, failure.code, str(failure), fall_back_allowed=failure.code != OUTCOME_UNKNOWN)
            return None
        except SendError as error:
            self._send_error(session, message, error)
            return None
        self._mark_sent(message, delivery, outgoing.text)
        return delivery, outgoing.text

    def _ours(self, message: OutboundMessage) -> bool:
        """Still `sending` under our claim (a row taken over by another worker carries its later claim)."""
        claimed_at = self.leases.claimed_at(message.id)
        return message.status == MessageStatus.SENDING and (claimed_at is None or message.updated_at == claimed_at)

    def _renew_before_sending(self, session: Session, message: OutboundMessage) -> bool:
        """A full lease from now, if the message is still ours; False when it is not.

        With the lease longer than the provider timeout, no other worker can take the message over
        (and ask the provider or send it) while our request may still be in flight.
        """
        claimed_at = self.leases.claimed_at(message.id)
        if claimed_at is None:
            return True  # not claimed through run(): nothing to fence against
        until = self.clock() + self.lease
        still_ours = renew_lease(session=session, message_ids=[message.id], claimed_at=claimed_at, until=until) == 1
        session.commit()
        return still_ours

    def _earlier_delivery(self, message, provider, outgoing: Outgoing) -> Delivery | None:
        """For a message in doubt: what its channel's choice says (see channels.base.InDoubt).

        Raises SendError (kept in doubt, retried) when the provider could not be asked.
        """
        if provider.in_doubt == InDoubt.ASK:
            # Since the message was queued, not since its last retry: a backoff can outlast any window.
            try:
                return provider.find_sent(outgoing, since=message.created_at - CLOCK_SKEW)
            except SendError as error:
                raise SendError(str(error), code=OUTCOME_UNKNOWN, transient=True) from None
        if provider.in_doubt == InDoubt.AT_MOST_ONCE:
            raise PermanentFailure(OUTCOME_UNKNOWN, "The last attempt may have been delivered; not sent again")
        return None

    def _mark_sent(self, message: OutboundMessage, delivery: Delivery, text: str) -> None:
        message.body = text
        message.status = MessageStatus.SENT.value
        message.provider_message_id = delivery.provider_id
        message.sent_at = message.updated_at = self.clock()
        message.lease_expires_at = None
        message.error_code = message.error_message = None

    def _prepare(self, session: Session, message: OutboundMessage, now: datetime) -> Outgoing | None:
        """Re-check the message still makes sense, and render it for its channel; None when withdrawn."""
        bill = session.get(Bill, message.bill_id) if message.bill_id else None
        reason = withdrawal_reason(message, bill, now)
        if reason:
            self._withdraw(session, message, reason)
            return None
        if bill and is_bill_message(message.template_key):
            calendar = ContactCalendar(session.get(Biller, message.biller_id))
            if not calendar.is_allowed(now):  # a retry must not reach a customer at night either
                self._retry_at(session, message, calendar.next_allowed(now), "contact_hours", "Outside contact hours")
                message.attempts -= 1
                return None
            if message.content_variables is None:  # reminders are worded when sent, with the amount due then
                message.content_variables = reminder_variables(session=session, bill=bill, now=now)
        confirms_opt_out = (message.content_variables or {}).get(CONFIRMS_OPT_OUT) is True
        if (
            message.customer_id
            and not confirms_opt_out
            and is_opted_out(session=session, customer_id=message.customer_id, channel=message.channel)
        ):
            raise PermanentFailure("opted_out", "The customer opted out of this channel")
        rendered = render_for_channel(session=session, message=message, channel=message.channel)
        outgoing = Outgoing(
            message_id=message.id,
            channel=message.channel,
            recipient=message.recipient,
            text=rendered.text,
            pay_url=(message.content_variables or {}).get("link") if message.template_key else None,
            pay_label=f"Pay {(message.content_variables or {}).get('amount', '')}".strip(),
            subject=self._subject(session, message),
            choices=tuple(tuple(choice) for choice in (message.content_variables or {}).get("choices", ()))
            if not message.template_key
            else (),
            unsubscribe_url=self._unsubscribe_url(message),
        )
        own = sender_for(session=session, biller_id=message.biller_id, channel=message.channel)
        if own is not None:  # the biller's own number: its customers see its messages come from it
            outgoing = replace(outgoing, from_number=own.address, messaging_service_sid=own.messaging_service_sid)
        if message.channel == Channel.WHATSAPP:
            outgoing = self._whatsapp(session, message, outgoing, rendered.content_sid, now)
        if message.channel == Channel.SMS:
            message.segments = segment_count(rendered.text)
            if message.segments > current_settings().sms_max_segments:
                raise PermanentFailure("sms_too_long", f"{message.segments} SMS segments is over the limit")
        return outgoing

    def _whatsapp(self, session, message, outgoing: Outgoing, template_sid: str | None, now) -> Outgoing:
        """Free-form inside the customer's 24-hour window; outside it only an approved template may go."""
        if message.content_sid:
            sid = message.content_sid  # forced after Twilio answered 63016
        elif message.customer_id is None or whatsapp_window_open(
            session=session, customer_id=message.customer_id, now=now
        ):
            return outgoing  # inside the window (a reply to someone unknown answers the message they just sent)
        else:
            sid = template_sid
        if not sid:
            raise PermanentFailure(
                "outside_window_no_template", "Outside the WhatsApp 24-hour window and no approved template"
            )
        return replace(outgoing, content_sid=sid, content_variables=numbered_variables(message.content_variables or {}))

    def _subject(self, session: Session, message: OutboundMessage) -> str | None:
        if message.channel != Channel.EMAIL or message.biller_id is None:
            return None
        biller = session.get(Biller, message.biller_id)
        return f"{biller.name}: bill {(message.content_variables or {}).get('bill_number', '')}".strip()

    def _unsubscribe_url(self, message: OutboundMessage) -> str | None:
        if message.channel != Channel.EMAIL or not message.customer_id:
            return None
        return unsubscribe_url(customer_id=message.customer_id, channel=Channel.EMAIL)

    def _send_error(self, session: Session, message: OutboundMessage, error: SendError) -> None:
        settings = current_settings()
        if (
            error.code == "63016"
            and message.channel == Channel.WHATSAPP
            and not message.content_sid
            and message.biller_id
        ):
            biller = session.get(Biller, message.biller_id)
            if biller.whatsapp_outside_window == "template":
                rendered = render_for_channel(session=session, message=message, channel=message.channel)
                if rendered.content_sid:
                    message.content_sid = rendered.content_sid  # the next attempt goes as the template
                    self._retry_at(session, message, self.clock(), "63016", str(error))
                    return
        if error.transient and message.attempts < settings.outbox_max_attempts:
            self._retry_at(
                session, message, self.clock() + backoff(message.attempts, error.retry_after), error.code, str(error)
            )
            return
        self._fail(session, message, error.code or "failed", str(error))

    def _retry_at(self, session, message, when: datetime, code, text) -> None:
        message.status = MessageStatus.QUEUED.value
        message.next_attempt_at = when
        message.lease_expires_at = None
        message.error_code, message.error_message = code, text[:500]
        message.updated_at = self.clock()
        session.add(message)

    def _withdraw(self, session, message, reason: str) -> None:
        message.status = MessageStatus.CANCELLED.value
        message.error_code = reason
        message.lease_expires_at = None
        message.updated_at = self.clock()
        session.add(message)

    def _fail(
        self, session: Session, message: OutboundMessage, code: str, text: str, *, fall_back_allowed: bool = True
    ) -> None:
        message.status = MessageStatus.FAILED.value
        message.error_code, message.error_message = code, text[:500]
        message.lease_expires_at = None
        message.updated_at = self.clock()
        session.add(message)
        apply_failure_side_effects(session=session, message=message, code=code)
        if fall_back_allowed:
            fall_back(session=session, message=message, now=self.clock())


def apply_failure_side_effects(*, session: Session, message: OutboundMessage, code: str | None) -> None:
    """What a provider's permanent answer tells us about the customer (opted out, invalid number)."""
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
