"""Growing delays after failed sign-ins to one account, so guessing is slow and the owner is never kept out long.

The first FREE_FAILURES wrong passwords in a row cost nothing; after that each one makes the account wait
twice as long as the last (1 s, 2 s, 4 s … at most MAX_DELAY_SECONDS) before the next try is even checked.
A burst against an account therefore gets one guess a minute at best, and when it stops the owner waits at
most a minute. Only failures count; a correct password clears the count. (Per-client limits are the rate
limiter's job, on the route.) State is in shared_state, so every web process sees the same delays.
"""

from __future__ import annotations

import hashlib
import math
from datetime import datetime

from shared_state import SharedState

FREE_FAILURES = 5
MAX_DELAY_SECONDS = 60
_FORGET_AFTER_SECONDS = 24 * 3600


def _keys(email: str) -> tuple[str, str]:
    # Hashed: the shared store is no place for email addresses.
    account = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    return f"signin:{account}:failures", f"signin:{account}:wait-until"


def seconds_to_wait(*, state: SharedState, email: str, now: datetime) -> int:
    """How long this account must wait before a password is checked again (0: go ahead)."""
    wait_until = state.get(_keys(email)[1])
    if wait_until is None:
        return 0
    return max(math.ceil(float(wait_until) - now.timestamp()), 0)


def record_failure(*, state: SharedState, email: str, now: datetime) -> int:
    """Count a wrong password for the account; returns the delay (seconds) it now has to wait."""
    failures_key, wait_key = _keys(email)
    failures = state.incr(failures_key, ttl_seconds=_FORGET_AFTER_SECONDS)
    if failures <= FREE_FAILURES:
        return 0
    delay = min(2 ** (failures - FREE_FAILURES - 1), MAX_DELAY_SECONDS)
    state.set(wait_key, str(now.timestamp() + delay), ttl_seconds=MAX_DELAY_SECONDS * 2)
    return delay


def record_success(*, state: SharedState, email: str) -> None:
    """The right password: forget the account's failures."""
    state.delete(*_keys(email))
