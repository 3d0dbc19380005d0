"""A small circuit breaker for billers' bill-fetch endpoints: one that keeps failing is skipped for a while.

After FAILURES_TO_OPEN consecutive failures the endpoint is not asked for OPEN_SECONDS; the page shows the
stored bill "as of" instead of making every customer wait for a timeout. The first fetch after that is a
trial: a success closes the breaker, a failure opens it again.
"""

from __future__ import annotations

from datetime import datetime

from shared_state import SharedState

FAILURES_TO_OPEN = 5
OPEN_SECONDS = 60
_FORGET_AFTER_SECONDS = 3600


def _keys(biller_id: int) -> tuple[str, str]:
    return f"fetch-breaker:{biller_id}:failures", f"fetch-breaker:{biller_id}:open-until"


def endpoint_available(*, state: SharedState, biller_id: int, now: datetime) -> bool:
    """Whether the biller's endpoint may be asked now (False while its breaker is open)."""
    open_until = state.get(_keys(biller_id)[1])
    return open_until is None or float(open_until) <= now.timestamp()


def record_failure(*, state: SharedState, biller_id: int, now: datetime) -> None:
    """Count a failed fetch; the FAILURES_TO_OPEN-th in a row (and each after it) opens the breaker."""
    failures_key, open_key = _keys(biller_id)
    if state.incr(failures_key, ttl_seconds=_FORGET_AFTER_SECONDS) >= FAILURES_TO_OPEN:
        state.set(open_key, str(now.timestamp() + OPEN_SECONDS), ttl_seconds=_FORGET_AFTER_SECONDS)


def record_success(*, state: SharedState, biller_id: int) -> None:
    """The endpoint answered: close the breaker and start counting afresh."""
    state.delete(*_keys(biller_id))
