"""Per-sender rate slots on a simulated clock: a send never starts before its slot nor crowds a second."""

from __future__ import annotations

import random
import sys
from bisect import bisect_left
from itertools import pairwise

import pytest
from sqlalchemy import event, select

from channels.rates import BLOCK_SECONDS, TOP_UP_AHEAD_SECONDS, SlotBook, late_tolerance, margin_seconds, slot_interval
from models import SenderRate
from models.db import current_db

SENDER = "sms:+14155550100"


class InFlight:
    """Sends in flight on `threads` threads, each with a clock of its own that moves only when it sleeps.

    Each sleep wakes its thread `lateness()` seconds after it asked to, as a loaded machine does; after a send
    the thread waits `provider_seconds` for the provider's answer before it takes the next one.
    """

    def __init__(self, *, threads: int, lateness, provider_seconds: float = 0.05) -> None:
        self.times = [1_800_000_000.0] * threads
        self.current = 0
        self.lateness = lateness
        self.provider_seconds = provider_seconds

    def clock(self) -> float:
        return self.times[self.current]

    def sleep(self, seconds: float) -> None:
        self.times[self.current] += seconds + self.lateness()

    def starts(self, app, *, rate: float, sends: int, after_each=None) -> list[float]:
        book = SlotBook(app, sleep=self.sleep, clock=self.clock)
        book.expect(SENDER, sends)
        started = []
        for _ in range(sends):
            self.current = min(range(len(self.times)), key=self.times.__getitem__)  # the thread free first
            book.wait(sender=SENDER, per_second=rate)
            started.append(self.clock())
            if after_each:
                after_each(self.clock(), sends - len(started))
            self.times[self.current] += self.provider_seconds
        return sorted(started)


def busiest_second(times: list[float]) -> int:
    times = sorted(times)
    return max(bisect_left(times, start + 1.0) - n for n, start in enumerate(times))


@pytest.mark.parametrize("rate", [1, 20, 400])
def test_threads_woken_late_never_start_more_than_the_rate_in_one_second(app, rate):
    rng = random.Random(rate)
    # Mostly on time, sometimes a little late, now and then far too late.
    flight = InFlight(threads=32, lateness=lambda: rng.choice([0.0, 0.0, 0.0005, 0.004, 0.02, 0.3]))
    with app.app_context():
        started = flight.starts(app, rate=rate, sends=rate * 4)
    assert busiest_second(started) <= rate


def test_sends_woken_a_little_late_keep_their_slots(app):
    flight = InFlight(threads=32, lateness=lambda: 0.001)  # a millisecond late: 2.55 ms is an interval at 400/s
    with app.app_context():
        started = flight.starts(app, rate=400, sends=1200)
    gaps = {round(b - a, 6) for a, b in pairwise(started)}
    assert gaps == {round(slot_interval(400), 6)}  # one slot after another, none wasted


def test_sends_woken_one_switch_interval_late_keep_their_slots(app):
    """A thread woken on time may wait a switch interval (5 ms) for the interpreter lock: that costs no slot."""
    flight = InFlight(threads=32, lateness=sys.getswitchinterval)
    with app.app_context():
        started = flight.starts(app, rate=400, sends=1200)
    assert {round(b - a, 6) for a, b in pairwise(started)} == {round(slot_interval(400), 6)}


@pytest.mark.parametrize(("rate", "late_by"), [(20, 0.04), (400, 0.5)])
def test_a_send_arriving_late_on_its_own_never_crowds_a_second(app, rate, late_by):
    """One send now and then reaches the provider late (its thread preempted on the way, say).

    At 20/s a window of on-time arrivals may already hold 20, so the margin left after the lateness a send may
    start with must cover it (40 ms here); at 400/s the window has room for several, however late each one is.
    """
    rng = random.Random(rate)
    flight = InFlight(threads=32, lateness=lambda: rng.uniform(0, late_tolerance(rate)))
    with app.app_context():
        started = flight.starts(app, rate=rate, sends=rate * 6)
    every = max(5, rate // 6)  # fewer than the room a window has at 400/s: 7
    arrivals = [start + 0.0005 + (rng.uniform(0, late_by) if n % every == 0 else 0) for n, start in enumerate(started)]
    assert busiest_second(arrivals) <= rate


def test_a_stall_that_holds_back_the_sends_on_their_way_never_crowds_a_second(app):
    """A stall (the machine, the provider) holds every send that started in the last margin - L seconds before it;
    they all arrive together when it ends. Whenever it comes, no second at the provider holds more than the rate."""
    rate = 400
    held_for = margin_seconds(rate) - late_tolerance(rate)
    rng = random.Random(1)
    flight = InFlight(threads=32, lateness=lambda: rng.uniform(0, late_tolerance(rate)))
    with app.app_context():
        started = flight.starts(app, rate=rate, sends=rate * 3)
    for stall_ends in started[::7]:
        arrivals = [stall_ends if stall_ends - held_for <= start <= stall_ends else start for start in started]
        assert busiest_second(arrivals) <= rate


def test_the_next_block_is_reserved_while_a_tenth_of_a_second_of_slots_is_still_ahead(app):
    """Threads never find the book empty and wait for the database while more sends are on their way."""
    rate, sends = 400, 600
    interval = slot_interval(rate)
    ahead = []

    def reserved_ahead(started_at: float, still_to_start: int) -> None:
        with current_db().session_scope() as session:
            horizon = session.scalar(select(SenderRate.next_slot).where(SenderRate.sender == SENDER))
        ahead.append((horizon - started_at, min(TOP_UP_AHEAD_SECONDS, (still_to_start + 1) * interval)))

    with app.app_context():
        InFlight(threads=1, lateness=lambda: 0.0, provider_seconds=0.0).starts(
            app, rate=rate, sends=sends, after_each=reserved_ahead
        )
    assert all(reserved >= wanted - 1e-6 for reserved, wanted in ahead)


def test_sends_that_take_a_new_slot_do_not_shrink_the_blocks(app):
    """A send woken too late takes a second slot; it is still one send: blocks stay a quarter-second long (counted
    twice, the sends still announced ran out early and every thread reserved its slots one at a time)."""
    rate, sends = 400, 1200
    rng = random.Random(7)
    reservations = []

    def count_reservations(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("UPDATE SENDER_RATES"):
            reservations.append(statement)

    with app.app_context():
        engine = current_db().engine
        event.listen(engine, "before_cursor_execute", count_reservations)
        try:
            flight = InFlight(threads=32, lateness=lambda: 0.02 if rng.random() < 0.02 else 0.0)
            flight.starts(app, rate=rate, sends=sends)
        finally:
            event.remove(engine, "before_cursor_execute", count_reservations)
    full_blocks = sends / (rate * BLOCK_SECONDS)
    assert len(reservations) <= 2 * full_blocks
