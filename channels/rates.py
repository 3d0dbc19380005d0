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
# A send at most this late keeps its slot; later ones take a new slot. Slots are SAFETY wider than the rate, so the
# sends starting in any one-second window had their slots in a window 1 + L long (L the lateness kept), which holds
# at most (1 + L) × r / SAFETY ≤ r of them while L ≤ SAFETY - 1: exact at the start of every send, for any rate r and
# any number of workers (one UPDATE … RETURNING hands each slot out once). What is left of the 50 ms margin is for
# the time between a send's start and its arrival at the provider, which a loaded machine stretches: so L is a tenth
# of an interval (5 ms at 20/s, leaving 45 ms), but never under 2 ms, which keeps the slots of threads that merely
# wake a little late at high rates (at 400/s an interval is 2.6 ms; a tenth of it wasted most slots), and never over
# half the margin. (With L = 25 ms at 20/s a loaded CI machine saw 21 arrivals in one second, twice.)
LATE_TOLERANCE_SECONDS = (SAFETY - 1) / 2
MIN_LATE_TOLERANCE_SECONDS = 0.002


def late_tolerance(interval: float) -> float:
    """How late a send may start after its slot and keep it (see above)."""
    return min(LATE_TOLERANCE_SECONDS, max(interval / 10, MIN_LATE_TOLERANCE_SECONDS))


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
            if self.clock() - slot <= late_tolerance(interval):
                return

    def _take(self, sender: str, per_second: float, interval: float) -> float:
        with self._lock:
            slots = self._slots.setdefault(sender, deque())
            stale = self.clock() - late_tolerance(interval)
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
