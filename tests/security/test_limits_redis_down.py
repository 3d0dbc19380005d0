"""With REDIS_URL set but Redis unreachable, customers still get their page and staff can still sign in."""

from __future__ import annotations

import socket

import pytest

from billing.bills import current_link
from extensions import limiter
from tests.builders import make_bill
from tests.web.test_console import PASSWORD, login, staff  # noqa: F401 - the staff fixture


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens there once the probe is closed


@pytest.fixture
def app_overrides():
    yield {"redis_url": f"redis://127.0.0.1:{closed_port()}/4"}
    # The Limiter is one object per process (extensions.py) and remembers a dead store until a later check;
    # later tests build new apps on a live Redis, so forget it here rather than leak it into them.
    limiter._storage_dead = False


def test_the_payment_page_and_its_misses_are_served_without_redis(client, session, api):
    bill = make_bill(session, api.biller, amount=100000)
    assert client.get(f"/p/{current_link(session=session, bill_id=bill.id).token}").status_code == 200
    assert client.get("/p/GUESS0000001").status_code == 404


def test_sign_in_works_without_redis(client, staff):  # noqa: F811
    assert login(client, "desk@a.example", "wrong password!").status_code == 401
    assert login(client, "desk@a.example", PASSWORD).status_code == 302
