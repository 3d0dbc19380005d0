"""Sign-in: a burst against one account never gets in and keeps the owner out for at most a minute."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from accounts.signin_throttle import FREE_FAILURES, MAX_DELAY_SECONDS, record_failure, seconds_to_wait
from app import create_app
from shared_state import MemoryState
from tests.conftest import PUBLIC_BASE_URL
from tests.security.redis_db import redis_url  # noqa: F401 - the fixture
from tests.web.test_console import PASSWORD, login, staff  # noqa: F401 - the staff fixture

START = datetime(2026, 11, 25, 5, 30, tzinfo=UTC)
OWNER = "desk@a.example"


@pytest.fixture(autouse=True)
def clock(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


@pytest.fixture(params=["memory", "redis"])
def app_overrides(request):
    """Delays kept per process, or shared through REDIS_URL."""
    return {"redis_url": request.getfixturevalue("redis_url")} if request.param == "redis" else {}


def client_at(client, address: str):
    """The test client, now calling from another address (one cookie jar: the session fixture shares `g`)."""
    client.environ_base["REMOTE_ADDR"] = address
    return client


def account_wait(response) -> int:
    """The seconds the sign-in page says the account must wait (0 when it says nothing of the kind)."""
    found = re.search(r"Try again in (\d+) seconds?\.", response.get_data(as_text=True))
    return int(found.group(1)) if found else 0


def test_delays_double_after_the_free_failures_and_stop_growing_at_a_minute():
    state, now = MemoryState(), START
    delays = [record_failure(state=state, email=OWNER, now=now) for _ in range(FREE_FAILURES + 9)]
    assert delays == [0] * FREE_FAILURES + [1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert seconds_to_wait(state=state, email=OWNER.upper(), now=now) == MAX_DELAY_SECONDS
    assert seconds_to_wait(state=state, email=OWNER, now=now + timedelta(seconds=MAX_DELAY_SECONDS)) == 0


def test_the_right_password_inside_a_burst_is_not_even_checked(client, staff):  # noqa: F811
    attacker = client_at(client, "203.0.113.7")
    statuses = [login(attacker, OWNER, "wrong password!").status_code for _ in range(FREE_FAILURES + 1)]
    assert statuses == [401] * (FREE_FAILURES + 1)

    lucky_guess = login(attacker, OWNER, PASSWORD)

    assert lucky_guess.status_code == 429
    assert "Try again in 1 second." in lucky_guess.get_data(as_text=True)
    assert attacker.get("/console/").status_code == 302  # not signed in


def test_a_long_burst_keeps_the_owner_out_for_at_most_a_minute(client, staff, clock):  # noqa: F811
    now = START
    for attempt in range(40):
        attacker = client_at(client, f"203.0.113.{attempt % 200}")  # a botnet: every per-client limit stays clear
        response = login(attacker, OWNER, f"guess number {attempt}")
        assert response.status_code in (401, 429)
        now += timedelta(seconds=account_wait(response))
        clock.move_to(now, tick=False)

    owner = client_at(client, "198.51.100.20")
    refused = login(owner, OWNER, PASSWORD)
    assert refused.status_code == 429 and 0 < account_wait(refused) <= MAX_DELAY_SECONDS

    clock.move_to(now + timedelta(seconds=MAX_DELAY_SECONDS), tick=False)
    assert login(owner, OWNER, PASSWORD).status_code == 302


def test_one_client_is_limited_however_many_accounts_it_tries(client, staff):  # noqa: F811
    sprayer = client_at(client, "203.0.113.50")
    statuses = [login(sprayer, f"user{n}@a.example", "wrong password!").status_code for n in range(12)]
    assert statuses[:10] == [401] * 10 and statuses[10:] == [429, 429]
    assert login(client_at(client, "198.51.100.20"), OWNER, PASSWORD).status_code == 302


def test_a_correct_sign_in_clears_the_count(client, staff):  # noqa: F811
    owner = client_at(client, "198.51.100.20")
    for _ in range(FREE_FAILURES - 1):
        login(owner, OWNER, "typo in password")
    assert login(owner, OWNER, PASSWORD).status_code == 302
    fresh = client_at(client, "198.51.100.21")
    assert [login(fresh, OWNER, "typo again!!").status_code for _ in range(FREE_FAILURES)] == [401] * FREE_FAILURES


def test_the_delay_is_seen_by_another_process_only_through_redis(client, staff, database_url, app_overrides):  # noqa: F811
    for _ in range(FREE_FAILURES + 1):
        login(client_at(client, "203.0.113.7"), OWNER, "wrong password!")
    other_process = create_app(
        {"app_env": "test", "database_url": database_url, "public_base_url": PUBLIC_BASE_URL, **app_overrides}
    )
    try:
        status = login(client_at(other_process.test_client(), "203.0.113.8"), OWNER, PASSWORD).status_code
    finally:
        other_process.extensions["database"].dispose()
    assert status == (429 if "redis_url" in app_overrides else 302)
