"""Per-sender send rates shared by every worker process (GCRA: each send reserves the next free slot)."""

from __future__ import annotations

from sqlalchemy import case, insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from models import SenderRate


def reserve_slot(*, session: Session, sender: str, per_second: float, now: float) -> float:
    """Reserve this sender's next send time (unix seconds) and return it.

    One atomic UPDATE … RETURNING on SQLite and PostgreSQL alike, so concurrent workers never share a
    slot; slots are 1/rate apart, so no one-second window holds more than the rate.
    """
    interval = 1.0 / per_second
    column = SenderRate.next_slot
    statement = (
        update(SenderRate)
        .where(SenderRate.sender == sender)
        .values(next_slot=case((column > now, column), else_=now) + interval)
        .returning(SenderRate.next_slot)
    )
    reserved = session.execute(statement).scalar()
    if reserved is None:
        try:
            with session.begin_nested():
                session.execute(insert(SenderRate).values(sender=sender, next_slot=now + interval))
            session.commit()
            return now
        except IntegrityError:
            reserved = session.execute(statement).scalar()
    session.commit()
    return reserved - interval
