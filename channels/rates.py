"""Per-sender send rates shared by every worker process (GCRA: each send reserves the next free slot).

A worker reserves slots a block at a time (one statement for a quarter-second of its sender's rate) and hands
them to its sending threads in order, so the database sees a few statements a second, not one per message.
"""

from __future__ import annotations

import math
import threading
from collections import deque

from flask import Flask
from sqlalchemy import case, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from models import SenderRate
from models.db import current_db

SAFETY = 1.05  # slots 5% wider than the rate, so latency jitter at the provider never fills a second
# A send at most this late keeps its slot; later ones take a new slot. Slots are SAFETY wider than the rate,
# so sends up to (SAFETY - 1) seconds late still fit a one-second window; half of that is left for the network.
# (At 2% a loaded machine put 21 sends in one second at 20/s: 10 ms was too little for the network's jitter.)
# Why this is exact at the start of every send, for any rate r and any number of workers: slots are unique (one
# UPDATE … RETURNING hands them out) and SAFETY/r apart; a send never starts before its slot and at most L after
# it, so the sends starting in any one-second window had their slots in a window 1 + L long, which holds at most
# (1 + L) × r / SAFETY ≤ r of them while L ≤ SAFETY - 1. The other half of that margin is the network's.
# (A tolerance of a tenth of an interval wasted most slots at 400/s, where an interval is 2.6 ms; the 21-in-a-second
# seen on CI was the in-process fake provider timing arrivals when the sending threads let it have the GIL.)
LATE_TOLERANCE_SECONDS = (SAFETY - 1) / 2
BLOCK_SECONDS = 0.25  # how much of a sender's rate one reservation takes at most


def reserve_slot(*, session: Session, sender: str, per_second: float, now: float, count: int = 1) -> float:
    """Reserve this sender's next `count` send times (unix seconds, 1/rate apart) and return the first.

    An INSERT … ON CONFLICT DO NOTHING makes sure the row exists; one UPDATE … RETURNING then moves it
    on atomically, on SQLite and PostgreSQL alike, so concurrent workers never share a slot. Slots are
    1/rate apart, so no one-second window holds more than the rate.
    """
    interval = SAFETY / per_second
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(SenderRate).values(sender=sender, next_slot=0.0).on_conflict_do_nothing())
    column = SenderRate.next_slot
    reserved = session.execute(
        update(SenderRate)
        .where(SenderRate.sender == sender)
        .values(next_slot=case((column > now, column), else_=now) + interval * count)
        .returning(SenderRate.next_slot)
    ).scalar_one()
    session.commit()
    return reserved - interval * count


class SlotBook:
    """This worker's reserved slots per sender, taken by its threads in order; safe to share between threads."""

    def __init__(self, app: Flask, *, sleep, clock) -> None:
        self.app = app
        self.sleep = sleep
        self.clock = clock
        self._lock = threading.Lock()
        self._slots: dict[str, deque[float]] = {}
        self._pending: dict[str, int] = {}  # sends announced but not yet given a slot

    def expect(self, sender: str, count: int = 1) -> None:
        """`count` more sends for this sender are on their way: the next reservation may cover them."""
        with self._lock:
            self._pending[sender] = self._pending.get(sender, 0) + count

    def forget(self, sender: str) -> None:
        """One announced send will not need a slot after all (found at the provider, or failed before)."""
        with self._lock:
            self._pending[sender] = max(self._pending.get(sender, 0) - 1, 0)

    def wait(self, *, sender: str, per_second: float) -> None:
        """Block until this sender may send; a thread that wakes too late takes a new slot rather than bunch up."""
        interval = SAFETY / per_second
        for _ in range(100):
            slot = self._take(sender, per_second, interval)
            self.sleep(max(slot - self.clock(), 0))
            if self.clock() - slot <= LATE_TOLERANCE_SECONDS:
                return

    def _take(self, sender: str, per_second: float, interval: float) -> float:
        with self._lock:
            slots = self._slots.setdefault(sender, deque())
            stale = self.clock() - LATE_TOLERANCE_SECONDS
            while slots and slots[0] < stale:
                slots.popleft()  # wasted, never used late: a missed slot cannot be made up without bunching
            if not slots:
                count = max(1, min(self._pending.get(sender, 1), math.ceil(per_second * BLOCK_SECONDS)))
                with self.app.app_context(), current_db().session_scope() as session:
                    first = reserve_slot(
                        session=session, sender=sender, per_second=per_second, now=self.clock(), count=count
                    )
                slots.extend(first + n * interval for n in range(count))
            self._pending[sender] = max(self._pending.get(sender, 0) - 1, 0)
            return slots.popleft()
