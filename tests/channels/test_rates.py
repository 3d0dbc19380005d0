"""Per-sender rate slots on a simulated clock: a send never starts before its slot nor crowds a second."""

from __future__ import annotations

import random
from itertools import pairwise

import pytest

from channels.rates import SAFETY, SlotBook

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

    def starts(self, app, *, rate: float, sends: int) -> list[float]:
        book = SlotBook(app, sleep=self.sleep, clock=self.clock)
        book.expect(SENDER, sends)
        started = []
        for _ in range(sends):
            self.current = min(range(len(self.times)), key=self.times.__getitem__)  # the thread free first
            book.wait(sender=SENDER, per_second=rate)
            started.append(self.clock())
            self.times[self.current] += self.provider_seconds
        return sorted(started)


def busiest_second(times: list[float]) -> int:
    return max(sum(1 for t in times if start <= t < start + 1.0) for start in times)


@pytest.mark.parametrize("rate", [1, 20, 400])
def test_threads_woken_late_never_start_more_than_the_rate_in_one_second(app, rate):
    rng = random.Random(rate)
    # Mostly on time, sometimes a little late, now and then far too late.
    flight = InFlight(threads=32, lateness=lambda: rng.choice([0.0, 0.0, 0.0005, 0.004, 0.02, 0.3]))
    with app.app_context():
        started = flight.starts(app, rate=rate, sends=rate * 4)
    assert busiest_second(started) <= rate


def test_sends_woken_a_little_late_keep_their_slots(app):
    flight = InFlight(threads=32, lateness=lambda: 0.001)  # a millisecond late: 2.6 ms is an interval at 400/s
    with app.app_context():
        started = flight.starts(app, rate=400, sends=1200)
    gaps = {round(b - a, 6) for a, b in pairwise(started)}
    assert gaps == {round(SAFETY / 400, 6)}  # one slot after another, none wasted
