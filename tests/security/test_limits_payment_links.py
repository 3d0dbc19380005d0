"""Guessing link tokens is slowed per client, but a genuine link is always served, even to that client."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app import create_app
from billing.bills import current_link
from tests.builders import make_bill
from tests.conftest import PUBLIC_BASE_URL
from tests.security.redis_db import redis_url  # noqa: F401 - the fixture

MISSES_ALLOWED = 20  # per client per minute (web.pay.MISS_LIMIT)
CARRIER_NAT = "100.70.1.1"


@pytest.fixture(autouse=True)
def frozen(time_machine):
    # Rate-limit windows are counted on the clock: hold it still so no window ends mid-test.
    time_machine.move_to(datetime(2026, 11, 25, 5, 30, tzinfo=UTC), tick=False)


@pytest.fixture(params=["memory", "redis"])
def app_overrides(request):
    """Rate-limit counters per process (memory://) or shared through REDIS_URL."""
    return {"redis_url": request.getfixturevalue("redis_url")} if request.param == "redis" else {}


@pytest.fixture
def token(session, api) -> str:
    bill = make_bill(session, api.biller, amount=100000)
    return current_link(session=session, bill_id=bill.id).token


def from_address(client, address: str):
    client.environ_base["REMOTE_ADDR"] = address
    return client


def guess(client, n: int) -> int:
    return client.get(f"/p/GUESS{n:07d}").status_code


def test_misses_past_the_limit_get_429_for_that_client_only(app, client):
    guesser = from_address(client, CARRIER_NAT)
    statuses = [guess(guesser, n) for n in range(MISSES_ALLOWED + 5)]
    assert statuses == [404] * MISSES_ALLOWED + [429] * 5
    assert guess(from_address(app.test_client(), "100.70.9.9"), 99) == 404


def test_a_genuine_link_is_served_to_a_client_past_its_miss_limit(client, token):
    neighbour = from_address(client, CARRIER_NAT)
    assert {guess(neighbour, n) for n in range(40)} >= {429}

    assert neighbour.get(f"/p/{token}").status_code == 200
    assert neighbour.get(f"/p/{token}/qr.svg").status_code == 200
    assert neighbour.get(f"/p/{token}/pay", query_string={"app": "gpay"}).status_code == 302
    assert guess(neighbour, 41) == 429


def test_genuine_links_do_not_use_up_the_miss_allowance(client, token):
    customer = from_address(client, CARRIER_NAT)
    assert all(customer.get(f"/p/{token}").status_code == 200 for _ in range(MISSES_ALLOWED + 5))
    assert guess(customer, 1) == 404


def test_misses_are_counted_across_processes_only_through_redis(app, client, database_url, app_overrides):
    for n in range(MISSES_ALLOWED // 2):
        guess(from_address(client, CARRIER_NAT), n)
    other_process = create_app(
        {"app_env": "test", "database_url": database_url, "public_base_url": PUBLIC_BASE_URL, **app_overrides}
    )
    try:
        other = from_address(other_process.test_client(), CARRIER_NAT)
        statuses = [guess(other, n) for n in range(MISSES_ALLOWED // 2 + 1)]
    finally:
        other_process.extensions["database"].dispose()
    shared = "redis_url" in app_overrides
    assert statuses[-1] == (429 if shared else 404)


def test_surfaces_the_limiter_skips_declare_no_limit_of_their_own(app):
    """The payment page and inbound webhooks skip Flask-Limiter's per-request work: a limit declared on one of
    their routes would silently never apply, so none may be (take the blueprint out of UNLIMITED_BLUEPRINTS first)."""
    from flask_limiter.util import get_qualified_name

    from extensions import UNLIMITED_BLUEPRINTS, limiter

    skipped = [
        (endpoint, view)
        for endpoint, view in app.view_functions.items()
        if endpoint.split(".")[0] in UNLIMITED_BLUEPRINTS or endpoint == "short_link"
    ]
    assert {endpoint.split(".")[0] for endpoint, _ in skipped} >= {"pay", "webhooks"}
    assert limiter.limit_manager.decorated_limits(get_qualified_name(app.view_functions["console.login"]))  # seen
    for endpoint, view in skipped:
        assert limiter.limit_manager.decorated_limits(get_qualified_name(view)) == [], endpoint
    for blueprint in UNLIMITED_BLUEPRINTS:
        assert limiter.limit_manager.blueprint_limits(app, blueprint) == [], blueprint
