"""Small counters and deadlines shared by every process: Redis when REDIS_URL is set, else this process's memory.

Sign-in delays and the bill-fetch circuit breaker keep their state here. Values that mean a moment are stored
as Unix timestamps and compared with the caller's `now`; expiry only tidies keys away.
"""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask, current_app

KEY_PREFIX = "clickpay:"
_MEMORY_KEYS_BEFORE_TIDYING = 10_000
log = logging.getLogger(__name__)


class MemoryState:
    """Per-process state, for development, tests and single-process deployments."""

    def __init__(self) -> None:
        self._values: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:
        """The value under key, or None when absent or expired."""
        with self._lock:
            value, expires = self._values.get(key, (None, 0.0))
            return value if expires > time.monotonic() else None

    def set(self, key: str, value: str, *, ttl_seconds: int) -> None:
        """Store a value for ttl_seconds."""
        with self._lock:
            self._tidy()
            self._values[key] = (value, time.monotonic() + ttl_seconds)

    def incr(self, key: str, *, ttl_seconds: int) -> int:
        """Add one to the counter under key (starting from 0) and keep it for ttl_seconds more."""
        with self._lock:
            self._tidy()
            value, expires = self._values.get(key, ("0", 0.0))
            count = (int(value) if expires > time.monotonic() else 0) + 1
            self._values[key] = (str(count), time.monotonic() + ttl_seconds)
            return count

    def delete(self, *keys: str) -> None:
        """Forget these keys."""
        with self._lock:
            for key in keys:
                self._values.pop(key, None)

    def _tidy(self) -> None:
        # Expired keys are dropped only when there are many, so memory stays bounded without a sweeper thread.
        if len(self._values) >= _MEMORY_KEYS_BEFORE_TIDYING:
            now = time.monotonic()
            self._values = {key: item for key, item in self._values.items() if item[1] > now}


class RedisState:
    """State in Redis, shared by every web worker, server and process that uses the same REDIS_URL.

    While Redis cannot be reached it fails open (nothing stored, counters at 1): customers still get their
    page and staff can still sign in; the per-client rate limits keep falling back to memory meanwhile.
    """

    def __init__(self, url: str) -> None:
        import redis

        self._errors = (redis.RedisError,)
        self._redis = redis.Redis.from_url(url, decode_responses=True, socket_timeout=2, socket_connect_timeout=2)

    def get(self, key: str) -> str | None:
        """The value under key, or None when absent or expired."""
        try:
            return self._redis.get(KEY_PREFIX + key)
        except self._errors as exc:
            log.warning("shared state unavailable: %s", type(exc).__name__)
            return None

    def set(self, key: str, value: str, *, ttl_seconds: int) -> None:
        """Store a value for ttl_seconds."""
        try:
            self._redis.set(KEY_PREFIX + key, value, ex=ttl_seconds)
        except self._errors as exc:
            log.warning("shared state unavailable: %s", type(exc).__name__)

    def incr(self, key: str, *, ttl_seconds: int) -> int:
        """Add one to the counter under key (starting from 0) and keep it for ttl_seconds more."""
        pipeline = self._redis.pipeline()
        pipeline.incr(KEY_PREFIX + key)
        pipeline.expire(KEY_PREFIX + key, ttl_seconds)
        try:
            count, _ = pipeline.execute()
        except self._errors as exc:
            log.warning("shared state unavailable: %s", type(exc).__name__)
            return 1
        return int(count)

    def delete(self, *keys: str) -> None:
        """Forget these keys."""
        try:
            self._redis.delete(*(KEY_PREFIX + key for key in keys))
        except self._errors as exc:
            log.warning("shared state unavailable: %s", type(exc).__name__)


SharedState = MemoryState | RedisState


def init_shared_state(app: Flask, redis_url: str | None) -> None:
    """Give the app its shared state: Redis when a URL is configured, else per-process memory."""
    app.extensions["shared_state"] = RedisState(redis_url) if redis_url else MemoryState()


def current_state() -> SharedState:
    """The shared state of the current app."""
    return current_app.extensions["shared_state"]
