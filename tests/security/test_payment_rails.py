"""Hostile and careless input at the payment rails: bank statements, provider notices, webhook endpoints.

Each test is a finding of a probe against the running app (issue #16's surface): it failed before its fix.
"""

from __future__ import annotations

import re

import pytest
from sqlmodel import func, select

from billing.bills import current_link
from models import Bill, LinkEvent, OutboundMessage, Payment, StatementLine
from models.webhooks import WebhookDelivery, WebhookEndpoint
from reconciliation.providers import set_provider_secret
from tests.reconciliation.conftest import choose_app, hdfc_statement
from tests.reconciliation.test_provider_notices import (
    CASHFREE_SECRET,
    RAZORPAY_SECRET,
    cashfree_success,
    post_cashfree,
    post_razorpay,
    razorpay_captured,
)
from webhooks_out.endpoints import MAX_WAITING_TESTS, new_secret

HEADER = "Date,Narration,Chq./Ref.No.,Value Dt,Withdrawal Amt.,Deposit Amt.,Closing Balance"


@pytest.fixture
def provider_secrets(session, api):
    set_provider_secret(session=session, biller_id=api.biller.id, provider="razorpay", secret=RAZORPAY_SECRET)
    set_provider_secret(session=session, biller_id=api.biller.id, provider="cashfree", secret=CASHFREE_SECRET)
    session.commit()


def upload_bytes(client, api, data: bytes):
    return client.post("/api/v1/reconciliation/statements", data=data, content_type="text/csv", headers=api.headers)


def nothing_recorded(session) -> bool:
    session.expire_all()
    lines = session.exec(select(func.count()).select_from(StatementLine)).one()
    return lines == 0 and session.exec(select(func.count()).select_from(Payment)).one() == 0


@pytest.mark.parametrize(
    "amount",
    ["1e9", "5e-1", "99999999999999999999999.00", "1_000", "١٢٣", "+500", "1,2,3", "500.00 Dr"],
)
def test_an_amount_no_bank_writes_is_refused_naming_its_column_and_nothing_is_recorded(
    client, session, api, bills, amount
):
    tr = choose_app(client, session, bills["asha"])
    statement = hdfc_statement(
        ("25/11/26", f"UPI-ASHA VERMA-asha@okhdfcbank-{tr}", "0000432100000001", "", "1,245.50"),
        ("25/11/26", "UPI-SOMEONE-x@okaxis", "0000432100000002", "", amount),
    )

    response = upload_bytes(client, api, statement.encode())

    assert response.status_code == 422, response.json
    assert response.json["error"]["field"] == "credit"
    assert response.json["error"]["message"].startswith("line 9:")
    assert nothing_recorded(session)


@pytest.mark.parametrize("day", ["31/12/9999", "01/01/0001", "25/11/1999", "27/11/26"])
def test_a_date_before_2000_or_after_tomorrow_is_refused_and_pays_nothing(client, session, api, bills, day):
    tr = choose_app(client, session, bills["asha"])  # the suite's today is 25/11/2026: 26/11 is still allowed
    statement = hdfc_statement((day, f"UPI-ASHA VERMA-asha@okhdfcbank-{tr}", "0000432100000001", "", "1,245.50"))

    response = upload_bytes(client, api, statement.encode())

    assert response.status_code == 422, response.json
    assert response.json["error"]["field"] == "txn_date"
    assert nothing_recorded(session)
    assert session.get(Bill, bills["asha"].id).status == "open"


def test_tomorrow_is_still_a_statement_date(client, session, api, bills):
    tr = choose_app(client, session, bills["asha"])
    statement = hdfc_statement(("26/11/26", f"UPI-ASHA VERMA-{tr}", "0000432100000001", "", "1,245.50"))

    response = upload_bytes(client, api, statement.encode())

    assert response.status_code == 200 and response.json["matched"] == 1, response.json


