"""POST /customers (upsert by reference) and GET /customers/<reference>."""

from __future__ import annotations

from sqlmodel import func, select

from models import Customer, CustomerChannel
from models.db import utcnow


def test_customer_is_created_then_updated_only_in_the_fields_sent(client, api):
    created = client.post(
        "/api/v1/customers",
        headers=api.headers,
        json={"reference": "CA-1", "name": "Ravi Kumar", "phone": "9810000002", "language": "hi"},
    )
    updated = client.post(
        "/api/v1/customers",
        headers=api.headers,
        json={"reference": "CA-1", "name": "Ravi K.", "email": "ravi@example.com"},
    )

    assert created.status_code == 201
    assert updated.status_code == 200
    assert updated.json == {
        "reference": "CA-1",
        "name": "Ravi K.",
        "phone": "+919810000002",
        "email": "ravi@example.com",
        "language": "hi",
        "preferred_app": None,
        "preferred_channel": None,
        "opted_out": [],
    }


def test_read_customer_shows_opted_out_channels(client, api, session):
    client.post("/api/v1/customers", headers=api.headers, json={"reference": "CA-2", "name": "Sourav Das"})
    customer = session.exec(select(Customer)).one()
    session.add(CustomerChannel(customer_id=customer.id, channel="sms", opted_out_at=utcnow()))
    session.add(CustomerChannel(customer_id=customer.id, channel="whatsapp", last_inbound_at=utcnow()))
    session.commit()

    response = client.get("/api/v1/customers/CA-2", headers=api.headers)

    assert response.status_code == 200
    assert response.json["opted_out"] == ["sms"]


def test_customer_of_another_biller_is_404(client, api, other_api):
    client.post("/api/v1/customers", headers=api.headers, json={"reference": "CA-3", "name": "Asha"})
    response = client.get("/api/v1/customers/CA-3", headers=other_api.headers)
    assert response.status_code == 404
    assert response.json["error"]["field"] == "reference"


def test_customer_with_bad_phone_is_refused(client, api, session):
    response = client.post(
        "/api/v1/customers",
        headers=api.headers,
        json={"reference": "CA-4", "name": "Asha", "phone": "+44 20 7946 0958"},
    )
    assert response.status_code == 422
    assert response.json["error"]["field"] == "phone"
    assert session.exec(select(func.count()).select_from(Customer)).one() == 0
