"""The console answers hostile input with its own form errors or a 404, never a 500."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from billing.payments import record_payment
from models import CustomerNote, Payment
from tests.builders import make_bill
from tests.web.test_console import PASSWORD, csrf


@pytest.mark.parametrize(
    "path", ["/console/customers/99999999999", "/console/conversations/99999999999", "/console/customers/2147483648"]
)
def test_ids_beyond_the_column_range_are_404(client, desk, path):
    assert client.get(path).status_code == 404


def test_a_search_with_nul_is_a_form_error(client, desk):
    response = client.get("/console/customers?q=%00")
    assert response.status_code == 422
    assert "NUL" in response.get_data(as_text=True)


def test_percent_and_underscore_in_a_search_match_only_themselves(client, session, api, desk):
    make_bill(session, api.biller, customer={"reference": "CA-1", "name": "Asha Verma", "phone": "+919810000001"})
    make_bill(session, api.biller, customer={"reference": "CA-2", "name": "Ravi 100% Kumar", "phone": "+919810000002"})
    for query, found in (("%", ["Ravi 100% Kumar"]), ("_", []), ("Asha", ["Asha Verma"])):
        page = client.get("/console/customers", query_string={"q": query}).get_data(as_text=True)
        assert ("Asha Verma" in page) == ("Asha Verma" in found), query
        assert ("Ravi 100% Kumar" in page) == ("Ravi 100% Kumar" in found), query


def test_mark_paid_on_a_paid_bill_is_a_form_error(client, session, api, desk):
    bill = make_bill(session, api.biller, customer={"reference": "CA-1", "name": "Asha", "phone": "+919810000001"})
    record_payment(session=session, bill=bill, amount_paise=bill.amount_due_paise, reference="UTR1", source="api")
    session.commit()
    page = f"/console/customers/{bill.customer_id}"
    response = client.post(
        f"{page}/bills/{bill.id}/mark-paid",
        data={"csrf_token": csrf(client, page), "reference": "UTR2"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "already paid" in response.get_data(as_text=True)
    session.expire_all()
    assert session.exec(select(func.count()).select_from(Payment)).one() == 1


def test_a_note_with_nul_is_a_form_error_and_not_saved(client, session, api, desk):
    bill = make_bill(session, api.biller, customer={"reference": "CA-1", "name": "Asha", "phone": "+919810000001"})
    page = f"/console/customers/{bill.customer_id}"
    response = client.post(
        f"{page}/notes", data={"csrf_token": csrf(client, page), "body": "called\x00her"}, follow_redirects=True
    )
    assert response.status_code == 200
    assert "NUL" in response.get_data(as_text=True)
    assert session.exec(select(CustomerNote)).all() == []


def test_a_login_email_with_nul_is_a_form_error(client):
    response = client.post(
        "/console/login",
        data={"email": "desk\x00@a.example", "password": PASSWORD, "csrf_token": csrf(client, "/console/login")},
    )
    assert response.status_code == 400
    assert "NUL" in response.get_data(as_text=True)


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_cadence_preview_date_outside_the_window_is_422_naming_it(client, admin, day):
    form = {
        "csrf_token": csrf(client, "/console/cadences"),
        "name": "standard",
        "sample_due_date": day,
        "step-0-offset": "0",
        "step-0-time": "10:00",
        "step-0-channels": "sms",
        "step-0-template": "reminder_due_today",
    }
    response = client.post("/console/cadences", data=form)
    assert response.status_code == 422
    assert "between 2000-01-01 and 2099-12-31" in response.get_data(as_text=True)


def test_a_cadence_name_with_a_bidi_override_is_a_form_error(client, admin):
    form = {"csrf_token": csrf(client, "/console/cadences"), "name": "std\u202e", "step-0-offset": "0"}
    response = client.post("/console/cadences", data=form)
    assert response.status_code == 400 or response.status_code == 200
    assert "U+202E" in response.get_data(as_text=True)
