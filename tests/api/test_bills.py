"""POST/GET /api/v1/bills: creation, reading, cancelling, every kind of bad input, tenant isolation."""

from __future__ import annotations

import re

import pytest
from sqlmodel import func, select

from models import Bill, Customer, PaymentLink
from tests.builders import bill_payload
from tests.conftest import PUBLIC_BASE_URL


def count(session, model) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(model)).one()


def test_created_bill_has_its_link_status_and_amount_due(client, api, session):
    response = client.post("/api/v1/bills", json=bill_payload(reference="ELEC-1", amount=124550), headers=api.headers)

    assert response.status_code == 201
    body = response.json
    assert body["reference"] == "ELEC-1"
    assert body["status"] == "open"
    assert body["amount"] == body["amount_due"] == 124550
    assert body["amount_exactness"] == "EXACT"
    assert body["cadence"] == "default"
    assert body["customer"]["phone"] == "+919810000001"
    token = body["link"].removeprefix(f"{PUBLIC_BASE_URL}/p/")
    assert re.fullmatch(r"[A-Za-z0-9]{12}", token)
    assert session.exec(select(PaymentLink).where(PaymentLink.token == token)).one().bill_id == body["id"]


def test_link_uses_the_short_link_domain_when_configured(app, session):
    from app import create_app
    from tests.builders import make_api_key, make_biller

    short = create_app(
        {
            "app_env": "test",
            "database_url": app.extensions["settings"].database_url,
            "link_base_url": "https://cpay.example/",
        }
    )
    biller = make_biller(session)
    key = make_api_key(session, biller)
    response = short.test_client().post(
        "/api/v1/bills", json=bill_payload(), headers={"Authorization": f"Bearer {key}"}
    )
    short.extensions["database"].dispose()
    assert response.status_code == 201
    assert re.fullmatch(r"https://cpay\.example/[A-Za-z0-9]{12}", response.json["link"])


def test_phone_is_stored_in_e164_from_local_forms(client, api):
    payload = bill_payload()
    payload["customer"]["phone"] = "098100 00001"
    response = client.post("/api/v1/bills", json=payload, headers=api.headers)
    assert response.status_code == 201
    assert response.json["customer"]["phone"] == "+919810000001"


def test_read_bill_returns_what_was_created(client, api):
    created = client.post("/api/v1/bills", json=bill_payload(), headers=api.headers).json
    response = client.get(f"/api/v1/bills/{created['id']}", headers=api.headers)
    assert response.status_code == 200
    assert response.json == created


def test_duplicate_reference_is_409_and_changes_nothing(client, api, session):
    first = bill_payload(reference="DUP-1")
    assert client.post("/api/v1/bills", json=first, headers=api.headers).status_code == 201
    again = bill_payload(reference="DUP-1", amount=999)
    again["customer"]["name"] = "Changed Name"
    again["customer"]["reference"] = first["customer"]["reference"]

    response = client.post("/api/v1/bills", json=again, headers=api.headers)

    assert response.status_code == 409
    assert response.json["error"] == {
        "code": "duplicate",
        "field": "reference",
        "message": "A bill with this reference already exists",
    }
    assert count(session, Bill) == 1
    assert session.exec(select(Customer)).one().name == "Asha Verma"
    assert session.exec(select(Bill)).one().amount_paise == 124550


def test_same_reference_is_fine_for_another_biller(client, api, other_api):
    assert client.post("/api/v1/bills", json=bill_payload(reference="R-1"), headers=api.headers).status_code == 201
    assert (
        client.post("/api/v1/bills", json=bill_payload(reference="R-1"), headers=other_api.headers).status_code == 201
    )


def test_cancel_stops_the_bill_and_is_repeatable(client, api):
    bill_id = client.post("/api/v1/bills", json=bill_payload(), headers=api.headers).json["id"]
    first = client.post(f"/api/v1/bills/{bill_id}/cancel", headers=api.headers)
    second = client.post(f"/api/v1/bills/{bill_id}/cancel", headers=api.headers)
    assert first.status_code == second.status_code == 200
    assert second.json["status"] == "cancelled"


