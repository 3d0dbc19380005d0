"""POST /api/v1/reconciliation/statements: HDFC and SBI statements matched by `tr`, by a claimed UTR, or suggested."""
# ruff: noqa: E501 - statement lines are data, one transaction a line, as wide as the banks write them

from __future__ import annotations

import pytest
from sqlmodel import func, select

from models import Bill, Payment, StatementLine
from tests.reconciliation.conftest import RAVI_PHONE, choose_app, hdfc_statement, sbi_statement, tell_bot, upload


def count_payments(session) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(Payment)).one()


def test_an_hdfc_statement_matches_by_tr_and_claimed_utr_suggests_by_payer_and_ignores_debits(
    client, session, api, bills
):
    tr = choose_app(client, session, bills["asha"])
    tell_bot(client, RAVI_PHONE, "I already paid, UTR 432100000002")
    statement = hdfc_statement(
        ("25/11/26", f"UPI-ASHA VERMA-asha.verma@okhdfcbank-HDFC0001234-432100000001-{tr}", "0000432100000001", "", "1,245.50"),
        ("25/11/26", "UPI-RAVI K-ravi.k@ybl-YESB0000001-432100000002-PAYMENT FROM PHONE", "0000432100000002", "", "377.25"),
        ("25/11/26", "NEFT CR-SBIN0000123-MIRA NAIR-ELECTRICITY NOV", "SBIN326331234567", "", "999.00"),
        ("25/11/26", "UPI-SOMEONE ELSE-x@okaxis-UTIB0000001-432100000009-NA", "0000432100000009", "", "50,000.00"),
        ("25/11/26", "POS 416021XXXXXX1234 OFFICE SUPPLIES", "0000000000000000", "5,000.00", ""),
    )  # fmt: skip

    response = upload(client, api, statement)

    assert response.status_code == 200, response.json
    payments = {p.bill_id: p for p in session.exec(select(Payment)).all()}
    asha, ravi, mira = bills["asha"].id, bills["ravi"].id, bills["mira"].id
    assert response.json["lines"] == [
        {"line": 8, "status": "matched", "bill_id": asha, "payment_id": payments[asha].id},
        {"line": 9, "status": "matched", "bill_id": ravi, "payment_id": payments[ravi].id},
        {"line": 10, "status": "suggested", "bill_id": mira, "payment_id": None},
        {"line": 11, "status": "unmatched", "bill_id": None, "payment_id": None},
        {"line": 12, "status": "ignored", "bill_id": None, "payment_id": None},
    ]
    assert (response.json["matched"], response.json["suggested"], response.json["unmatched"]) == (2, 1, 1)
    assert (payments[asha].reference, payments[asha].amount_paise, payments[asha].source) == (
        "432100000001",
        124550,
        "statement",
    )
    assert payments[ravi].reference == "432100000002"
    session.expire_all()
    assert {session.get(Bill, bill.id).status for bill in (bills["asha"], bills["ravi"])} == {"paid"}
    assert session.get(Bill, mira).status == "open"


def test_the_same_statement_uploaded_twice_records_nothing_new(client, session, api, bills):
    tr = choose_app(client, session, bills["asha"])
    statement = hdfc_statement(
        ("25/11/26", f"UPI-ASHA VERMA-asha@okhdfcbank-HDFC0001234-432100000001-{tr}", "0000432100000001", "", "1,245.50"),
        ("25/11/26", "NEFT CR-SBIN0000123-MIRA NAIR-ELECTRICITY NOV", "SBIN326331234567", "", "999.00"),
    )  # fmt: skip
    first = upload(client, api, statement)
    assert [line["status"] for line in first.json["lines"]] == ["matched", "suggested"]

    second = upload(client, api, statement)

    assert second.status_code == 200
    assert [line["status"] for line in second.json["lines"]] == ["duplicate", "duplicate"]
    assert second.json["lines"][0]["payment_id"] == first.json["lines"][0]["payment_id"]
    assert count_payments(session) == 1
    assert session.exec(select(func.count()).select_from(StatementLine)).one() == 2


def test_a_payment_the_webhook_already_recorded_is_not_recorded_again_from_the_statement(client, session, api, bills):
    from tests.webhooks.test_payment_webhook import notice, post

    tr = choose_app(client, session, bills["asha"])
    assert post(client, notice(tr, utr="432100000001")).json["status"] == "recorded"
    statement = hdfc_statement(
        ("25/11/26", f"UPI-ASHA VERMA-asha@okhdfcbank-HDFC0001234-432100000001-{tr}", "0000432100000001", "", "1,245.50"),
    )  # fmt: skip

    response = upload(client, api, statement)

    assert response.json["lines"][0]["status"] == "matched"
    assert count_payments(session) == 1


def test_an_sbi_statement_in_its_own_layout_matches_by_tr_then_suggests_the_only_bill_left(client, session, api, bills):
    tr = choose_app(client, session, bills["mira"])
    statement = sbi_statement(
        ("25 Nov 2026", f"BY TRANSFER-UPI/CR/432100000011/MIRA NAIR/HDFC/mira@okhdfc/{tr}", "TRANSFER FROM 4897691162091", "", "999.00"),
        ("25 Nov 2026", "TO TRANSFER-UPI/DR/432100000099/TATA POWER/ICIC/tatapower@icici/Payment", "TRANSFER TO 4897694162092", "1,00,000.00", ""),
        ("25 Nov 2026", "BY TRANSFER-NEFT*HDFC0000001*N329261234567*D ANAND--", "TRANSFER FROM 4897691162093", "", "999.00"),
    )  # fmt: skip

    response = upload(client, api, statement)

    assert response.status_code == 200, response.json
    assert [(line["line"], line["status"], line["bill_id"]) for line in response.json["lines"]] == [
        (12, "matched", bills["mira"].id),
        (13, "ignored", None),
        (14, "suggested", bills["dev"].id),
    ]
    [payment] = session.exec(select(Payment)).all()
    assert (payment.bill_id, payment.reference, payment.amount_paise) == (bills["mira"].id, "432100000011", 99900)


