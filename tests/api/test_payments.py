"""POST /api/v1/bills/<id>/payments: billers report money received elsewhere."""

from __future__ import annotations

from sqlmodel import func, select

from models import Payment
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
