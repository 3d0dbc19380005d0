"""A Redis database for the security tests (4; 10, 11… per pytest-xdist worker), emptied around each test."""

from __future__ import annotations

import os

import pytest
import redis

_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
REDIS_URL = f"redis://127.0.0.1:6379/{10 + int(_WORKER.removeprefix('gw')) if _WORKER else 4}"


@pytest.fixture
def redis_url():
    """REDIS_URL for an app under test; an unreachable Redis fails the test (CI runs one)."""
    connection = redis.Redis.from_url(REDIS_URL)
    connection.flushdb()
    yield REDIS_URL
    connection.flushdb()
    connection.close()
