"""The smart link fetches the bill live from the biller's endpoint; failures fall back to the stored bill."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlmodel import select

from billing.bills import current_link
from models import Bill
from tests.builders import make_bill
from tests.fakes.biller_endpoint import FakeBillerEndpoint


@pytest.fixture
def endpoint():
    fake = FakeBillerEndpoint(secret="biller-fetch-secret").start()
    yield fake
    fake.stop()


@pytest.fixture
def app_overrides(endpoint):
    """The fake endpoint listens on loopback, which outbound calls may reach only when allowed."""
    return {"outbound_allowed_hosts": urlsplit(endpoint.url).netloc}


@pytest.fixture
def bill(session, api, endpoint):
    api.biller.bill_fetch_url = endpoint.url
    api.biller.bill_fetch_secret = endpoint.secret
    session.add(api.biller)
    session.commit()
    return make_bill(session, api.biller, reference="ELEC-7", amount=100000, period="Oct 2026")


def open_page(client, session, bill) -> str:
    response = client.get(f"/p/{current_link(session=session, bill_id=bill.id).token}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def stored(session, bill) -> Bill:
    session.expire_all()
    return session.exec(select(Bill).where(Bill.id == bill.id)).one()


def test_available_bill_replaces_the_stored_amount(client, session, bill, endpoint):
    endpoint.answer({"status": "BILL_AVAILABLE", "amount": 123400, "due_date": "2026-12-20", "period": "Nov 2026"})
    html = open_page(client, session, bill)

    assert "₹1,234.00" in html and "Nov 2026" in html
    assert endpoint.requests == [{"customer_reference": bill_customer_ref(session, bill), "bill_reference": "ELEC-7"}]
    assert endpoint.signature_errors == []
    refreshed = stored(session, bill)
    assert (refreshed.amount_due_paise, str(refreshed.due_date)) == (123400, "2026-12-20")
    assert refreshed.fetched_at is not None


def bill_customer_ref(session, bill) -> str:
    from models import Customer

    return session.get(Customer, bill.customer_id).reference


def test_no_bill_due_shows_nothing_to_pay(client, session, bill, endpoint):
    endpoint.answer({"status": "NO_BILL_DUE"})
    html = open_page(client, session, bill)
    assert "has no bill due for you right now" in html
    assert "pay-heading" not in html
    assert stored(session, bill).amount_due_paise == 100000


def test_customer_not_found_shows_no_pay_buttons(client, session, bill, endpoint):
    endpoint.answer({"status": "CUSTOMER_NOT_FOUND"})
    html = open_page(client, session, bill)
    assert "could not find this bill" in html
    assert "pay-heading" not in html


@pytest.mark.parametrize(
    ("status", "body", "delay"),
    [
        (500, b'{"error": "down"}', 0.0),
        (200, b"<html>not json</html>", 0.0),
        (200, b'{"status": "BILL_AVAILABLE"}', 0.0),
        (200, b'{"status": "BILL_AVAILABLE", "amount": -5}', 0.0),
        (200, b'{"status": "SOMETHING_ELSE"}', 0.0),
        (200, b'{"status": "BILL_AVAILABLE", "amount": 5}', 1.0),
    ],
    ids=["server-error", "not-json", "no-amount", "negative-amount", "unknown-status", "too-slow"],
)
def test_a_failing_biller_system_falls_back_to_the_stored_bill(client, session, bill, endpoint, status, body, delay):
    endpoint.status, endpoint.body, endpoint.delay = status, body, delay
    html = open_page(client, session, bill)
    assert "₹1,000.00" in html
    assert 'id="stale"' in html and "showing the bill as of" in html
    assert "pay-heading" in html  # still payable from the stored bill
    assert stored(session, bill).amount_due_paise == 100000


def test_unreachable_endpoint_falls_back(client, session, bill, endpoint):
    endpoint.stop()
    html = open_page(client, session, bill)
    assert "₹1,000.00" in html and 'id="stale"' in html
    endpoint.start()


def test_paid_bill_is_not_fetched(client, session, bill, endpoint):
    bill.status = "paid"
    session.commit()
    open_page(client, session, bill)
    assert endpoint.requests == []


def test_a_reload_within_a_minute_shows_the_fetched_bill_without_asking_again(
    client, session, bill, endpoint, suite_clock
):
    endpoint.answer({"status": "BILL_AVAILABLE", "amount": 123400, "due_date": "2026-12-20", "period": "Nov 2026"})
    open_page(client, session, bill)
    suite_clock.shift(30)
    html = open_page(client, session, bill)

    assert len(endpoint.requests) == 1
    assert "₹1,234.00" in html and "Nov 2026" in html and 'id="stale"' not in html
    suite_clock.shift(31)
    open_page(client, session, bill)
    assert len(endpoint.requests) == 2  # a minute on, the biller is asked again
