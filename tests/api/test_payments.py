"""POST /api/v1/bills/<id>/payments: billers report money received elsewhere."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from models import Bill, Payment
from tests.builders import bill_payload


def create_bill(client, api, **overrides) -> int:
    return client.post("/api/v1/bills", json=bill_payload(**overrides), headers=api.headers).json["id"]


def test_payment_settles_the_bill(client, api):
    bill_id = create_bill(client, api, amount=50000)
    response = client.post(
        f"/api/v1/bills/{bill_id}/payments", json={"amount": 50000, "reference": "UTR9001"}, headers=api.headers
    )
    assert response.status_code == 201
    assert response.json["bill"]["status"] == "paid"
    assert response.json["bill"]["amount_due"] == 0
    assert (response.json["duplicate"], response.json["overpaid"]) == (False, 0)


def test_partial_then_rest(client, api):
    bill_id = create_bill(client, api, amount=50000)
    first = client.post(
        f"/api/v1/bills/{bill_id}/payments", json={"amount": 20000, "reference": "P1"}, headers=api.headers
    )
    second = client.post(
        f"/api/v1/bills/{bill_id}/payments", json={"amount": 30000, "reference": "P2"}, headers=api.headers
    )
    assert first.json["bill"]["status"] == "partially_paid"
    assert first.json["bill"]["amount_due"] == 30000
    assert second.json["bill"]["status"] == "paid"


def test_same_reference_twice_returns_the_first_payment(client, api, session):
    bill_id = create_bill(client, api)
    body = {"amount": 1000, "reference": "UTR1"}
    first = client.post(f"/api/v1/bills/{bill_id}/payments", json=body, headers=api.headers)
    again = client.post(f"/api/v1/bills/{bill_id}/payments", json=body, headers=api.headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json["id"] == first.json["id"] and again.json["duplicate"] is True
    assert session.exec(select(func.count()).select_from(Payment)).one() == 1


def test_reference_reused_for_another_bill_is_409(client, api):
    first_bill, second_bill = create_bill(client, api), create_bill(client, api)
    client.post(f"/api/v1/bills/{first_bill}/payments", json={"amount": 1000, "reference": "UTR1"}, headers=api.headers)
    response = client.post(
        f"/api/v1/bills/{second_bill}/payments", json={"amount": 1000, "reference": "UTR1"}, headers=api.headers
    )
    assert response.status_code == 409
    assert response.json["error"]["field"] == "reference"


def test_payments_on_another_billers_bill_are_404(client, api, other_api, session):
    bill_id = create_bill(client, api)
    response = client.post(
        f"/api/v1/bills/{bill_id}/payments", json={"amount": 1000, "reference": "UTR1"}, headers=other_api.headers
    )
    assert response.status_code == 404
    assert session.exec(select(func.count()).select_from(Payment)).one() == 0


def test_bad_payment_amount_is_422(client, api):
    bill_id = create_bill(client, api)
    response = client.post(
        f"/api/v1/bills/{bill_id}/payments", json={"amount": 0, "reference": "UTR1"}, headers=api.headers
    )
    assert response.status_code == 422
    assert response.json["error"]["field"] == "amount"


# SUITE_NOW is 25 November 2026: the early date below is ahead of it, the due date of the late bill behind it.
EARLY = {"amount": 100000, "early_payment_amount": 95000, "early_payment_date": "2026-11-28", "due_date": "2026-12-05"}
LATE = {"amount": 100000, "late_payment_amount": 110000, "due_date": "2026-11-20"}


def pay(client, api, bill_id: int, amount: int, reference: str) -> dict:
    response = client.post(
        f"/api/v1/bills/{bill_id}/payments", json={"amount": amount, "reference": reference}, headers=api.headers
    )
    assert response.status_code == 201
    return response.json


@pytest.mark.parametrize(
    ("bill", "paid", "status", "amount_due", "overpaid"),
    [
        (EARLY, 95000, "paid", 0, 0),  # the early amount by its date settles the bill: the discount is given
        (EARLY, 96000, "paid", 0, 1000),
        (EARLY, 90000, "partially_paid", 10000, 0),  # less than the early amount: no discount
        (LATE, 110000, "paid", 0, 0),  # the late fee is not money paid over
        (LATE, 100000, "paid", 0, 0),  # the bill's own amount settles it too (the fee is the biller's to chase)
        (LATE, 112000, "paid", 0, 2000),
        ({**EARLY, "early_payment_date": "2026-11-24"}, 95000, "partially_paid", 5000, 0),  # a day too late
    ],
)
def test_the_amount_the_bill_asked_that_day_settles_it(client, api, session, bill, paid, status, amount_due, overpaid):
    bill_id = create_bill(client, api, **bill)

    answer = pay(client, api, bill_id, paid, "UTR-EARLY-LATE")

    assert (answer["bill"]["status"], answer["bill"]["amount_due"], answer["overpaid"]) == (
        status,
        amount_due,
        overpaid,
    )
    if status == "paid":  # nothing more is asked of the customer: the reminders stop
        assert session.get(Bill, bill_id).next_reminder_at is None
