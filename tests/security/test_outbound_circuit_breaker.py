"""A biller endpoint that keeps failing is skipped for a minute; the page shows the stored bill "as of" meanwhile."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest

from app import create_app
from billing.bills import current_link
from billing.breaker import FAILURES_TO_OPEN, OPEN_SECONDS
from billing.fetch import FRESH_FOR
from tests.builders import make_bill
from tests.conftest import PUBLIC_BASE_URL
from tests.fakes.biller_endpoint import FakeBillerEndpoint
from tests.security.redis_db import redis_url  # noqa: F401 - the fixture

WEDNESDAY_MORNING = datetime(2026, 11, 25, 5, 30, tzinfo=UTC)


@pytest.fixture
def endpoint():
    fake = FakeBillerEndpoint(secret="biller-fetch-secret", status=503, body=b'{"error": "down"}').start()
    yield fake
    fake.stop()


@pytest.fixture(params=["memory", "redis"])
def app_overrides(request, endpoint):
    """The breaker's state in this process's memory, or in Redis (database 4)."""
    overrides = {"outbound_allowed_hosts": urlsplit(endpoint.url).netloc}
    if request.param == "redis":
        overrides["redis_url"] = request.getfixturevalue("redis_url")
    return overrides


@pytest.fixture
def token(session, api, endpoint, time_machine) -> str:
    time_machine.move_to(WEDNESDAY_MORNING, tick=False)
    api.biller.bill_fetch_url = endpoint.url
    api.biller.bill_fetch_secret = endpoint.secret
    session.commit()
    bill = make_bill(session, api.biller, amount=100000)
    return current_link(session=session, bill_id=bill.id).token


def view(client, token: str) -> str:
    response = client.get(f"/p/{token}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_after_five_failures_the_endpoint_is_not_asked_and_the_stored_bill_is_shown(client, endpoint, token):
    for _ in range(FAILURES_TO_OPEN):
        assert 'id="stale"' in view(client, token)
    assert len(endpoint.requests) == FAILURES_TO_OPEN

    html = view(client, token)

    assert len(endpoint.requests) == FAILURES_TO_OPEN
    assert "₹1,000.00" in html and "showing the bill as of" in html


def test_after_the_pause_one_trial_is_made_and_a_failure_pauses_again(client, endpoint, token, time_machine):
    for _ in range(FAILURES_TO_OPEN + 1):
        view(client, token)
    time_machine.move_to(WEDNESDAY_MORNING + timedelta(seconds=OPEN_SECONDS + 1), tick=False)

    view(client, token)
    view(client, token)

    assert len(endpoint.requests) == FAILURES_TO_OPEN + 1


def test_a_successful_trial_closes_the_breaker(client, endpoint, token, time_machine):
    for _ in range(FAILURES_TO_OPEN):
        view(client, token)
    time_machine.move_to(WEDNESDAY_MORNING + timedelta(seconds=OPEN_SECONDS + 1), tick=False)
    endpoint.answer({"status": "BILL_AVAILABLE", "amount": 123400, "due_date": "2026-12-20"})

    assert "₹1,234.00" in view(client, token)
    endpoint.status, endpoint.body = 503, b"{}"
    # past the minute a successful fetch stands for the biller's answer (billing.fetch.FRESH_FOR): views fetch again
    time_machine.move_to(WEDNESDAY_MORNING + timedelta(seconds=OPEN_SECONDS + 1) + FRESH_FOR, tick=False)
    for _ in range(FAILURES_TO_OPEN - 1):
        view(client, token)

    assert len(endpoint.requests) == FAILURES_TO_OPEN + 1 + FAILURES_TO_OPEN - 1
    view(client, token)
    assert len(endpoint.requests) == 2 * FAILURES_TO_OPEN + 1  # the count started afresh after the success


def test_another_process_sees_the_open_breaker_only_through_redis(client, endpoint, token, database_url, app_overrides):
    for _ in range(FAILURES_TO_OPEN):
        view(client, token)
    other_process = create_app(
        {"app_env": "test", "database_url": database_url, "public_base_url": PUBLIC_BASE_URL, **app_overrides}
    )
    try:
        assert "showing the bill as of" in view(other_process.test_client(), token)
    finally:
        other_process.extensions["database"].dispose()
    shared = "redis_url" in app_overrides
    assert len(endpoint.requests) == FAILURES_TO_OPEN + (0 if shared else 1)
