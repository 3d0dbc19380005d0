"""Sending queued webhook deliveries: claim under a lease, sign, POST through the outbound rules, retry with backoff.

A delivery is retried with exponential backoff (30 s, 1 min, 2 min … at most 4 h apart) for a day after the
event; the last try is at the day's end, after which it is marked failed. Each claim increments `attempts`
and an outcome is written only while the attempt is still the sender's own, so two workers never both record.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

import httpx
from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from billing.outbound import OutboundPolicy, OutboundRefused, post
from billing.signatures import sign
from models.db import current_db, utcnow
from models.webhooks import DeliveryStatus, WebhookDelivery, WebhookEndpoint

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-ClickPay-Signature"
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=4)
RETRY_FOR = timedelta(days=1)
LEASE = timedelta(minutes=2)
TIMEOUT_SECONDS = 10.0
BATCH = 20


def retry_delay(attempt: int) -> timedelta:
    """How long to wait after the given failed attempt (1-based)."""
    return min(FIRST_RETRY * 2 ** min(attempt - 1, 20), LONGEST_WAIT)


def claim_due(*, session: Session, now: datetime, limit: int = BATCH) -> list[tuple[int, int]]:
    """Take deliveries that are due (or whose sender's lease ran out); returns (delivery id, attempt) pairs."""
    due = ((WebhookDelivery.status == DeliveryStatus.PENDING.value) & (WebhookDelivery.next_attempt_at <= now)) | (
        (WebhookDelivery.status == DeliveryStatus.SENDING.value) & (WebhookDelivery.lease_expires_at < now)
    )
    oldest = select(WebhookDelivery.id).where(due).order_by(WebhookDelivery.next_attempt_at).limit(limit)
    claim = {
        "status": DeliveryStatus.SENDING.value,
        "attempts": WebhookDelivery.attempts + 1,
        "lease_expires_at": now + LEASE,
    }
    if session.get_bind().dialect.name == "postgresql":
        ids = list(session.execute(oldest.with_for_update(skip_locked=True)).scalars())
        if not ids:
            return []
        where = WebhookDelivery.id.in_(ids)
    else:  # SQLite has one writer at a time, so a single UPDATE … RETURNING is already exclusive
        where = WebhookDelivery.id.in_(oldest.scalar_subquery())
    rows = session.execute(
        update(WebhookDelivery).where(where).values(**claim).returning(WebhookDelivery.id, WebhookDelivery.attempts)
    )
    return [(row.id, row.attempts) for row in rows]


def deliver_due(app: Flask, *, now: datetime | None = None) -> int:
    """Send every delivery due at `now`, one attempt each; returns how many were attempted."""
    now = now or utcnow()
    settings = app.extensions["settings"]
    policy = OutboundPolicy.from_settings(settings)
    with app.app_context():
        db = current_db()
        with db.session_scope() as session:
            claimed = claim_due(session=session, now=now)
        for delivery_id, attempt in claimed:
            with db.session_scope() as session:
                delivery = session.get(WebhookDelivery, delivery_id)
                endpoint = delivery and session.get(WebhookEndpoint, delivery.endpoint_id)
                if endpoint is None:
                    continue  # the endpoint was removed (with its log) since the claim
                url, secret, body = endpoint.url, endpoint.secret, delivery.body.encode()
                headers = {
                    "Content-Type": "application/json",
                    "User-Agent": "ClickPay-Webhooks/1",
                    "X-ClickPay-Event": delivery.event_type,
                    "X-ClickPay-Delivery": str(delivery.id),
                    SIGNATURE_HEADER: sign(secret, body, timestamp=int(now.timestamp())),
                }
            status, error = _send(url, body=body, headers=headers, policy=policy)
            with db.session_scope() as session:
                _record(session=session, delivery_id=delivery_id, attempt=attempt, now=now, status=status, error=error)
    return len(claimed)


def _send(url: str, *, body: bytes, headers: dict, policy: OutboundPolicy) -> tuple[int | None, str | None]:
    """POST once; (response status, error or None when the endpoint took it with a 2xx)."""
    try:
        response = post(url, policy=policy, content=body, headers=headers, timeout=TIMEOUT_SECONDS)
    except OutboundRefused as exc:
        return None, f"refused: {exc.message}"
    except httpx.HTTPStatusError as exc:
        return exc.response.status_code, f"answered {exc.response.status_code}"
    except httpx.HTTPError as exc:
        return None, f"could not connect ({type(exc).__name__})"
    return response.status_code, None


def _record(
    *, session: Session, delivery_id: int, attempt: int, now: datetime, status: int | None, error: str | None
) -> None:
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.attempts != attempt or delivery.status != DeliveryStatus.SENDING:
        return  # removed, or taken over by another worker after our lease ran out
    values: dict = {"response_status": status, "last_error": error, "lease_expires_at": None}
    deadline = delivery.created_at + RETRY_FOR
    if error is None:
        values.update(status=DeliveryStatus.SUCCEEDED.value, delivered_at=now)
    elif now >= deadline:
        values.update(status=DeliveryStatus.FAILED.value)
    else:
        values.update(status=DeliveryStatus.PENDING.value, next_attempt_at=min(now + retry_delay(attempt), deadline))
    session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, WebhookDelivery.attempts == attempt)
        .values(**values)
    )
    log.info("webhooks: delivery %d attempt %d %s", delivery_id, attempt, "delivered" if error is None else error)


class DeliveryDispatcher:
    """Runs in the worker process beside the outbox: sends due deliveries, then waits a moment."""

    def __init__(self, app: Flask, *, clock=utcnow, idle_seconds: float = 1.0) -> None:
        self.app = app
        self.clock = clock
        self.idle_seconds = idle_seconds
        self.stopping = threading.Event()

    def start(self) -> threading.Thread:
        """Send deliveries in a daemon thread; one cut off by exit is claimed again when its lease runs out."""
        thread = threading.Thread(target=self.run, name="webhook-deliveries", daemon=True)
        thread.start()
        return thread

    def run(self, *, once: bool = False) -> int:
        """Send until stopped; with once, until nothing is due. Returns how many attempts were made."""
        sent = 0
        while not self.stopping.is_set():
            try:
                attempted = deliver_due(self.app, now=self.clock())
            except SQLAlchemyError as exc:
                log.warning("webhooks: database unavailable (%s); retrying", type(exc).__name__)
                attempted = 0
            sent += attempted
            if once and not attempted:
                break
            if not attempted:
                self.stopping.wait(self.idle_seconds)
        return sent
