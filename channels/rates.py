"""Per-sender send rates shared by every worker process (GCRA: each send reserves the next free slot).

A worker reserves slots a block at a time (one statement for up to a quarter-second of its sender's rate), the
next block while some of the last is still ahead, and hands them to its sending threads in order, so the database
sees a few statements a second, not one per message, and no thread waits for it.
"""

from __future__ import annotations

import math
import sys
import threading
from collections import deque

from flask import Flask
from sqlalchemy import case, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from models import SenderRate
from models.db import current_db

# Slots are (1 + margin) / rate apart, the margin a time in seconds. Exact at the start of every send: a send starts
# at most L after its slot (L = late_tolerance, below), so the sends starting in a one-second window had their slots
# in a window 1 + L long; any rate + 1 slots in a row span 1 + margin, so that window holds at most `rate` of them
# while L <= margin. This holds for any rate and any number of workers (one UPDATE … RETURNING hands out each slot
# once). What is left, margin - L, is for the way from a send's start to its arrival at the provider, which a loaded
# machine stretches, in one of two ways:
# - One send arrives late on its own (its thread preempted on the way). A one-second window holds up to
#   ceil(rate / (1 + margin)) arrivals on time: 20 of 20 at 20/s, so a single send later than margin - L fills it.
#   Low rates keep 50 ms for this: a loaded CI machine put 21 arrivals in one second at 20/s with 10 ms left, and
#   again with 25 ms. At high rates a margin of LATE_ARRIVALS_ROOM / rate (never under 20 ms) leaves room in every
#   window for sends arriving late, however late (7 at 400/s: at most 393 arrive on time).
# - A stall (of the machine or the provider) holds back every send on its way, and they arrive together when it
#   ends: still at most `rate` in any window while they all started within margin - L of its end (14 ms at 400/s,
#   where an arrival lags its slot by 0.7 ms typically on a 2-core machine: a send is 0.2 ms on its way).
# 50 ms at 400/s alone capped the sender at 0.95 of the limit (0.93 with its start-up); 20 ms caps it at 0.98.
MAX_MARGIN_SECONDS = 0.05
MIN_MARGIN_SECONDS = 0.02
LATE_ARRIVALS_ROOM = 8  # about how many sends in a second may arrive late without crowding it, at high rates


def margin_seconds(per_second: float) -> float:
    """How much longer than one second `per_second` slots span (see above)."""
    return min(MAX_MARGIN_SECONDS, max(MIN_MARGIN_SECONDS, LATE_ARRIVALS_ROOM / per_second))


# A thread woken on time may still wait one switch interval for the interpreter lock held by another (5 ms by
# default): a send keeps its slot that late plus a millisecond, or a tenth of an interval when that is more, and
# never more than half the margin (at 20/s: 6 ms of 50; at 400/s: 6 ms of 20).
MAX_LATE_SHARE_OF_MARGIN = 0.5


def slot_interval(per_second: float) -> float:
    """Seconds between one sender's slots: a little wider than 1 / rate."""
    return (1 + margin_seconds(per_second)) / per_second


def late_tolerance(per_second: float) -> float:
    """How late a send may start after its slot and keep it (see above)."""
    woken_late = sys.getswitchinterval() + 0.001
    return min(margin_seconds(per_second) * MAX_LATE_SHARE_OF_MARGIN, max(slot_interval(per_second) / 10, woken_late))


BLOCK_SECONDS = 0.25  # how much of a sender's rate one reservation takes at most
# A worker reserves its next block while this much of the last one is still ahead, so its threads never find the
# book empty and wait for the database (the new block then follows the old one with no gap between them).
TOP_UP_AHEAD_SECONDS = 0.1


def reserve_slot(*, session: Session, sender: str, per_second: float, now: float, count: int = 1) -> float:
    """Reserve this sender's next `count` send times (unix seconds, slot_interval apart) and return the first.

    An INSERT … ON CONFLICT DO NOTHING makes sure the row exists; one UPDATE … RETURNING then moves it
    on atomically, on SQLite and PostgreSQL alike, so concurrent workers never share a slot. Slots are a
    little more than 1/rate apart, so no one-second window holds more than the rate (see above).
    """
    interval = slot_interval(per_second)
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
        self._refilled = threading.Condition(self._lock)
        self._slots: dict[str, deque[float]] = {}
        self._pending: dict[str, int] = {}  # sends announced but not yet given a slot
        self._reserving: set[str] = set()  # senders a thread is reserving a block for (outside the lock)

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
        tolerance = late_tolerance(per_second)
        for attempt in range(100):
            slot = self._take(sender, per_second, tolerance, announced=attempt == 0)
            self.sleep(max(slot - self.clock(), 0))
            if self.clock() - slot <= tolerance:
                return

    def _take(self, sender: str, per_second: float, tolerance: float, *, announced: bool) -> float:
        """The next free slot; the thread that finds the book running low first reserves the next block."""
        with self._lock:
            if announced:
                self._pending[sender] = max(self._pending.get(sender, 0) - 1, 0)
        while True:
            with self._lock:
                slots = self._slots.setdefault(sender, deque())
                now = self.clock()
                while slots and slots[0] < now - tolerance:
                    slots.popleft()  # wasted, never used late: a missed slot cannot be made up without bunching
                # This thread and the announced sends still to come, less the slots already in the book.
                short = self._pending.get(sender, 0) + 1 - len(slots)
                running_low = not slots or slots[-1] < now + TOP_UP_AHEAD_SECONDS
                if short > 0 and running_low and sender not in self._reserving:
                    self._reserving.add(sender)
                elif slots:
                    return slots.popleft()
                else:
                    self._refilled.wait()  # another thread is reserving this sender's next block
                    continue
            self._reserve(sender, per_second, count=min(short, math.ceil(per_second * BLOCK_SECONDS)))

    def _reserve(self, sender: str, per_second: float, *, count: int) -> None:
        """Add `count` slots to the book: on this thread's time, not the lock's (the others go on taking slots)."""
        first = None
        try:
            with self.app.app_context(), current_db().session_scope() as session:
                first = reserve_slot(
                    session=session, sender=sender, per_second=per_second, now=self.clock(), count=count
                )
        finally:
            with self._lock:
                if first is not None:  # after the book's last slot: the row only moves on
                    interval = slot_interval(per_second)
                    self._slots[sender].extend(first + n * interval for n in range(count))
                self._reserving.discard(sender)
                self._refilled.notify_all()
