"""Creating the same thing twice at once: the request that loses the race is answered as its retry would be."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError

from models.db import get_session

T = TypeVar("T")


def commit_as_retry_would(unit: Callable[[], T]) -> T:
    """Run a unit of work and commit it; if a unique constraint was lost to a concurrent request, run it again.

    The second run sees the row the other request committed, so it answers exactly as a client's retry
    would (the existing resource, or a 409 naming the conflict) instead of a 500.
    """
    session = get_session()
    try:
        result = unit()
        session.commit()
        return result
    except IntegrityError:
        session.rollback()
    result = unit()
    session.commit()
    return result
