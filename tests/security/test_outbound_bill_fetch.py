"""The bill-fetch URL is checked where it is saved (console settings) and again each time the page fetches."""

from __future__ import annotations

import pytest

from billing.bills import current_link
from models import Bill, Biller
from tests.builders import make_bill
from tests.fakes.biller_endpoint import FakeBillerEndpoint
from tests.security.loopback_servers import LoopbackServer
from tests.web.test_console import login
from tests.web.test_console import settings_form as console_settings_form
from tests.web.test_console_admin import users  # noqa: F401 - the users fixture


@pytest.fixture
def endpoint():
    fake = FakeBillerEndpoint(secret="biller-fetch-secret").start()
    fake.answer({"status": "BILL_AVAILABLE", "amount": 5, "due_date": "2026-12-20"})
    yield fake
    fake.stop()


def page_of(client, session, bill) -> str:
    response = client.get(f"/p/{current_link(session=session, bill_id=bill.id).token}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_stored_url_to_loopback_is_refused_at_fetch_time(client, session, api, endpoint):
    api.biller.bill_fetch_url = endpoint.url  # saved before the rules, or written around them
    session.commit()
    bill = make_bill(session, api.biller, amount=100000)

    html = page_of(client, session, bill)

    assert endpoint.requests == []
    assert "₹1,000.00" in html and 'id="stale"' in html
    session.expire_all()
    assert session.get(Bill, bill.id).amount_due_paise == 100000


@pytest.fixture
def redirecting():
    inner, outer = LoopbackServer().start(), LoopbackServer(status=307).start()
    outer.location = f"http://127.0.0.1:{inner.port}/internal-admin"
    yield outer, inner
    outer.stop()
    inner.stop()


@pytest.fixture
def app_overrides(request):
    """Both loopback servers are allowed, so only the no-redirect rule stands between them."""
    if "redirecting" not in request.fixturenames:
        return {}
    outer, inner = request.getfixturevalue("redirecting")
    return {"outbound_allowed_hosts": f"127.0.0.1:{outer.port},127.0.0.1:{inner.port}"}


def test_a_redirecting_endpoint_is_not_followed(client, session, api, redirecting):
    outer, inner = redirecting
    api.biller.bill_fetch_url = f"http://127.0.0.1:{outer.port}/fetch"
    session.commit()
    bill = make_bill(session, api.biller, amount=100000)

    html = page_of(client, session, bill)

    assert len(outer.requests) == 1 and inner.requests == []
    assert 'id="stale"' in html


def settings_form(client, **changes) -> dict:
    unset = {"bill_fetch_url": "", "bill_fetch_secret": "", "payment_webhook_secret": ""}
    return console_settings_form(client, **(unset | changes))


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1:5390/internal-admin", "points to a loopback address"),
        ("https://localhost/fetch", "points to a loopback address"),
        ("https://169.254.169.254/latest/meta-data", "points to a link-local address"),
        ("https://192.168.0.10/fetch", "points to a private address"),
        ("javascript:alert(1)", "must start with https://"),
    ],
)
def test_console_refuses_a_fetch_url_we_may_not_call(client, session, api, users, url, message):  # noqa: F811
    login(client, "boss@a.example")
    response = client.post("/console/settings", data=settings_form(client, bill_fetch_url=url))
    assert response.status_code == 422
    assert f"bill fetch url: {message}" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Biller, api.biller.id).bill_fetch_url is None


def test_console_saves_a_public_https_fetch_url_and_its_secret(client, session, api, users):  # noqa: F811
    login(client, "boss@a.example")
    form = settings_form(
        client, bill_fetch_url="https://93.184.215.14/clickpay/fetch", bill_fetch_secret="a-long-fetch-secret"
    )
    assert client.post("/console/settings", data=form).status_code == 302
    session.expire_all()
    biller = session.get(Biller, api.biller.id)
    assert (biller.bill_fetch_url, biller.bill_fetch_secret) == (
        "https://93.184.215.14/clickpay/fetch",
        "a-long-fetch-secret",
    )


def test_console_refuses_a_fetch_secret_too_short_to_be_one(client, session, api, users):  # noqa: F811
    login(client, "boss@a.example")
    form = settings_form(client, bill_fetch_url="https://93.184.215.14/fetch", bill_fetch_secret="short")
    response = client.post("/console/settings", data=form)
    assert "bill fetch secret: must be 16 to 200 characters" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Biller, api.biller.id).bill_fetch_secret is None