def test_paid_bill_cannot_be_cancelled(client, api, session):
    bill_id = client.post("/api/v1/bills", json=bill_payload(), headers=api.headers).json["id"]
    bill = session.get(Bill, bill_id)
    bill.status = "paid"
    session.commit()
    response = client.post(f"/api/v1/bills/{bill_id}/cancel", headers=api.headers)
    assert response.status_code == 409
    assert response.json["error"]["code"] == "bill_paid"


def test_range_bill_keeps_its_bounds(client, api):
    payload = bill_payload(amount=50000, amount_exactness="RANGE", min_amount=10000, max_amount=60000)
    response = client.post("/api/v1/bills", json=payload, headers=api.headers)
    assert response.status_code == 201
    assert (response.json["min_amount"], response.json["max_amount"]) == (10000, 60000)


def _without(payload: dict, key: str) -> dict:
    payload.pop(key)
    return payload


def _customer(**fields) -> dict:
    payload = bill_payload()
    payload["customer"].update(fields)
    return {key: value for key, value in payload.items()}


def _customer_without(key: str) -> dict:
    payload = bill_payload()
    payload["customer"].pop(key)
    return payload


BAD_BILLS = [
    pytest.param(_without(bill_payload(), "reference"), "reference", "missing", id="missing-reference"),
    pytest.param(_without(bill_payload(), "amount"), "amount", "missing", id="missing-amount"),
    pytest.param(_without(bill_payload(), "due_date"), "due_date", "missing", id="missing-due-date"),
    pytest.param(_without(bill_payload(), "customer"), "customer", "missing", id="missing-customer"),
    pytest.param(_customer_without("reference"), "customer.reference", "missing", id="missing-customer-ref"),
    pytest.param(_customer_without("name"), "customer.name", "missing", id="missing-customer-name"),
    pytest.param(bill_payload(amount="1000"), "amount", "invalid", id="amount-as-string"),
    pytest.param(bill_payload(amount=10.5), "amount", "invalid", id="amount-as-float"),
    pytest.param(bill_payload(amount=True), "amount", "invalid", id="amount-as-bool"),
    pytest.param(bill_payload(amount=0), "amount", "invalid", id="amount-zero"),
    pytest.param(bill_payload(amount=-100), "amount", "invalid", id="amount-negative"),
    pytest.param(bill_payload(amount=10**30), "amount", "invalid", id="amount-absurd"),
    pytest.param(bill_payload(due_date="31/12/2026"), "due_date", "invalid", id="due-date-format"),
    pytest.param(bill_payload(due_date="2026-02-30"), "due_date", "invalid", id="due-date-impossible"),
    pytest.param(bill_payload(reference=""), "reference", "invalid", id="reference-empty"),
    pytest.param(bill_payload(reference="x" * 65), "reference", "invalid", id="reference-too-long"),
    pytest.param(bill_payload(reference="<script>"), "reference", "invalid", id="reference-markup"),
    pytest.param(bill_payload(amount_exactness="SOME"), "amount_exactness", "invalid", id="unknown-exactness"),
    pytest.param(
        bill_payload(amount_exactness="RANGE", min_amount=90000, max_amount=10000),
        "min_amount",
        "invalid",
        id="range-min-above-max",
    ),
    pytest.param(
        bill_payload(amount_exactness="RANGE", max_amount=200000), "min_amount", "invalid", id="range-without-min"
    ),
    pytest.param(
        bill_payload(amount=500000, amount_exactness="RANGE", min_amount=1000, max_amount=20000),
        "amount",
        "invalid",
        id="range-amount-outside",
    ),
    pytest.param(bill_payload(min_amount=100), "min_amount", "invalid", id="min-without-range"),
    pytest.param(bill_payload(bill_date="2099-01-01"), "bill_date", "invalid", id="bill-date-after-due"),
    pytest.param(bill_payload(late_payment_amount=1), "late_payment_amount", "invalid", id="late-below-amount"),
    pytest.param(bill_payload(early_payment_amount=100), "early_payment_date", "invalid", id="early-without-date"),
    pytest.param(bill_payload(cadence="weekly-nag"), "cadence", "invalid", id="unknown-cadence"),
    pytest.param(bill_payload(colour="red"), "colour", "unknown_field", id="unknown-field"),
    pytest.param(_customer(phone="12345"), "customer.phone", "invalid", id="phone-invalid"),
    pytest.param(_customer(phone="+14155550100"), "customer.phone", "invalid", id="phone-not-indian"),
    pytest.param(_customer(phone="+912223456789"), "customer.phone", "invalid", id="phone-landline"),
    pytest.param(_customer(phone=9810000001), "customer.phone", "invalid", id="phone-as-number"),
    pytest.param(_customer(email="not-an-email"), "customer.email", "invalid", id="email-invalid"),
    pytest.param(_customer(language="fr"), "customer.language", "invalid", id="unknown-language"),
    pytest.param(_customer(preferred_channel="pigeon"), "customer.preferred_channel", "invalid", id="unknown-channel"),
    pytest.param(_customer(name=""), "customer.name", "invalid", id="customer-name-empty"),
]