@pytest.mark.parametrize(
    "body",
    [
        f'{HEADER}\n25/11/26,"UPI-{"A" * 200_000}",1,25/11/26,,500.00,1000\n',  # over the csv module's field limit
        f'{HEADER}\n25/11/26,"UPI-UNTERMINATED,1,25/11/26,,500.00,1000\n26/11/26,x,2,26/11/26,,1.00,1000\n',
    ],
    ids=["huge-field", "unterminated-quote"],
)
def test_a_statement_that_is_not_well_formed_csv_is_refused_naming_a_line(client, session, api, bills, body):
    response = upload_bytes(client, api, body.encode())

    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    assert response.json["error"]["field"] == "file"
    assert re.match(r"line \d+: could not be read as CSV", response.json["error"]["message"])
    assert nothing_recorded(session)


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: text.replace("\n", "\r").encode(),  # bare carriage returns, as old exports end their lines
        lambda text: text.encode("utf-16"),  # Excel's "Unicode text": UTF-16 with a BOM
        lambda text: text.encode("utf-16-le"),  # and without one
        lambda text: text.encode("utf-16-be"),
        lambda text: text.replace("₹", "Rs").encode("cp1252"),  # Windows-1252
    ],
    ids=["cr-line-ends", "utf-16-bom", "utf-16-le", "utf-16-be", "cp1252"],
)
def test_a_statement_in_the_encodings_and_line_ends_banks_export_is_read(client, session, api, bills, encode):
    tr = choose_app(client, session, bills["asha"])
    statement = hdfc_statement(("25/11/26", f"UPI-ASHA VERMA-café-{tr}", "0000432100000001", "", "1,245.50"))

    response = upload_bytes(client, api, encode(statement))

    assert response.status_code == 200, response.json
    assert [line["status"] for line in response.json["lines"]] == ["matched"]
    session.expire_all()
    assert session.get(Bill, bills["asha"].id).status == "paid"


def test_nul_control_and_bidi_characters_in_a_narration_are_cleaned_not_stored(client, session, api, bills):
    tr = choose_app(client, session, bills["asha"])  # PostgreSQL refuses NUL in text: this was a 500 there
    statement = hdfc_statement(
        ("25/11/26", f"UPI-ASHA\x00 VERMA\u202e-\x1b[31m-{tr}", "0000432100000001\x00", "", "1,245.50")
    )

    response = upload_bytes(client, api, statement.encode())

    assert response.status_code == 200, response.json
    line = session.exec(select(StatementLine)).one()
    assert line.narration == f"UPI-ASHA VERMA--{tr}"
    assert line.bank_reference == "0000432100000001"


def test_column_names_far_to_the_right_of_a_very_wide_row_are_not_read(client, session, api):
    filler = "," * 5_000  # a row of 5,001 cells: only the first hundred are looked at for column names
    body = f"{filler}Date,Narration,Deposit Amt.\n{filler}25/11/26,UPI-X,1.00\n"

    response = upload_bytes(client, api, body.encode())

    assert response.status_code == 422 and response.json["error"]["field"] == "header"


def test_the_tr_of_the_pages_qr_code_in_a_narration_is_a_certain_match(client, session, api, bills):
    token = current_link(session=session, bill_id=bills["ravi"].id).token
    assert client.get(f"/p/{token}/qr.svg").status_code == 200
    tr = session.exec(select(LinkEvent.transaction_reference).where(LinkEvent.kind == "qr_shown")).one()
    statement = hdfc_statement(("25/11/26", f"UPI/{tr}/PAID BY QR", "0000432100000005", "", "377.25"))

    response = upload_bytes(client, api, statement.encode())

    assert response.json["lines"][0]["status"] == "matched", response.json
    session.expire_all()
    assert session.get(Bill, bills["ravi"].id).status == "paid"


def receipts_for(session, bill_id: int) -> list[OutboundMessage]:
    session.expire_all()
    return session.exec(
        select(OutboundMessage).where(OutboundMessage.bill_id == bill_id, OutboundMessage.template_key == "receipt")
    ).all()


