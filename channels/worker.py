"""The outbox worker's loop: claim due messages a batch at a time, compose them in one session, send many at
once on a pool of threads, and write the outcomes in batches. Safe to run as several processes at once."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ALL_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from channels.base import OUTCOME_UNKNOWN
from channels.claims import claim_due, mark_sent
from channels.composing import compose, withdraw_changed
from channels.failures import PermanentFailure, fail_permanently, on_send_error
from channels.leases import LeaseKeeper, record_sent, renew_lease
from channels.rates import SlotBook
from channels.registry import providers
from channels.sending import Outcome, Send, deliver
from models import Bill, Biller, Customer, OutboundMessage
from models.db import current_db, utcnow
from models.vocab import MessageStatus

log = logging.getLogger(__name__)

DATABASE_RETRY_CAP_SECONDS = 5.0
# Rows are claimed and composed a round (one per thread) at a time, so the first sends start after one short
# compose and no compose holds the interpreter lock for long, until this many rounds are in flight: at 400/s three
# rounds are 0.24 s of sends, so threads keep waiting on their slots, not on a compose slowed by a busy machine.
ROUNDS_AHEAD = 3
RECORD_EVERY_SECONDS = 0.05  # how often the outcomes of finished sends are written, in one transaction


class _Poisoned(Exception):
    """Composing one message raised something unexpected: the batch is composed again without it."""

    def __init__(self, message_id: int) -> None:
        super().__init__(message_id)
        self.message_id = message_id


def _load_related(session: Session, messages: Sequence[OutboundMessage]) -> list:
    """The bills, customers and billers the messages name, one query each, for compose's `session.get`s to find in
    the session. The batch holds the list while it is composed: the session's identity map holds objects only weakly,
    and each bill or biller composed and let go was loaded again for the next message (a fifth of the worker's CPU
    on PostgreSQL). The bills are read again once the round is composed (composing.withdraw_changed)."""
    related: list = []
    for model, ids in (
        (Bill, {message.bill_id for message in messages}),
        (Customer, {message.customer_id for message in messages}),
        (Biller, {message.biller_id for message in messages}),
    ):
        ids.discard(None)
        if ids:
            related += session.scalars(select(model).where(model.id.in_(ids))).all()
    return related


class OutboxWorker:
    """Sends due outbox rows, many in flight at once; safe to run as several processes at once."""

    def __init__(self, app: Flask, *, clock=utcnow, sleep=time.sleep) -> None:
        self.app = app
        self.clock = clock
        settings = app.extensions["settings"]
        self.concurrency = settings.worker_concurrency
        self.lease = timedelta(seconds=settings.outbox_lease_seconds)
        self.provider_timeout = timedelta(seconds=settings.provider_timeout_seconds)
        self.stopping = threading.Event()
        self._woken = threading.Event()
        self.leases = LeaseKeeper(app, lease=self.lease, clock=clock)
        self.slots = SlotBook(app, sleep=sleep, clock=time.time)
        self._fenced: dict[int, datetime] = {}  # message id -> until when our lease surely holds
        self._fence_lock = threading.Lock()
        self._database_retry = 0.0

    def wake(self) -> None:
        """New messages were queued (replies to inbound ones): look now rather than after the idle wait."""
        self._woken.set()

    def stop(self) -> None:
        """Finish what is in flight and return from run()."""
        self.stopping.set()
        self._woken.set()

    def _idle(self, seconds: float) -> None:
        self._woken.wait(seconds)
        self._woken.clear()

    def run(self, *, once: bool = False, idle_seconds: float = 1.0) -> int:
        """Send until stopped; with once, until nothing is due. Returns how many messages were handled.

        The pool is kept fed: more rows are claimed whenever fewer than ROUNDS_AHEAD rounds are in flight,
        so threads never wait for a whole batch to finish (that idles a rate-limited sender).
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
        # Look for due rows again when sends finished since the last look (room, and what was queued meanwhile) or
        # idle_seconds after it: not at every turn of a loop that turns every RECORD_EVERY_SECONDS.
        look, looked_at = True, 0.0
        with ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="outbox-send") as pool:
            while not self.stopping.is_set():
                claimed: list[int] | None = []
                room = len(in_flight) < self.concurrency * ROUNDS_AHEAD
                if room and (look or time.monotonic() - looked_at >= idle_seconds):
                    claimed = self._claim(self.concurrency)
                    looked_at = time.monotonic()
                    handled += len(claimed or ())
                    for send in self._compose(claimed) if claimed else ():
                        in_flight.add(pool.submit(self._deliver, send))
                if claimed and len(in_flight) < self.concurrency * ROUNDS_AHEAD:
                    continue  # still short (or all withdrawn or put off): there may be more due
                if not in_flight:
                    if once and claimed is not None:
                        break
                    self._idle(idle_seconds)
                    look = True
                    continue
                # Outcomes are written every RECORD_EVERY_SECONDS, not at each completion: one transaction per
                # completed send kept this thread (and the interpreter lock) busy a third of the time at 400/s,
                # and sending threads woke late for their slots behind it.
                done, in_flight = wait(in_flight, timeout=RECORD_EVERY_SECONDS, return_when=ALL_COMPLETED)
                look = bool(done)
                if done:
                    self._record([future.result() for future in done])
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
        with self._fence_lock:
            self._fenced.update(dict.fromkeys(ids, now + self.lease))
        return ids

    def _compose(self, ids: list[int]) -> list[Send]:
        """Compose the claimed messages in one session and one commit; what is left to send."""
        poisoned: set[int] = set()
        while True:
            try:
                sends = self._compose_batch([i for i in ids if i not in poisoned])
                break
            except _Poisoned as poison:
                poisoned.add(poison.message_id)
                log.exception(
                    "outbox: message %s failed unexpectedly; it will be retried after its lease", poison.message_id
                )
            except SQLAlchemyError as exc:
                log.warning("outbox: database lost while composing (%s); retried after the lease", type(exc).__name__)
                sends = []
                break
            except Exception:
                log.exception("outbox: composing a batch failed; its messages are retried after their lease")
                sends = []
                break
        kept = {send.outgoing.message_id for send in sends}
        for message_id in ids:
            if message_id not in kept:
                self._let_go(message_id)
        return sends

    def _compose_batch(self, ids: list[int]) -> list[Send]:
        now = self.clock()
        sends: list[Send] = []
        rates = self.app.extensions["settings"].send_rate_per_channel
        with self.app.app_context():
            session = current_db().new_session()
            try:
                messages = session.scalars(select(OutboundMessage).where(OutboundMessage.id.in_(ids))).all()
                # Lookups shared by the batch (opted-out channels, billers' own senders), and the rows it names.
                batch: dict = {"related": _load_related(session, messages)}
                for message in messages:
                    if not self._ours(message):
                        continue
                    in_doubt = message.error_code == OUTCOME_UNKNOWN
                    try:
                        with session.no_autoflush:
                            outgoing = compose(session=session, message=message, now=now, batch=batch)
                    except PermanentFailure as failure:
                        fail_permanently(session=session, message=message, failure=failure, now=now)
                        continue
                    except SQLAlchemyError:
                        raise
                    except Exception as exc:
                        raise _Poisoned(message.id) from exc
                    if outgoing is None:
                        continue
                    provider = providers()[message.channel]
                    send = Send(
                        outgoing=outgoing,
                        provider=provider,
                        in_doubt=in_doubt,
                        queued_at=message.created_at,
                        rate_key=outgoing.rate_key or provider.sender,
                        per_second=rates.get(message.channel, 0),
                    )
                    sends.append(send)
                going = {send.outgoing.message_id for send in sends}
                withdrawn = withdraw_changed(session=session, messages=[m for m in messages if m.id in going], now=now)
                sends = [send for send in sends if send.outgoing.message_id not in withdrawn]
                # No transaction stays open while the providers answer: SQLite would hold its write lock.
                session.commit()
            except BaseException:
                session.rollback()
                raise
            finally:
                session.close()
        for send in sends:
            if send.per_second > 0:
                self.slots.expect(send.rate_key)
        return sends

    def _deliver(self, send: Send) -> Outcome:
        with self.app.app_context():
            return deliver(send, slots=self.slots, still_ours=self._still_ours)

    def _ours(self, message: OutboundMessage) -> bool:
        """Still `sending` under our claim (a row taken over by another worker carries its later claim)."""
        claimed_at = self.leases.claimed_at(message.id)
        return message.status == MessageStatus.SENDING and claimed_at is not None and message.updated_at == claimed_at

    def _still_ours(self, message_id: int) -> bool:
        """True when our lease surely outlasts a send started now (renewed first if it might not).

        With the lease held past the provider timeout, no other worker can take the message over (and ask
        the provider or send it) while our request may still be in flight.
        """
        claimed_at = self.leases.claimed_at(message_id)
        if claimed_at is None:
            return False
        now = self.clock()
        with self._fence_lock:
            fenced = self._fenced.get(message_id)
        if fenced is not None and now + self.provider_timeout < fenced:
            return True
        until = now + self.lease
        with current_db().session_scope() as session:
            ours = renew_lease(session=session, message_ids=[message_id], claimed_at=claimed_at, until=until) == 1
        if ours:
            with self._fence_lock:
                self._fenced[message_id] = until
        return ours

    def _record(self, outcomes: list[Outcome]) -> None:
        """Write a batch of outcomes: the accepted in one statement, refusals through the failure policy."""
        now = self.clock()
        accepted = [(o.message_id, o.delivery, o.text) for o in outcomes if o.delivery is not None]
        refused = {o.message_id: o for o in outcomes if o.delivery is None and not o.abandoned}
        with self.app.app_context():
            session = current_db().new_session()
            try:
                mark_sent(session=session, accepted=accepted, at=now)
                if refused:
                    self._record_refusals(session, refused, now)
                session.commit()
            except Exception as exc:
                session.rollback()
                # The provider has these: the database must learn so, or they go twice.
                for message_id, delivery, text in accepted:
                    record_sent(self.app, message_id=message_id, delivery=delivery, body=text, at=now)
                if isinstance(exc, SQLAlchemyError):
                    log.warning("outbox: database lost while recording outcomes; refusals are retried after the lease")
                else:
                    log.exception("outbox: recording outcomes failed; refusals are retried after the lease")
            finally:
                session.close()
                for outcome in outcomes:
                    self._let_go(outcome.message_id)

    def _record_refusals(self, session: Session, refused: dict[int, Outcome], now: datetime) -> None:
        messages = session.scalars(select(OutboundMessage).where(OutboundMessage.id.in_(list(refused)))).all()
        for message in messages:
            if not self._ours(message):
                continue
            outcome = refused[message.id]
            if outcome.failure is not None:
                fail_permanently(session=session, message=message, failure=outcome.failure, now=now)
            else:
                on_send_error(session=session, message=message, error=outcome.error, now=now)

    def _let_go(self, message_id: int) -> None:
        self.leases.let_go(message_id)
        with self._fence_lock:
            self._fenced.pop(message_id, None)
