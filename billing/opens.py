"""Link opens counted off the request path: buffered in the web process and written in batches.

A page view used to cost an UPDATE of the link, an INSERT into its timeline and a commit (on SQLite, a
disk sync) before the page could be sent. Opens are now appended to an in-memory buffer and written as
one multi-row INSERT plus one UPDATE per link, in one transaction, when the batch is full, when its oldest
open is a second old (checked at the next open), and when the process exits. The funnel stays exact: every
open is written, with the instant it happened (a batch the database fails to take is kept for the next one);
only a process killed outright loses its unwritten opens.
No background thread: one in a gunicorn worker could take the signals meant for it and stall its shutdown.
"""

from __future__ import annotations

import atexit
import logging
import threading
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, insert, update
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from models import LinkEvent, PaymentLink

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Open:
    """One view of a payment link by a person (crawlers are never recorded)."""

    link_id: int
    bill_id: int
    at: datetime


class OpenRecorder:
    """Buffers opens and writes them in batches through the database's own sessions."""

    def __init__(self, database, *, batch_size: int = 200, flush_every_seconds: float = 1.0) -> None:
        self._database = database
        self._batch_size = batch_size
        self._flush_every = timedelta(seconds=flush_every_seconds)
        self._pending: list[Open] = []
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()  # one batch at a time, so a link's counts never race each other
        atexit.register(self.flush)

    def record(self, opened: Open) -> None:
        """Count one open; the batch is written once it is full or its oldest open is a second old."""
        with self._lock:
            self._pending.append(opened)
            due = len(self._pending) >= self._batch_size or opened.at - self._pending[0].at >= self._flush_every
        if due:
            self.flush()

    def flush(self) -> int:
        """Write every buffered open now; returns how many were written.

        A batch the database fails to take (a dropped connection, a failover) goes back into the buffer, ahead of
        what came meanwhile, and is written with the next batch: the view that happened to flush it still answers.
        """
        with self._write_lock:
            with self._lock:
                batch, self._pending = self._pending, []
            if not batch:
                return 0
            try:
                write_opens(self._database, batch)
            except SQLAlchemyError as error:
                log.warning("opens: %d not written (%s); kept for the next batch", len(batch), type(error).__name__)
                with self._lock:
                    self._pending[:0] = batch
                return 0
            return len(batch)


def record_open(*, session: Session, opened: Open) -> None:
    """Count a visit and add it to the bill's timeline, as two plain statements (the caller commits)."""
    session.execute(
        update(PaymentLink)
        .where(PaymentLink.id == opened.link_id)
        .values(open_count=PaymentLink.open_count + 1, last_opened_at=opened.at)
    )
    session.execute(
        insert(LinkEvent).values(link_id=opened.link_id, bill_id=opened.bill_id, kind="opened", created_at=opened.at)
    )


def write_opens(database, batch: list[Open]) -> None:
    """The batch as timeline rows and per-link counters, in one transaction."""
    counts = Counter(opened.link_id for opened in batch)
    latest: dict[int, datetime] = {}
    for opened in batch:
        latest[opened.link_id] = max(latest.get(opened.link_id, opened.at), opened.at)
    # A connection, not a session: a batch is plain statements, and the ORM's bulk insert cost a third more per open.
    with database.engine.begin() as connection:
        connection.execute(
            LinkEvent.__table__.insert(),
            [{"link_id": o.link_id, "bill_id": o.bill_id, "kind": "opened", "created_at": o.at} for o in batch],
        )
        for link_id, count in counts.items():
            last = latest[link_id]
            connection.execute(
                update(PaymentLink)
                .where(PaymentLink.id == link_id)
                .values(
                    open_count=PaymentLink.open_count + count,
                    last_opened_at=case(
                        (PaymentLink.last_opened_at.is_(None), last),
                        (PaymentLink.last_opened_at < last, last),
                        else_=PaymentLink.last_opened_at,
                    ),
                )
            )
