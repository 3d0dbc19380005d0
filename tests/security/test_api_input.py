"""The API answers every hostile input with a 4xx naming what is wrong, and writes nothing."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from models import Bill, Customer
from tests.builders import bill_payload, make_bill


def _bill_count(session) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(Bill)).one()


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ("Asha\x00Verma", "NUL"),
        ("Asha \x1b[31mVerma", "ANSI escape"),
        ("Asha \u202eamreV", "bidi override character (U+202E)"),
        ("Asha\x07Verma", "control character (U+0007)"),
    ],
)
def test_unfit_characters_in_a_name_are_refused_naming_field_and_character(client, session, api, value, named):
    payload = bill_payload()
    payload["customer"]["name"] = value
    response = client.post("/api/v1/bills", json=payload, headers=api.headers)
    assert response.status_code == 422
    error = response.json["error"]
    assert error["field"] == "customer.name"
    assert named in error["message"]
    assert _bill_count(session) == 0


def test_nul_in_the_period_is_refused(client, session, api):
    response = client.post("/api/v1/bills", json=bill_payload(period="Nov\x002026"), headers=api.headers)
    assert response.status_code == 422
    assert response.json["error"]["field"] == "period"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/bills/9223372036854775808",
        "/api/v1/bills/2147483648",
        "/api/v1/bills/99999999999/plan",
        "/api/v1/bills/99999999999/messages",
    ],
)
def test_ids_beyond_the_column_range_are_404(client, api, path):
    response = client.get(path, headers=api.headers)
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"


def test_ids_beyond_the_column_range_are_404_on_post_too(client, api):
    response = client.post("/api/v1/bills/2147483648/cancel", headers=api.headers)
    assert response.status_code == 404


def test_a_customer_reference_with_nul_in_the_path_is_404(client, api):
    assert client.get("/api/v1/customers/CA%00-1", headers=api.headers).status_code == 404


@pytest.mark.parametrize("field", ["due_date", "bill_date", "early_payment_date"])
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1999-12-31", "2100-01-01"])
def test_dates_outside_2000_to_2099_are_422_naming_the_field(client, session, api, field, day):
    response = client.post("/api/v1/bills", json=bill_payload(**{field: day}), headers=api.headers)
    assert response.status_code == 422
    assert response.json["error"]["field"] == field
    assert "2000-01-01" in response.json["error"]["message"]
    assert _bill_count(session) == 0


def test_dates_at_the_edges_of_the_window_are_accepted(client, api):
    for day in ("2000-01-01", "2099-12-31"):
        response = client.post("/api/v1/bills", json=bill_payload(due_date=day), headers=api.headers)
        assert response.status_code == 201, response.json


def test_an_overlong_idempotency_key_is_422_naming_the_header(client, session, api):
    bill = make_bill(session, api.biller)
    headers = {**api.headers, "Idempotency-Key": "k" * 300}
    response = client.post(f"/api/v1/bills/{bill.id}/notify", headers=headers)
    assert response.status_code == 422
    assert response.json["error"]["field"] == "Idempotency-Key"


def test_a_query_value_with_nul_is_422_naming_it(client, api):
    response = client.post("/api/v1/bills/import?partial=%00", data=b"x", headers=api.headers)
    assert response.status_code == 422
    assert response.json["error"]["field"] == "partial"


def _csv(*rows: str) -> bytes:
    header = "reference,customer_reference,customer_name,amount,due_date"
    return "\n".join((header, *rows)).encode()


def test_a_csv_field_over_128_kib_is_a_report_line(client, session, api):
    body = _csv("B-1,C-1,Asha,1000,2026-12-10", f'B-2,C-2,"{"x" * 140_000}",1000,2026-12-10')
    response = client.post("/api/v1/bills/import", data=body, headers={**api.headers, "Content-Type": "text/csv"})
    assert response.status_code == 422
    [error] = response.json["errors"]
    assert "could not be read as CSV" in error["message"]
    assert _bill_count(session) == 0


def test_a_carriage_return_inside_a_csv_cell_is_a_report_line(client, session, api):
    body = _csv("B-1,C-1,Asha,1000,2026-12-10") + b'\nB-2,C-2,"Asha\rVerma",1000,2026-12-10\n'
    response = client.post("/api/v1/bills/import", data=body, headers={**api.headers, "Content-Type": "text/csv"})
    assert response.status_code == 422
    [error] = response.json["errors"]
    assert error["field"] == "customer_name"
    assert "line break" in error["message"]
    assert _bill_count(session) == 0


def test_a_bare_carriage_return_in_a_notify_csv_is_422(client, api):
    body = b"reference\nB-1\rB-2\n"
    response = client.post("/api/v1/bills/notify", data=body, headers={**api.headers, "Content-Type": "text/csv"})
    assert response.status_code == 422
    assert response.json["error"]["field"] == "file"


@pytest.mark.parametrize(("cell", "named"), [("Asha\x00", "NUL"), ("Asha\u202e", "bidi"), ("\x1b[2JAsha", "ANSI")])
def test_csv_cells_with_unfit_characters_are_report_lines(client, session, api, cell, named):
    body = _csv(f"B-1,C-1,{cell},1000,2026-12-10")
    response = client.post(
        "/api/v1/bills/import?partial=true", data=body, headers={**api.headers, "Content-Type": "text/csv"}
    )
    assert response.status_code == 200
    [error] = response.json["errors"]
    assert error["field"] == "customer_name"
    assert named in error["message"]
    session.expire_all()
    assert session.exec(select(func.count()).select_from(Customer)).one() == 0


def test_csv_dates_outside_the_window_are_report_lines(client, session, api):
    body = _csv("B-1,C-1,Asha,1000,9999-12-31", "B-2,C-2,Asha,1000,0001-01-01")
    response = client.post("/api/v1/bills/import", data=body, headers={**api.headers, "Content-Type": "text/csv"})
    assert response.status_code == 422
    assert [e["field"] for e in response.json["errors"]] == ["due_date", "due_date"]


def test_a_notify_csv_that_cannot_be_read_is_422(client, api):
    body = b'reference\n"' + b"x" * 140_000 + b'"\n'
    response = client.post("/api/v1/bills/notify", data=body, headers={**api.headers, "Content-Type": "text/csv"})
    assert response.status_code == 422
    assert response.json["error"]["field"] == "file"


def test_the_openapi_description_lists_every_error_status_on_every_operation(client):
    document = client.get("/api/v1/openapi.json").json
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert {"400", "401", "404", "409", "413", "415", "422"} <= set(operation["responses"]), (method, path)


def test_the_openapi_description_bounds_ids_to_the_column_range(client):
    document = client.get("/api/v1/openapi.json").json
    [parameter] = document["paths"]["/bills/{id}"]["get"]["parameters"]
    assert parameter["schema"]["maximum"] == 2**31 - 1
