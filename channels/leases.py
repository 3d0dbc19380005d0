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

RECORD_ATTEMPTS = 8


class LeaseKeeper:
    """Renews the lease of every message this worker holds, every third of a lease, until it lets go.

    Leases can then be short (a dead worker's messages are taken over quickly) while a send that
    waits on a slow provider or a rate limit is never taken over by another worker. Each claim is
    known by the instant it was made (the row's updated_at): a row another worker has taken over
    since carries a later one, so neither a renewal nor a send of ours touches it any more.
    """

    def __init__(self, app: Flask, *, lease: timedelta, clock: Callable[[], datetime]) -> None:
        self.app = app
        self.lease = lease
        self.clock = clock
        self._held: dict[int, datetime] = {}  # message id -> the instant of our claim
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

    def hold(self, message_ids: list[int], *, claimed_at: datetime) -> None:
        """Keep these messages' leases alive, claimed by us at `claimed_at`."""
        with self._lock:
            self._held.update(dict.fromkeys(message_ids, claimed_at))

    def let_go(self, message_id: int) -> None:
        """The message's outcome is written (or left to expire): stop renewing it."""
        with self._lock:
            self._held.pop(message_id, None)

    def claimed_at(self, message_id: int) -> datetime | None:
        """When we claimed this message, while we hold it."""
        with self._lock:
            return self._held.get(message_id)

    def renew(self) -> int:
        """Push every held lease one lease ahead; returns how many rows were renewed."""
        with self._lock:
            claims: dict[datetime, list[int]] = {}
            for message_id, claimed_at in self._held.items():
                claims.setdefault(claimed_at, []).append(message_id)
        if not claims:
            return 0
        renewed = 0
        with self.app.app_context(), current_db().session_scope() as session:
            for claimed_at, ids in claims.items():
                renewed += renew_lease(
                    session=session, message_ids=ids, claimed_at=claimed_at, until=self.clock() + self.lease
                )
        return renewed

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


def renew_lease(*, session, message_ids: list[int], claimed_at: datetime, until: datetime) -> int:
    """Extend the lease of messages still under our claim; returns how many still were."""
    result = session.execute(
        update(OutboundMessage)
        .where(
            OutboundMessage.id.in_(message_ids),
            OutboundMessage.status == MessageStatus.SENDING,
            OutboundMessage.updated_at == claimed_at,
        )
        .values(lease_expires_at=until)
    )
    return result.rowcount


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