def test_a_statement_of_biller_b_never_matches_biller_a_bills(client, session, api, other_api, bills):
    tr = choose_app(client, session, bills["asha"])
    tell_bot(client, RAVI_PHONE, "I already paid, UTR 432100000002")
    statement = hdfc_statement(
        ("25/11/26", f"UPI-ASHA VERMA-asha@okhdfcbank-HDFC0001234-432100000001-{tr}", "0000432100000001", "", "1,245.50"),
        ("25/11/26", "UPI-RAVI KUMAR-ravi@ybl-YESB0000001-432100000002-PAYMENT", "0000432100000002", "", "377.25"),
        ("25/11/26", "NEFT CR-SBIN0000123-MIRA NAIR-ELECTRICITY NOV", "SBIN326331234567", "", "999.00"),
    )  # fmt: skip

    response = upload(client, other_api, statement)

    assert response.status_code == 200
    assert [line["status"] for line in response.json["lines"]] == ["unmatched"] * 3
    assert all(line["bill_id"] is None for line in response.json["lines"])
    assert count_payments(session) == 0
    assert "ELEC-" not in response.get_data(as_text=True)


def test_a_statement_without_a_recognisable_header_is_refused_naming_the_header(client, api, bills):
    response = upload(client, api, "Account No :5020001234\nfoo,bar,baz\n1,2,3\n")

    assert response.status_code == 422
    assert response.json["error"]["field"] == "header"
    assert "Deposit/Credit" in response.json["error"]["message"]


def test_a_bad_amount_is_refused_naming_its_line_and_column_and_nothing_is_recorded(client, session, api, bills):
    tr = choose_app(client, session, bills["asha"])
    statement = hdfc_statement(
        ("25/11/26", f"UPI-ASHA VERMA-asha@okhdfcbank-HDFC0001234-432100000001-{tr}", "0000432100000001", "", "1,245.50"),
        ("25/11/26", "NEFT CR-SBIN0000123-MIRA NAIR", "SBIN326331234567", "", "9x9.00"),
    )  # fmt: skip

    response = upload(client, api, statement)

    assert response.status_code == 422
    assert response.json["error"]["field"] == "credit"
    assert response.json["error"]["message"].startswith("line 9:")
    assert count_payments(session) == 0


def test_a_bad_date_is_refused_naming_its_line_and_column(client, api, bills):
    statement = sbi_statement(
        ("31 Nov 2026", "BY TRANSFER-NEFT*HDFC0000001*N329261234567*D ANAND--", "X", "", "999.00")
    )

    response = upload(client, api, statement)

    assert response.status_code == 422
    assert (response.json["error"]["field"], response.json["error"]["message"][:8]) == ("txn_date", "line 12:")


def test_a_statement_must_be_sent_as_csv(client, api):
    response = client.post("/api/v1/reconciliation/statements", json={"lines": []}, headers=api.headers)

    assert response.status_code == 415 and response.json["error"]["field"] == "file"


ICICI_DETAILED = """DETAILED STATEMENT,,,,,,,
"Transactions List - ASANSOL POWER DISTRIBUTION (INR) - 000405001234",,,,,,,
S No.,Value Date,Transaction Date,Cheque Number,Transaction Remarks,Withdrawal Amount (INR ),Deposit Amount (INR ),Balance (INR )
1,25/11/2026,25/11/2026,-,UPI/432100000041/ASHA VERMA/asha@okicici/ICICI Bank/{tr},0.00,"1,245.50","10,01,245.50"
2,25/11/2026,25/11/2026,-,BIL/ONL/000123456789/TATA POWER/,"2,000.00",0.00,"9,99,245.50"
"""
KOTAK_AMOUNT_AND_DR_CR = """Account Statement,,,,,,,,
Account No.,1234567890,,,,,,,
Period,01-11-2026 to 25-11-2026,,,,,,,
Sl. No.,Transaction Date,Value Date,Description,Chq / Ref No.,Amount,Dr / Cr,Balance,Dr / Cr
1,25-11-2026,25-11-2026,UPI/ASHA VERMA/432100000041/{tr},UPI-432100000041,"1,245.50",CR,"10,01,245.50",CR
2,25-11-2026,25-11-2026,NEFT/TATA POWER/N329261234567,NEFT-N329261234567,"2,000.00",DR,"9,99,245.50",CR
"""


@pytest.mark.parametrize("layout", [ICICI_DETAILED, KOTAK_AMOUNT_AND_DR_CR], ids=["icici", "kotak-amount-dr-cr"])
def test_icici_and_amount_with_cr_dr_layouts_are_read_too(client, session, api, bills, layout):
    tr = choose_app(client, session, bills["asha"])

    response = upload(client, api, layout.format(tr=tr))

    assert response.status_code == 200, response.json
    assert [line["status"] for line in response.json["lines"]] == ["matched", "ignored"]
    [payment] = session.exec(select(Payment)).all()
    assert (payment.bill_id, payment.amount_paise, payment.reference) == (bills["asha"].id, 124550, "432100000041")
