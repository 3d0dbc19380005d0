"""Requests racing each other: money stays exact and the loser of a race gets a retry's answer, never a 500."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlmodel import func, select

from billing.bills import current_link
from billing.signatures import sign
from models import Bill, Customer, Payment
from tests.builders import bill_payload, make_bill

WEBHOOK_SECRET = "dev-only-payment-webhook-secret"  # the test app's development default
RACERS = 8


def race(app, request, count: int = RACERS) -> list:
    """Run `request(client, n)` in `count` threads released at the same instant, each with its own client."""
    start = threading.Barrier(count)

    def one(n):
        client = app.test_client()
        start.wait()
        return request(client, n)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(one, range(count)))


@pytest.mark.parametrize("trial", range(10))
def test_eight_concurrent_payments_leave_amount_due_exact(app, session, api, trial):
    bill = make_bill(session, api.biller, amount=80000)

    responses = race(
        app,
        lambda client, n: client.post(
            f"/api/v1/bills/{bill.id}/payments",
            json={"amount": 10000, "reference": f"UTR{trial}X{n}"},
            headers=api.headers,
        ),
    )

    assert sorted(response.status_code for response in responses) == [201] * RACERS
    session.expire_all()
    settled = session.get(Bill, bill.id)
    assert (settled.amount_due_paise, settled.status) == (0, "paid")
    assert session.exec(select(func.count()).select_from(Payment)).one() == RACERS
    assert sorted(response.json["bill"]["amount_due"] for response in responses) == list(range(0, 80000, 10000))


def test_concurrent_overpayments_are_all_recorded_and_reported(app, session, api):
    bill = make_bill(session, api.biller, amount=30000)

    responses = race(
        app,
        lambda client, n: client.post(
            f"/api/v1/bills/{bill.id}/payments", json={"amount": 10000, "reference": f"OVER{n}"}, headers=api.headers
        ),
    )

    assert all(response.status_code == 201 for response in responses)
    assert sum(response.json["overpaid"] for response in responses) == RACERS * 10000 - 30000
    session.expire_all()
    assert session.get(Bill, bill.id).amount_due_paise == 0


def test_the_same_payment_reported_eight_times_at_once_is_recorded_once(app, session, api):
    bill = make_bill(session, api.biller, amount=80000)

    responses = race(
        app,
        lambda client, n: client.post(
            f"/api/v1/bills/{bill.id}/payments", json={"amount": 10000, "reference": "UTRSAME"}, headers=api.headers
        ),
    )

    assert sorted(response.status_code for response in responses) == [200] * (RACERS - 1) + [201]
    assert len({response.json["id"] for response in responses}) == 1
    assert all(response.json["bill"]["amount_due"] == 70000 for response in responses)
    session.expire_all()
    assert session.get(Bill, bill.id).amount_due_paise == 70000


def test_identical_bills_posted_at_once_create_one_and_refuse_the_rest_with_409(app, session, api):
    payload = bill_payload(reference="RACE-1")

    responses = race(app, lambda client, n: client.post("/api/v1/bills", json=payload, headers=api.headers))

    assert sorted(response.status_code for response in responses) == [201] + [409] * (RACERS - 1)
    assert all(response.json["error"]["field"] == "reference" for response in responses if response.status_code == 409)
    assert session.exec(select(func.count()).select_from(Bill)).one() == 1
    assert session.exec(select(func.count()).select_from(Customer)).one() == 1


def test_bills_for_one_new_customer_posted_at_once_are_all_created(app, session, api):
    customer = bill_payload()["customer"]
    bodies = [bill_payload(reference=f"NEW-{n}", customer=customer) for n in range(RACERS)]

    responses = race(app, lambda client, n: client.post("/api/v1/bills", json=bodies[n], headers=api.headers))

    assert [response.status_code for response in responses] == [201] * RACERS
    assert session.exec(select(func.count()).select_from(Customer)).one() == 1


def test_a_new_customer_posted_eight_times_at_once_is_created_once(app, session, api):
    body = {"reference": "CA-RACE", "name": "Asha Verma", "phone": "9810000001", "language": "en"}

    responses = race(app, lambda client, n: client.post("/api/v1/customers", json=body, headers=api.headers))

    assert sorted(response.status_code for response in responses) == [200] * (RACERS - 1) + [201]
    assert session.exec(select(func.count()).select_from(Customer)).one() == 1


def test_the_same_signed_payment_webhook_delivered_eight_times_at_once_is_recorded_once(app, client, session, api):
    bill = make_bill(session, api.biller, amount=124550)
    token = current_link(session=session, bill_id=bill.id).token
    location = client.get(f"/p/{token}/pay", query_string={"app": "gpay", "platform": "desktop"}).headers["Location"]
    tr = dict(parse_qsl(urlsplit(location).query))["tr"]
    raw = json.dumps({"tr": tr, "amount": 124550, "utr": "UTRHOOK1", "status": "SUCCESS", "app": "gpay"}).encode()
    signature = sign(WEBHOOK_SECRET, raw)

    responses = race(
        app,
        lambda client, n: client.post(
            "/webhooks/payments", data=raw, content_type="application/json", headers={"X-Signature": signature}
        ),
    )

    assert [response.status_code for response in responses] == [200] * RACERS
    assert sorted(response.json["status"] for response in responses) == ["duplicate"] * (RACERS - 1) + ["recorded"]
    assert all(response.json["bill_status"] == "paid" for response in responses)
    assert session.exec(select(func.count()).select_from(Payment)).one() == 1
