"""GET /api/v1/bills and /payments: filters, cursor pagination, the CSV export, and nothing of another biller."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from tests.builders import bill_payload


def create(client, api, **overrides) -> dict:
    response = client.post("/api/v1/bills", json=bill_payload(**overrides), headers=api.headers)
    assert response.status_code == 201, response.json
    return response.json


def pay(client, api, bill: dict, amount: int, reference: str) -> None:
    response = client.post(
        f"/api/v1/bills/{bill['id']}/payments", json={"amount": amount, "reference": reference}, headers=api.headers
    )
    assert response.status_code == 201, response.json


def references(response) -> list[str]:
    assert response.status_code == 200, response.json
    return [bill["reference"] for bill in response.json["bills"]]


@pytest.fixture
def three_bills(client, api, other_api):
    early = create(client, api, reference="E-1", due_date="2026-12-01", amount=10000)
    middle = create(client, api, reference="E-2", due_date="2026-12-10", amount=20000)
    late = create(client, api, reference="E-3", due_date="2026-12-20", amount=30000)
    create(client, other_api, reference="E-2", due_date="2026-12-10")  # the same reference at another biller
    pay(client, api, middle, 20000, "UTR-2")
    return early, middle, late


def test_bills_are_listed_in_order_and_filtered(client, api, three_bills):
    early, middle, _ = three_bills
    get = lambda query: client.get(f"/api/v1/bills?{query}", headers=api.headers)  # noqa: E731
    assert references(get("")) == ["E-1", "E-2", "E-3"]
    assert references(get("status=paid")) == ["E-2"]
    assert references(get("reference=E-2")) == ["E-2"]
    assert references(get(f"customer={early['customer']['reference']}")) == ["E-1"]
    assert references(get("due_from=2026-12-05&due_to=2026-12-20")) == ["E-2", "E-3"]
    assert get("reference=E-2").json["bills"][0]["id"] == middle["id"]


def test_pages_follow_the_cursor_to_the_end(client, api, three_bills):
    first = client.get("/api/v1/bills?limit=2", headers=api.headers)
    assert references(first) == ["E-1", "E-2"] and first.json["next_cursor"]
    second = client.get(f"/api/v1/bills?limit=2&cursor={first.json['next_cursor']}", headers=api.headers)
    assert references(second) == ["E-3"] and second.json["next_cursor"] is None


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("status=settled", "status"),
        ("due_from=2026-13-01", "due_from"),
        ("cursor=not-ours", "cursor"),
        ("due_form=2026-12-01", "due_form"),
    ],
)
def test_bad_filters_are_422_naming_the_parameter(client, api, query, field):
    response = client.get(f"/api/v1/bills?{query}", headers=api.headers)
    assert response.status_code == 422
    assert response.json["error"]["field"] == field


def test_payments_are_listed_by_day_and_exported_as_csv(client, api, other_api, time_machine):
    bill = create(client, api, amount=90000)
    other = create(client, other_api, amount=90000)
    for day, reference in ((1, "UTR-A"), (2, "UTR-B"), (3, "UTR-C")):
        time_machine.move_to(datetime(2026, 11, day, 6, 0, tzinfo=UTC))  # 11:30 IST
        pay(client, api, bill, 10000, reference)
    pay(client, other_api, other, 10000, "UTR-OTHER")

    listed = client.get("/api/v1/payments?from=2026-11-02&to=2026-11-03", headers=api.headers)
    assert listed.status_code == 200, listed.json
    assert [p["reference"] for p in listed.json["payments"]] == ["UTR-B", "UTR-C"]
    assert listed.json["payments"][0]["bill_reference"] == bill["reference"]

    page = client.get("/api/v1/payments?limit=1", headers=api.headers).json
    rest = client.get(f"/api/v1/payments?limit=5&cursor={page['next_cursor']}", headers=api.headers).json
    assert [p["reference"] for p in page["payments"] + rest["payments"]] == ["UTR-A", "UTR-B", "UTR-C"]

    export = client.get("/api/v1/payments.csv?from=2026-11-01T00:00:00%2B05:30", headers=api.headers)
    assert export.status_code == 200 and export.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True))))
    assert [row["reference"] for row in rows] == ["UTR-A", "UTR-B", "UTR-C"]
    assert {row["amount_paise"] for row in rows} == {"10000"}


def test_a_payment_range_instant_needs_its_offset(client, api):
    response = client.get("/api/v1/payments?from=2026-11-01T00:00:00", headers=api.headers)
    assert response.status_code == 422 and response.json["error"]["field"] == "from"


@pytest.mark.parametrize("value", ["0", "20261201", "1999-12-31", "2100-01-01"])
def test_due_dates_must_be_days_in_the_window(client, api, value):
    response = client.get(f"/api/v1/bills?due_to={value}", headers=api.headers)
    assert response.status_code == 422 and response.json["error"]["field"] == "due_to"


def test_the_payments_export_never_hands_a_spreadsheet_a_formula(client, api):
    bill = create(client, api, amount=90000)
    response = client.post(
        f"/api/v1/bills/{bill['id']}/payments",
        json={"amount": 10000, "reference": "UTR-F", "app": '=HYPERLINK("http://x")'},
        headers=api.headers,
    )
    assert response.status_code == 201, response.json
    [row] = csv.DictReader(io.StringIO(client.get("/api/v1/payments.csv", headers=api.headers).get_data(as_text=True)))
    assert row["app"] == '\'=HYPERLINK("http://x")' and row["reference"] == "UTR-F"