def test_a_payment_matched_from_a_statement_thanks_the_customer_with_one_receipt(client, session, api, bills):
    tr = choose_app(client, session, bills["asha"])
    statement = hdfc_statement(("25/11/26", f"UPI-ASHA VERMA-{tr}", "0000432100000001", "", "1,245.50"))

    upload_bytes(client, api, statement.encode())
    upload_bytes(client, api, statement.encode())  # the same statement again: no second receipt

    assert len(receipts_for(session, bills["asha"].id)) == 1


def test_a_confirmed_suggestion_thanks_the_customer_with_a_receipt(client, session, api, bills, admin):
    statement = hdfc_statement(("25/11/26", "NEFT CR-SBIN0000123-RAVI K-WATER", "SBIN326331234567", "", "377.25"))
    line_id = upload_bytes(client, api, statement.encode()).json["lines"][0]
    assert line_id["status"] == "suggested"
    line = session.exec(select(StatementLine)).one()
    page = client.get("/console/reconciliation").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)

    response = client.post(f"/console/reconciliation/lines/{line.id}/confirm", data={"csrf_token": csrf})

    assert response.status_code == 302
    assert len(receipts_for(session, bills["ravi"].id)) == 1


@pytest.mark.parametrize("provider", ["razorpay", "cashfree"])
def test_a_provider_notice_thanks_the_customer_with_one_receipt(
    client, session, api, bills, provider_secrets, provider
):
    tr = choose_app(client, session, bills["asha"])
    for _ in range(2):  # the provider retries: one receipt
        if provider == "razorpay":
            response = post_razorpay(client, api.biller.id, razorpay_captured(tr))
        else:
            response = post_cashfree(client, api.biller.id, cashfree_success(tr))
        assert response.status_code == 200, response.json

    assert len(receipts_for(session, bills["asha"].id)) == 1


@pytest.mark.parametrize("amount", ["1E+400", "1E+13"])
def test_a_cashfree_amount_with_a_huge_exponent_is_refused_naming_the_field(
    client, session, api, bills, provider_secrets, amount
):
    tr = choose_app(client, session, bills["asha"])

    response = post_cashfree(client, api.biller.id, cashfree_success(tr, amount=amount))

    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    assert response.json["error"]["field"] == "amount"
    assert nothing_recorded(session)


@pytest.mark.parametrize("url", ["http://[2002:7f00:1::]/hook", "https://[2002:a9fe:a9fe::]/latest/meta-data"])
def test_a_6to4_address_around_a_private_ipv4_is_refused_as_a_webhook_endpoint(client, api, url):
    response = client.post("/api/v1/webhook-endpoints", json={"url": url, "events": ["bill.paid"]}, headers=api.headers)

    assert response.status_code == 422, response.json
    assert response.json["error"]["field"] == "url"
    assert response.json["error"]["code"] == "outbound_refused"


def test_test_events_waiting_for_an_endpoint_are_capped_so_the_worker_is_no_request_cannon(client, session, api, admin):
    endpoint = WebhookEndpoint(
        biller_id=api.biller.id, url="https://93.184.216.34/hook", events=["bill.paid"], secret=new_secret()
    )
    session.add(endpoint)
    session.commit()
    path = f"/api/v1/webhook-endpoints/{endpoint.id}/test"

    answers = [client.post(path, headers=api.headers) for _ in range(MAX_WAITING_TESTS + 1)]

    assert [answer.status_code for answer in answers] == [202] * MAX_WAITING_TESTS + [409]
    assert (answers[-1].json["error"]["field"], answers[-1].json["error"]["code"]) == ("id", "tests_waiting")
    page = client.get("/console/settings/webhooks").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    console = client.post("/console/settings/webhooks/test", data={"csrf_token": csrf, "endpoint": endpoint.id})
    assert console.status_code == 302
    assert "still on their way" in client.get(console.headers["Location"]).get_data(as_text=True)
    session.expire_all()
    deliveries = session.exec(select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)).all()
    assert len(deliveries) == MAX_WAITING_TESTS
    for delivery in deliveries:  # once they are delivered (or given up on), a test may be sent again
        delivery.status = "succeeded"
        session.add(delivery)
    session.commit()
    assert client.post(path, headers=api.headers).status_code == 202
