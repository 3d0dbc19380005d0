"""Per-sender send rates shared by every worker process (GCRA: each send reserves the next free slot)."""

from __future__ import annotations

from sqlalchemy import case, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from models import SenderRate

SAFETY = 1.02  # slots 2% wider than the rate, so latency jitter at the provider never fills a second


def reserve_slot(*, session: Session, sender: str, per_second: float, now: float) -> float:
    """Reserve this sender's next send time (unix seconds) and return it.

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
        .values(next_slot=case((column > now, column), else_=now) + interval)
        .returning(SenderRate.next_slot)
    ).scalar_one()
    session.commit()
    return reserved - interval


LATE_TOLERANCE = 0.1  # of an interval: a send later than this gives its slot up and takes a new one


def wait_for_slot(*, session: Session, sender: str, per_second: float, sleep, clock) -> None:
    """Block until this sender may send; a thread that wakes too late reserves again rather than bunch up."""
    interval = SAFETY / per_second
    for _ in range(100):
        slot = reserve_slot(session=session, sender=sender, per_second=per_second, now=clock())
        sleep(max(slot - clock(), 0))
        if clock() - slot <= LATE_TOLERANCE * interval:
            return
