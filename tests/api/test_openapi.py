"""GET /api/v1/openapi.json: a valid OpenAPI 3 description covering every API route."""

from __future__ import annotations

import re

from openapi_spec_validator import validate


def test_description_is_valid_openapi(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    validate(response.json)


def test_every_api_route_is_described(app, client):
    document = client.get("/api/v1/openapi.json").json
    described = {(path, method) for path, operations in document["paths"].items() for method in operations}
    routed = {
        (
            re.sub(
                r"<(?:\w+:)?(\w+)>",
                lambda m: "{id}" if m.group(1) == "bill_id" else "{" + m.group(1) + "}",
                rule.rule.removeprefix("/api/v1"),
            ),
            method.lower(),
        )
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1") and rule.endpoint != "api.openapi_json"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routed == described


def test_bill_schema_names_the_stable_fields(client):
    schemas = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    assert {"reference", "customer", "amount", "due_date", "amount_exactness"} <= set(schemas["BillIn"]["properties"])
    assert {"id", "status", "amount_due", "link"} <= set(schemas["BillPublic"]["required"])


def test_bill_fields_are_declared_once_and_each_maps_to_its_column():
    from billing.schemas import BillBase, BillIn, BillPublic, column_of, csv_columns
    from models import Bill

    assert set(BillBase.model_fields) <= set(BillIn.model_fields) & set(BillPublic.model_fields)
    assert {column_of(name) for name in BillBase.model_fields} <= set(Bill.model_fields)
    assert column_of("amount") == "amount_paise" and column_of("late_payment_amount") == "late_payment_amount_paise"
    required, optional = csv_columns()
    assert required == ("reference", "customer_reference", "customer_name", "amount", "due_date")
    assert {"customer_phone", "bill_date", "min_amount", "cadence"} <= set(optional)
    assert "customer" not in required + optional


def test_a_path_is_written_once_and_its_integer_parameters_come_from_the_rule():
    from api.openapi import published_path

    assert published_path("/bills/<int:bill_id>/cancel") == ("/bills/{id}/cancel", ("id",))
    assert published_path("/customers/<reference>") == ("/customers/{reference}", ())
