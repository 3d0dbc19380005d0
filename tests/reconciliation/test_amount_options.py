"""A credit of the early-payment amount (up to its date) or the late-payment amount (after the due date) fits its
bill as the amount due does: the payment page asked the customer for it that day."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from sqlmodel import select

from models import Payment
from tests.builders import make_bill, statements_run
from tests.conftest import IST
from tests.reconciliation.conftest import hdfc_statement, tell_bot, upload

# ₹1,000.00 due on 10 December; ₹950.00 if paid by 30 November, ₹1,100.00 after 10 December.
OPTIONS = {
    "amount": 100000,
    "due_date": "2026-12-10",
    "early_payment_amount": 95000,
    "early_payment_date": "2026-11-30",
    "late_payment_amount": 110000,
}


def customer(name: str, phone: str) -> dict:
    return {"reference": f"C-{name.split()[0].upper()}", "name": name, "phone": phone, "language": "en"}


@pytest.fixture
def sunil(session, api):
    """Sunil Rao's bill, with an early- and a late-payment amount."""
    return make_bill(
        session, api.biller, reference="WATER-1", customer=customer("Sunil Rao", "+919810000011"), **OPTIONS
    )


def upload_on(suite_clock, client, api, day: str, *lines: tuple[str, str, str, str, str]):
    """Upload an HDFC statement of lines on day (dd/mm/yy), the clock at 11:00 IST that day."""
    suite_clock.move_to(datetime.strptime(f"{day} 11:00", "%d/%m/%y %H:%M").replace(tzinfo=IST), tick=True)
    response = upload(client, api, hdfc_statement(*lines))
    assert response.status_code == 200, response.json
    return response.json["lines"]


@pytest.mark.parametrize(
    ("day", "amount", "status"),
    [
        ("25/11/26", "950.00", "suggested"),
        ("30/11/26", "950.00", "suggested"),
        ("01/12/26", "950.00", "unmatched"),
        ("10/12/26", "1,100.00", "unmatched"),
        ("11/12/26", "1,100.00", "suggested"),
    ],
    ids=[
        "early-amount-before-early-date",
        "early-amount-on-early-date",
        "early-amount-after-early-date",
        "late-amount-on-due-date",
        "late-amount-after-due-date",
    ],
)
def test_the_early_or_late_amount_is_suggested_only_on_the_days_the_bill_asks_it(
    suite_clock, client, session, api, sunil, day, amount, status
):
    [line] = upload_on(
        suite_clock, client, api, day, (day, "NEFT CR-SBIN0000123-SUNIL RAO-WATER", "SBIN326331234567", "", amount)
    )

    assert (line["status"], line["bill_id"]) == (status, sunil.id if status == "suggested" else None)


@pytest.mark.parametrize("day", ["25/11/26", "11/12/26"], ids=["early-amount-asked", "late-amount-asked"])
def test_the_amount_due_is_still_suggested_while_an_early_or_late_amount_is_asked(
    suite_clock, client, session, api, sunil, day
):
    [line] = upload_on(
        suite_clock, client, api, day, (day, "NEFT CR-SBIN0000123-SUNIL RAO-WATER", "SBIN326331234567", "", "1,000.00")
    )

    assert (line["status"], line["bill_id"]) == ("suggested", sunil.id)


def test_two_bills_asking_the_same_early_amount_are_told_apart_by_the_payer_or_left_unmatched(
    suite_clock, client, session, api, sunil
):
    leela = make_bill(
        session, api.biller, reference="WATER-2", customer=customer("Leela Iyer", "+919810000012"), **OPTIONS
    )
    # Kiran's ₹950.00 is the amount due itself: the same credit fits Kiran's bill as well as the early amounts.
    kiran = make_bill(
        session,
        api.biller,
        reference="WATER-3",
        amount=95000,
        due_date="2026-12-10",
        customer=customer("Kiran Das", "+919810000013"),
    )

    lines = upload_on(
        suite_clock,
        client,
        api,
        "26/11/26",
        ("26/11/26", "NEFT CR-SBIN0000123-LEELA IYER-WATER NOV", "SBIN326331234567", "", "950.00"),
        ("26/11/26", "UPI-S RAO-9810000011@ybl-YESB0000001-432100000021-NA", "0000432100000021", "", "950.00"),
        ("26/11/26", "UPI-KIRAN DAS-kiran@okaxis-UTIB0000001-432100000022-NA", "0000432100000022", "", "950.00"),
        ("26/11/26", "NEFT CR-HDFC0000001-SOMEONE ELSE-WATER", "N329261234567", "", "950.00"),
    )

    assert [(line["status"], line["bill_id"]) for line in lines] == [
        ("suggested", leela.id),
        ("suggested", sunil.id),  # by the mobile number in the UPI id
        ("suggested", kiran.id),
        ("unmatched", None),
    ]


def test_a_utr_claimed_for_two_bills_goes_to_the_one_whose_early_amount_was_paid(client, session, api):
    phone = "+919810000021"
    early = make_bill(session, api.biller, reference="WATER-4", customer=customer("Neha Joshi", phone), **OPTIONS)
    make_bill(
        session,
        api.biller,
        reference="WATER-5",
        amount=60000,
        due_date="2026-12-10",
        customer=customer("Neha Joshi", phone),
    )
    tell_bot(client, phone, "I already paid, UTR 432100000031")

    response = upload(
        client,
        api,
        hdfc_statement(("25/11/26", "UPI-NEHA-neha@ybl-YESB0000001-432100000031-NA", "0000432100000031", "", "950.00")),
    )

    assert response.json["lines"][0]["status"] == "matched"
    [payment] = session.exec(select(Payment)).all()
    assert (payment.bill_id, payment.amount_paise, payment.reference) == (early.id, 95000, "432100000031")


def test_the_bills_a_statements_amounts_may_fit_are_read_in_one_query(app, suite_clock, client, session, api, sunil):
    with statements_run(app) as statements:
        lines = upload_on(
            suite_clock,
            client,
            api,
            "26/11/26",
            *[
                ("26/11/26", f"NEFT CR-HDFC0000001-PAYER {n}-WATER", f"N32926123456{n}", "", amount)
                for n, amount in enumerate(["950.00", "1,000.00", "1,100.00", "377.25", "999.00", "12.00"])
            ],
        )

    assert [line["status"] for line in lines] == ["suggested", "suggested"] + ["unmatched"] * 4
    assert sum(bool(re.search(r"\bFROM bills JOIN customers\b", statement)) for statement in statements) == 1


def test_a_bill_created_after_midnight_in_india_was_not_there_on_the_credits_day(suite_clock, client, session, api):
    """01:00 IST on 26 November is still the 25th in UTC: a credit of the 25th cannot be paying a bill of the 26th."""
    suite_clock.move_to(datetime(2026, 11, 26, 1, 0, tzinfo=IST), tick=True)
    make_bill(session, api.biller, reference="GAS-9", customer=customer("Meera Das", "+919810000021"), amount=77700)

    [line] = upload_on(
        suite_clock, client, api, "26/11/26", ("25/11/26", "UPI-MEERA DAS-GAS", "SBIN326331299999", "", "777.00")
    )

    assert (line["status"], line["bill_id"]) == ("unmatched", None)
