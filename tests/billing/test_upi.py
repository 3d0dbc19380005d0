"""UPI links follow NPCI's linking spec as summarised in DESIGN.md §2."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from billing.apps import catalogue
from billing.upi import (
    android_intent,
    encode,
    ios_link,
    new_transaction_reference,
    payment_parameters,
    rupees,
    upi_link,
    vpa_looks_personal,
)
from models import Bill, Biller


@pytest.fixture
def biller():
    return Biller(
        name="Asansol Power & Light",
        upi_vpa="asansol.power@icici",
        payee_name="Asansol Power",
        merchant_category_code="4900",
    )


@pytest.fixture
def bill():
    return Bill(
        reference="ELEC 2026/1001 for the month of October, Ward 7 North",
        due_date=None,
        amount_paise=124550,
        amount_due_paise=124550,
        biller_id=1,
        customer_id=1,
    )


def params_for(biller, bill, *, minimum=None):
    return payment_parameters(
        biller=biller,
        bill=bill,
        transaction_reference="CPABC123",
        amount_paise=124550,
        minimum_paise=minimum,
        url="https://pay.example/p/tok",
    )


@pytest.mark.parametrize(("paise", "text"), [(124550, "1245.50"), (1, "0.01"), (100, "1.00"), (10**10, "100000000.00")])
def test_amount_is_rupees_with_two_decimals(paise, text):
    assert rupees(paise) == text


def test_generic_link_carries_every_parameter(biller, bill):
    link = upi_link(params_for(biller, bill))
    parts = urlsplit(link)
    query = dict(parse_qsl(parts.query))
    assert (parts.scheme, parts.netloc) == ("upi", "pay")
    assert query == {
        "pa": "asansol.power@icici",
        "pn": "Asansol Power",
        "mc": "4900",
        "tr": "CPABC123",
        "tn": "Bill ELEC 2026/1001 for the month of October, Ward",
        "am": "1245.50",
        "cu": "INR",
        "url": "https://pay.example/p/tok",
        "mode": "04",
    }
    assert len(query["tn"]) <= 50


def test_spaces_are_percent_20_never_plus(biller, bill):
    link = upi_link(params_for(biller, bill))
    assert "+" not in link
    assert "pn=Asansol%20Power" in link


def test_mam_appears_only_for_editable_amounts(biller, bill):
    assert "mam" not in dict(params_for(biller, bill))
    assert dict(params_for(biller, bill, minimum=100))["mam"] == "1.00"


def test_ios_scheme_encodes_the_at_sign(biller, bill):
    link = ios_link(params_for(biller, bill), catalogue()["phonepe"])
    assert link.startswith("phonepe://pay?pa=asansol.power%40icici&")


def test_google_pay_on_ios_opens_its_tez_scheme(biller, bill):
    assert ios_link(params_for(biller, bill), catalogue()["gpay"]).startswith("tez://upi/pay?pa=")


def test_apps_without_a_known_ios_payment_scheme_are_android_only():
    android_only = {app.id for app in catalogue().values() if not app.offered_on("ios")}
    assert android_only == {"rbl_mobank", "icici_imobile"}
    assert all(app.offered_on("android") for app in catalogue().values())


def test_android_intent_targets_the_package(biller, bill):
    link = android_intent(params_for(biller, bill), catalogue()["gpay"])
    assert link.startswith("intent://pay?pa=asansol.power@icici&")
    assert link.endswith("#Intent;scheme=upi;package=com.google.android.apps.nbu.paisa.user;end")


def test_special_characters_in_names_are_encoded():
    assert encode([("pn", "A&B=C #1")]) == "pn=A%26B%3DC%20%231"


def test_transaction_references_are_alphanumeric_and_unique():
    references = {new_transaction_reference() for _ in range(2000)}
    assert len(references) == 2000
    assert all(ref.isalnum() and len(ref) <= 35 for ref in references)


def test_intents_carry_the_mode_and_the_billers_purpose_code(biller, bill):
    assert dict(params_for(biller, bill))["mode"] == "04"
    assert "purpose" not in dict(params_for(biller, bill))
    biller.upi_purpose = "06"
    assert dict(params_for(biller, bill))["purpose"] == "06"
    assert "sign" not in dict(params_for(biller, bill)) and "orgid" not in dict(params_for(biller, bill))


@pytest.mark.parametrize(
    ("vpa", "personal"),
    [
        ("9810000001@ybl", True),
        ("asha.verma@okaxis", True),
        ("someone@paytm", True),
        ("paytmqr2810050501011abcd@paytm", False),
        ("Q123456789@ybl", False),
        ("asansol.power@icici", False),
        ("asansolpower.rzp@hdfcbank", False),
    ],
)
def test_personal_looking_vpas_are_recognised(vpa, personal):
    assert vpa_looks_personal(vpa) is personal
