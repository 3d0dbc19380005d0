"""Redis database 4 for the security tests, emptied before and after each test that uses it."""

from __future__ import annotations

import pytest
import redis

REDIS_URL = "redis://127.0.0.1:6379/4"


@pytest.fixture
def redis_url():
    """REDIS_URL for an app under test; an unreachable Redis fails the test (CI runs one)."""
    connection = redis.Redis.from_url(REDIS_URL)
    connection.flushdb()
    yield REDIS_URL
    connection.flushdb()
    connection.close()