@pytest.mark.parametrize(("payload", "field", "code"), BAD_BILLS)
def test_bad_bill_is_refused_naming_the_field_and_writes_nothing(client, api, session, payload, field, code):
    response = client.post("/api/v1/bills", json=payload, headers=api.headers)

    assert response.status_code == 422, response.json
    assert response.json["error"]["field"] == field
    assert response.json["error"]["code"] == code
    assert response.json["error"]["message"]
    assert count(session, Bill) == 0
    assert count(session, Customer) == 0


@pytest.mark.parametrize("body", ["{not json", "", "[1, 2]", "null", '"a string"'])
def test_malformed_or_non_object_json_is_a_4xx(client, api, session, body):
    response = client.post("/api/v1/bills", data=body, content_type="application/json", headers=api.headers)
    assert response.status_code in (400, 422)
    assert response.json["error"]["code"] in ("malformed_json", "invalid")
    assert count(session, Bill) == 0


def test_wrong_content_type_is_415(client, api):
    response = client.post(
        "/api/v1/bills", data="reference=x", content_type="application/x-www-form-urlencoded", headers=api.headers
    )
    assert response.status_code == 415
    assert response.json["error"]["code"] == "unsupported_media_type"


def test_oversized_json_is_413(client, api, session):
    payload = bill_payload(period="x" * 300_000)
    response = client.post("/api/v1/bills", json=payload, headers=api.headers)
    assert response.status_code == 413
    assert response.json["error"]["code"] == "payload_too_large"
    assert count(session, Bill) == 0


def test_body_over_the_request_limit_is_413_json(app, client, api):
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = client.post(
        "/api/v1/bills/import", data=b"a" * (limit + 1), content_type="text/csv", headers=api.headers
    )
    assert response.status_code == 413
    assert response.json["error"]["code"] == "request_entity_too_large"


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer nope", "Basic dXNlcjpwYXNz", "Bearer cpk_AAAAAAAAAA_" + "A" * 32],
)
def test_missing_or_wrong_api_key_is_401(client, api, header):
    headers = {"Authorization": header} if header else {}
    response = client.post("/api/v1/bills", json=bill_payload(), headers=headers)
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"


def test_revoked_key_stops_working(client, api, session):
    from billing.billers import revoke_api_key
    from models import ApiKey

    revoke_api_key(session=session, api_key=session.exec(select(ApiKey)).one())
    session.commit()
    assert client.get("/api/v1/bills/1", headers=api.headers).status_code == 401


def test_one_billers_key_cannot_see_or_touch_anothers_bills(client, api, other_api, session):
    bill_id = client.post("/api/v1/bills", json=bill_payload(), headers=api.headers).json["id"]

    assert client.get(f"/api/v1/bills/{bill_id}", headers=other_api.headers).status_code == 404
    assert client.post(f"/api/v1/bills/{bill_id}/cancel", headers=other_api.headers).status_code == 404
    session.expire_all()
    assert session.get(Bill, bill_id).status == "open"


def test_unknown_api_route_is_json_404(client, api):
    response = client.get("/api/v1/nothing-here", headers=api.headers)
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"
