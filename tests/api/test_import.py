"""CSV import through the API: all-or-nothing by default, every bad row reported, partial on request."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import text
from sqlmodel import func, select

from jobs.runner import JobRunner
from models import Bill, Cadence, Customer, PaymentLink
from tests.builders import bill_payload

HEADER = "reference,customer_reference,customer_name,customer_phone,customer_language,amount,due_date"


def csv_bytes(*lines: str, header: str = HEADER) -> bytes:
    return ("\n".join((header, *lines)) + "\n").encode()


def post_csv(client, api, data: bytes, *, partial: bool = False):
    url = "/api/v1/bills/import" + ("?partial=true" if partial else "")
    return client.post(url, data=data, content_type="text/csv", headers=api.headers)


def count(session, model) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(model)).one()


def test_good_file_imports_every_row_with_a_link(client, api, session):
    data = csv_bytes(
        "E-1,CA-1,Asha Verma,9810000001,en,124550,2026-12-10",
        "E-2,CA-2,रवि कुमार,+919810000002,hi,89000,2026-12-11",
        "E-3,CA-1,Asha Verma,9810000001,en,5000,2026-12-12",
    )
    response = post_csv(client, api, data)

    assert response.status_code == 200, response.json
    assert response.json == {"rows": 3, "imported": 3, "rejected": 0, "errors": []}
    assert count(session, Bill) == 3
    assert count(session, Customer) == 2
    assert count(session, PaymentLink) == 3
    ravi = session.exec(select(Customer).where(Customer.reference == "CA-2")).one()
    assert (ravi.name, ravi.phone, ravi.language) == ("रवि कुमार", "+919810000002", "hi")


def test_bom_semicolons_blank_lines_and_crlf_are_understood(client, api, session):
    text = "\ufeff" + HEADER.replace(",", ";") + "\r\n\r\nE-1;CA-1;Asha;9810000001;en;100;2026-12-10\r\n;;;;;;\r\n"
    response = post_csv(client, api, text.encode("utf-8"))
    assert response.status_code == 200, response.json
    assert response.json["imported"] == 1
    assert session.exec(select(Bill)).one().reference == "E-1"


def test_multipart_upload_works_like_a_raw_body(client, api, session):
    data = csv_bytes("E-1,CA-1,Asha,9810000001,en,100,2026-12-10")
    response = client.post(
        "/api/v1/bills/import",
        data={"file": (io.BytesIO(data), "bills.csv")},
        content_type="multipart/form-data",
        headers=api.headers,
    )
    assert response.status_code == 200
    assert count(session, Bill) == 1


def test_every_bad_row_is_reported_by_line_and_nothing_is_imported(client, api, session):
    client.post("/api/v1/bills", json=bill_payload(reference="OLD-1"), headers=api.headers)
    data = csv_bytes(
        "E-1,CA-1,Asha,9810000001,en,100,2026-12-10",
        "E-2,CA-2,Ravi,12345,hi,100,2026-12-10",
        "",
        "E-3,CA-3,Sourav,9810000003,bn,0,2026-12-10",
        "E-4,CA-4,Mina,9810000004,en,100,10/12/2026",
        "E-1,CA-5,Dup,9810000005,en,100,2026-12-10",
        "OLD-1,CA-6,Old,9810000006,en,100,2026-12-10",
        "E-7,CA-7,Lang,9810000007,xx,100,2026-12-10",
        "E-8,,NoRef,9810000008,en,100,2026-12-10",
    )
    response = post_csv(client, api, data)

    assert response.status_code == 422
    assert response.json["error"]["code"] == "invalid_rows"
    assert response.json["imported"] == 0
    errors = {(e["line"], e["field"]) for e in response.json["errors"]}
    assert errors == {
        (3, "customer_phone"),
        (5, "amount"),
        (6, "due_date"),
        (7, "reference"),
        (8, "reference"),
        (9, "customer_language"),
        (10, "customer_reference"),
    }
    assert "repeats line 2" in next(e["message"] for e in response.json["errors"] if e["line"] == 7)
    assert count(session, Bill) == 1  # only the bill that existed before


def test_partial_import_keeps_the_good_rows_and_reports_the_rest(client, api, session):
    data = csv_bytes(
        "E-1,CA-1,Asha,9810000001,en,100,2026-12-10",
        "E-2,CA-2,Ravi,+14155550100,hi,100,2026-12-10",
        "E-3,CA-3,Sourav,9810000003,bn,300,2026-12-10",
    )
    response = post_csv(client, api, data, partial=True)

    assert response.status_code == 200
    assert response.json["imported"] == 2
    assert [(e["line"], e["field"]) for e in response.json["errors"]] == [(3, "customer_phone")]
    assert sorted(session.exec(select(Bill.reference)).all()) == ["E-1", "E-3"]


def test_known_customer_is_updated_not_duplicated(client, api, session):
    client.post(
        "/api/v1/customers",
        headers=api.headers,
        json={"reference": "CA-1", "name": "Old Name", "email": "keep@example.com"},
    )
    response = post_csv(client, api, csv_bytes("E-1,CA-1,New Name,9810000001,bn,100,2026-12-10"))
    assert response.status_code == 200
    customer = session.exec(select(Customer)).one()
    assert (customer.name, customer.language, customer.email) == ("New Name", "bn", "keep@example.com")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"reference,amount\nE-1,100\n", "missing column(s): customer_reference, customer_name, due_date"),
        (csv_bytes(header=HEADER + ",colour"), "unknown column(s): colour"),
        ("reference\n\xe9".encode("latin-1"), "not UTF-8"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_the_reason(client, api, data, message):
    response = post_csv(client, api, data)
    assert response.status_code == 422
    assert message in response.json["errors"][0]["message"]


def test_row_with_too_many_cells_is_reported(client, api):
    response = post_csv(client, api, csv_bytes("E-1,CA-1,Asha,9810000001,en,100,2026-12-10,extra"))
    assert response.status_code == 422
    assert response.json["errors"][0]["line"] == 2


def test_import_is_scoped_to_the_calling_biller(client, api, other_api, session):
    post_csv(client, api, csv_bytes("E-1,CA-1,Asha,9810000001,en,100,2026-12-10"))
    response = post_csv(client, other_api, csv_bytes("E-1,CA-1,Asha,9810000001,en,100,2026-12-10"))
    assert response.status_code == 200
    assert {bill.biller_id for bill in session.exec(select(Bill)).all()} == {api.biller.id, other_api.biller.id}


def test_import_without_a_csv_is_415(client, api):
    response = client.post("/api/v1/bills/import", json={"x": 1}, headers=api.headers)
    assert response.status_code == 415
    assert response.json["error"]["field"] == "file"


@pytest.mark.slow
def test_fifty_thousand_rows_import_in_one_go_as_a_background_job(app, client, api, session):
    lines = [f"E-{n},CA-{n % 20000},Customer {n},98{n % 100000000:08d},en,{1000 + n},2026-12-10" for n in range(50_000)]
    response = post_csv(client, api, csv_bytes(*lines))
    assert response.status_code == 202, response.json

    assert JobRunner(app).run(once=True) == 1
    job = client.get(response.headers["Location"], headers=api.headers).json
    assert job["status"] == "succeeded", job["report"]
    assert job["report"]["imported"] == 50_000
    assert count(session, Bill) == 50_000
    assert count(session, PaymentLink) == 50_000
    assert count(session, Customer) == 20_000
    tokens = session.exec(select(func.count(func.distinct(PaymentLink.token)))).one()
    assert tokens == 50_000
    if session.get_bind().dialect.name == "postgresql":  # the statistics the next planning pass plans with
        estimated = session.execute(text("SELECT reltuples FROM pg_class WHERE relname = 'bills'")).scalar_one()
        assert estimated == 50_000


def test_api_and_csv_bills_follow_the_same_default_cadence(client, api, session):
    firm = Cadence(biller_id=api.biller.id, name="firm", is_default=True)
    session.add(firm)
    original = session.exec(select(Cadence).where(Cadence.biller_id == api.biller.id, Cadence.name == "default")).one()
    original.is_default = False
    session.add(original)
    session.commit()

    assert post_csv(client, api, csv_bytes("E-1,CA-1,Asha Verma,9810000001,en,124550,2026-12-10")).status_code == 200
    by_api = client.post("/api/v1/bills", json=bill_payload(), headers=api.headers)
    assert by_api.status_code == 201, by_api.json

    session.expire_all()
    assert {bill.cadence_id for bill in session.exec(select(Bill)).all()} == {firm.id}
