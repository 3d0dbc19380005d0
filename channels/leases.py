"""What keeps the outbox exactly-once through crashes: leases renewed while a worker holds a message,
and a provider's acceptance written down even when the database drops mid-send."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import update
from sqlalchemy.exc import SQLAlchemyError

from channels.base import Delivery
from models import OutboundMessage
from models.db import current_db
from models.vocab import MessageStatus

log = logging.getLogger(__name__)

# error_code of a row taken over from a worker whose lease expired while it was `sending`:
# the provider may or may not have the message (see channels.base.InDoubt).
OUTCOME_UNKNOWN = "outcome_unknown"
RECORD_ATTEMPTS = 8


class LeaseKeeper:
    """Renews the lease of every message this worker holds, every third of a lease, until it lets go.

    Leases can then be short (a dead worker's messages are taken over quickly) while a send that
    waits on a slow provider or a rate limit is never taken over by another worker.
    """

    def __init__(self, app: Flask, *, lease: timedelta, clock: Callable[[], datetime]) -> None:
        self.app = app
        self.lease = lease
        self.clock = clock
        self._held: set[int] = set()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="outbox-lease-keeper", daemon=True)

    def start(self) -> LeaseKeeper:
        """Begin renewing in the background."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop renewing (the worker is done)."""
        self._stopping.set()
        self._thread.join(timeout=5)

    def hold(self, message_ids: list[int]) -> None:
        """Keep these claimed messages' leases alive."""
        with self._lock:
            self._held.update(message_ids)

    def let_go(self, message_id: int) -> None:
        """The message's outcome is written (or left to expire): stop renewing it."""
        with self._lock:
            self._held.discard(message_id)

    def renew(self) -> int:
        """Push every held lease one lease ahead; returns how many rows were renewed."""
        with self._lock:
            held = sorted(self._held)
        if not held:
            return 0
        with self.app.app_context(), current_db().session_scope() as session:
            result = session.execute(
                update(OutboundMessage)
                .where(OutboundMessage.id.in_(held), OutboundMessage.status == MessageStatus.SENDING)
                .values(lease_expires_at=self.clock() + self.lease)
            )
            return result.rowcount

    def _beat(self) -> None:
        interval = self.lease.total_seconds() / 3
        while not self._stopping.wait(interval):
            try:
                self.renew()
            except SQLAlchemyError as exc:
                interval = min(1.0, self.lease.total_seconds() / 3)  # try again soon: the lease is running out
                log.warning("outbox: could not renew leases (%s); trying again", type(exc).__name__)
            else:
                interval = self.lease.total_seconds() / 3


def record_sent(
    app: Flask, *, message_id: int, delivery: Delivery, body: str | None, at: datetime, sleep=time.sleep
) -> bool:
    """Write down that the provider accepted a message, on fresh connections, retrying while the database is away.

    Called when the commit after a successful send failed: without it the row would stay `sending`
    and, on a channel that cannot be asked, be sent a second time.
    """
    delay = 0.1
    for _ in range(RECORD_ATTEMPTS):
        try:
            with app.app_context(), current_db().session_scope() as session:
                session.execute(
                    update(OutboundMessage)
                    .where(OutboundMessage.id == message_id, OutboundMessage.status == MessageStatus.SENDING)
                    .values(
                        status=MessageStatus.SENT.value,
                        provider_message_id=delivery.provider_id,
                        body=body,
                        sent_at=at,
                        updated_at=at,
                        lease_expires_at=None,
                        error_code=None,
                        error_message=None,
                    )
                )
            return True
        except SQLAlchemyError as exc:
            log.warning("outbox: message %s sent but not yet recorded (%s); retrying", message_id, type(exc).__name__)
            sleep(delay)
            delay = min(delay * 2, 5.0)
    log.error(
        "outbox: message %s was sent but could not be recorded; it will be looked for before any resend", message_id
    )
    return False
