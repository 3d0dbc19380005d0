"""Amount rules at the API: what a bill asks today, its parts, link expiry, part-payment floor, over-payment."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from models import Complaint
from models.db import utcnow
from tests.builders import bill_payload


def post_bill(client, api, **overrides):
    return client.post("/api/v1/bills", json=bill_payload(**overrides), headers=api.headers)


def test_amount_due_includes_the_late_fee_with_its_parts(client, api):
    due = (utcnow().date() - timedelta(days=5)).isoformat()
    response = post_bill(client, api, amount=100000, late_payment_amount=110000, due_date=due)
    assert response.status_code == 201
    bill = response.json
    assert bill["amount"] == 100000 and bill["amount_due"] == 110000
    assert bill["amount_due_parts"] == {"outstanding": 100000, "late_fee": 10000, "early_payment_discount": 0}
    assert bill["days_overdue"] == 5


def test_a_bill_due_in_the_past_is_overdue_with_a_link_that_still_works(client, api):
    response = post_bill(client, api, due_date="2020-03-31")
    bill = response.json
    assert (response.status_code, bill["status"]) == (201, "open")
    assert bill["days_overdue"] > 2000
    assert bill["expires_at"] > utcnow().isoformat()
    page = client.get("/p/" + bill["link"].rsplit("/", 1)[1])
    assert page.status_code == 200
    assert "Overdue by" in page.text and "expired" not in page.text.lower()


def test_expires_at_is_kept_and_must_be_in_the_future(client, api):
    later = (utcnow() + timedelta(days=3)).replace(microsecond=0)
    kept = post_bill(client, api, expires_at=later.isoformat())
    assert kept.status_code == 201
    assert kept.json["expires_at"].startswith(later.strftime("%Y-%m-%dT%H:%M:%S"))
    past = post_bill(client, api, expires_at=(utcnow() - timedelta(hours=1)).isoformat())
    assert past.status_code == 422
    assert past.json["error"]["field"] == "expires_at"


def test_min_partial_amount_is_kept_and_refused_where_no_part_payment_is_allowed(client, api):
    kept = post_bill(client, api, amount_exactness="EXACT_AND_BELOW", min_partial_amount=20000)
    assert (kept.status_code, kept.json["min_partial_amount"]) == (201, 20000)
    refused = post_bill(client, api, amount_exactness="EXACT", min_partial_amount=20000)
    assert refused.status_code == 422
    assert refused.json["error"]["field"] == "min_partial_amount"


def test_overpayment_beyond_the_tolerance_opens_a_ticket_for_support(client, api, session):
    bill_id = post_bill(client, api, amount=124550).json["id"]
    paid = client.post(
        f"/api/v1/bills/{bill_id}/payments", json={"amount": 99_999_999, "reference": "UTR800X"}, headers=api.headers
    )
    assert paid.status_code == 201
    tickets = session.exec(select(Complaint).where(Complaint.biller_id == api.biller.id)).all()
    assert [ticket.category for ticket in tickets] == ["overpayment"]
    assert "UTR800X" in tickets[0].text


def test_overpayment_within_the_tolerance_is_not_flagged(client, api, session):
    api.biller.overpayment_tolerance_paise = 1000
    session.add(api.biller)
    session.commit()
    bill_id = post_bill(client, api, amount=124550).json["id"]
    client.post(f"/api/v1/bills/{bill_id}/payments", json={"amount": 125000, "reference": "UTR1"}, headers=api.headers)
    assert session.exec(select(Complaint).where(Complaint.biller_id == api.biller.id)).all() == []


def test_csv_import_takes_expires_at_and_min_partial_amount(client, api):
    due = (date(2026, 12, 20)).isoformat()
    body = (
        "reference,customer_reference,customer_name,amount,due_date,amount_exactness,min_partial_amount,expires_at\n"
        f"CSV-1,C-1,Asha,50000,{due},EXACT_AND_BELOW,10000,2027-01-31T18:30:00+00:00\n"
    )
    response = client.post("/api/v1/bills/import", data=body, headers={**api.headers, "Content-Type": "text/csv"})
    assert response.status_code in (200, 201), response.json
    listed = client.get("/api/v1/bills?reference=CSV-1", headers=api.headers).json["bills"][0]
    assert listed["min_partial_amount"] == 10000
    assert listed["expires_at"].startswith("2027-01-31T18:30:00")
