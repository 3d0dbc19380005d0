"""GET /p/<token> and the hand-off to UPI apps, through the Flask test client."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlalchemy import JSON, text, update
from sqlmodel import select

from billing.bills import current_link
from models import Bill, Biller, Customer, LinkEvent, PaymentLink
from models.billers import DEFAULT_PAYMENT_APPS
from models.db import utcnow
from tests.builders import make_bill

ANDROID = {"User-Agent": "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 Chrome/120 Mobile Safari/537.36"}
IPHONE = {"User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"}
DESKTOP = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120 Safari/537.36"}


@pytest.fixture
def bill(session, api):
    return make_bill(session, api.biller, reference="ELEC-1001", amount=124550)


def token_of(session, bill) -> str:
    return current_link(session=session, bill_id=bill.id).token


def test_page_shows_the_bill_with_indian_grouping_and_masking(client, session, bill):
    response = client.get(f"/p/{token_of(session, bill)}", headers=ANDROID)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "₹1,245.50" in html
    assert "ELEC-1001" in html
    assert "As•• Ve•••" in html and "Asha Verma" not in html
    assert "Asansol Power" in html and "Verified biller" in html


def test_large_amounts_use_lakh_grouping(client, session, api):
    bill = make_bill(session, api.biller, amount=12455000)
    assert "₹1,24,550.00" in client.get(f"/p/{token_of(session, bill)}").get_data(as_text=True)


def test_opening_the_link_is_counted(client, session, bill):
    token = token_of(session, bill)
    client.get(f"/p/{token}")
    client.get(f"/p/{token}")
    session.expire_all()
    link = session.exec(select(PaymentLink).where(PaymentLink.token == token)).one()
    assert link.open_count == 2
    assert len(session.exec(select(LinkEvent).where(LinkEvent.kind == "opened")).all()) == 2


def test_unknown_token_is_a_404_that_reveals_nothing(client, bill):
    response = client.get("/p/AAAAAAAAAAAA")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "Link not found" in html
    assert "Asansol" not in html and "ELEC" not in html


def test_repeated_misses_from_one_client_get_429(client, session, bill):
    statuses = [client.get(f"/p/GUESS{n:07d}").status_code for n in range(25)]
    assert statuses[:20] == [404] * 20
    assert set(statuses[20:]) == {429}


def test_real_links_are_not_slowed_by_the_miss_limit(client, session, bill):
    token = token_of(session, bill)
    assert all(client.get(f"/p/{token}").status_code == 200 for _ in range(30))


def test_customer_data_with_markup_is_escaped(client, session, api):
    bill = make_bill(session, api.biller, period='<script>alert("x")</script>')
    customer = session.get(Customer, bill.customer_id)
    customer.name = "<img src=x onerror=alert(1)>"
    session.commit()
    html = client.get(f"/p/{token_of(session, bill)}").get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html


def test_security_headers_keep_the_token_from_leaking(client, session, bill):
    response = client.get(f"/p/{token_of(session, bill)}")
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


def _pay(client, token, *, headers=ANDROID, **params):
    return client.get(f"/p/{token}/pay", query_string=params, headers=headers)


def test_any_app_on_android_redirects_to_the_generic_upi_link(client, session, bill):
    response = _pay(client, token_of(session, bill), app="any", platform="android")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("upi://pay?")
    query = dict(parse_qsl(urlsplit(location).query))
    assert (query["pa"], query["am"], query["cu"]) == ("testpower@icici", "1245.50", "INR")
    assert "mam" not in query
    event = session.exec(select(LinkEvent).where(LinkEvent.kind == "app_chosen")).one()
    assert event.transaction_reference == query["tr"]
    assert (event.app, event.platform, event.amount_paise) == ("any", "android", 124550)


def test_choosing_an_app_records_it_and_puts_it_first_next_time(client, session, bill):
    token = token_of(session, bill)
    response = _pay(client, token, app="phonepe", headers=IPHONE)

    assert response.status_code == 302
    assert response.headers["Location"].startswith("phonepe://pay?pa=testpower%40icici&")
    session.expire_all()
    assert session.get(Customer, bill.customer_id).preferred_app == "phonepe"
    html = client.get(f"/p/{token}", headers=IPHONE).get_data(as_text=True)
    assert html.index('data-app="phonepe"') < html.index('data-app="gpay"')


def test_android_app_button_opens_that_package(client, session, bill):
    location = _pay(client, token_of(session, bill), app="gpay", headers=ANDROID).headers["Location"]
    assert location.startswith("intent://pay?")
    assert location.endswith(";package=com.google.android.apps.nbu.paisa.user;end")


def test_each_attempt_gets_its_own_transaction_reference(client, session, bill):
    token = token_of(session, bill)
    first = _pay(client, token, app="any").headers["Location"]
    second = _pay(client, token, app="any").headers["Location"]
    assert dict(parse_qsl(urlsplit(first).query))["tr"] != dict(parse_qsl(urlsplit(second).query))["tr"]


def test_an_app_the_biller_does_not_accept_is_refused(client, session, bill, api):
    api.biller.payment_apps = ["gpay"]
    session.add(api.biller)
    session.commit()
    response = _pay(client, token_of(session, bill), app="paytm")
    assert response.status_code == 422
    assert "Choose one of the apps below." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "stored",
    [JSON.NULL, "gpay", 7, {"gpay": True}, [1, {"id": "gpay"}], ["no-such-app"], []],
    ids=["json-null", "string", "number", "object", "non-strings", "unknown-ids", "empty"],
)
def test_a_biller_whose_stored_payment_apps_are_not_a_list_of_apps_gets_the_default_apps(client, session, bill, stored):
    session.execute(update(Biller).where(Biller.id == bill.biller_id).values(payment_apps=stored))
    session.commit()
    session.expire_all()
    assert session.get(Biller, bill.biller_id).payment_apps == (None if stored is JSON.NULL else stored)
    token = token_of(session, bill)

    response = client.get(f"/p/{token}", headers=ANDROID)

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert [app for app in DEFAULT_PAYMENT_APPS if f'data-app="{app}"' in html] == DEFAULT_PAYMENT_APPS
    location = _pay(client, token, app="phonepe", headers=IPHONE).headers["Location"]
    assert location.startswith("phonepe://pay?")


def test_exact_amount_cannot_be_changed_by_the_customer(client, session, bill):
    location = _pay(client, token_of(session, bill), app="any", amount="1.00").headers["Location"]
    assert dict(parse_qsl(urlsplit(location).query))["am"] == "1245.50"


@pytest.mark.parametrize(
    ("rule", "typed", "accepted"),
    [
        ({"amount_exactness": "EXACT_AND_ABOVE"}, "1300", True),
        ({"amount_exactness": "EXACT_AND_ABOVE"}, "1000", False),
        ({"amount_exactness": "EXACT_AND_BELOW"}, "500.25", True),
        ({"amount_exactness": "EXACT_AND_BELOW"}, "1245.51", False),
        ({"amount_exactness": "ANY"}, "0.01", False),  # below the ₹1 floor of a part payment
        ({"amount_exactness": "ANY"}, "1.00", True),
        ({"amount_exactness": "EXACT_AND_BELOW"}, "0.99", False),
        ({"amount_exactness": "EXACT_AND_BELOW", "min_partial_amount": 50000}, "499.99", False),
        ({"amount_exactness": "EXACT_AND_BELOW", "min_partial_amount": 50000}, "500", True),
        ({"amount_exactness": "RANGE", "min_amount": 100000, "max_amount": 200000}, "1500", True),  # above amount
        ({"amount_exactness": "RANGE", "min_amount": 100000, "max_amount": 200000}, "2000.01", False),
        ({"amount_exactness": "ANY"}, "0", False),
        ({"amount_exactness": "RANGE", "min_amount": 100000, "max_amount": 130000}, "1000", True),
        ({"amount_exactness": "RANGE", "min_amount": 100000, "max_amount": 130000}, "999.99", False),
        ({"amount_exactness": "ANY"}, "12.345", False),
        ({"amount_exactness": "ANY"}, "abc", False),
    ],
)
def test_editable_amounts_are_checked_on_the_server(client, session, api, rule, typed, accepted):
    bill = make_bill(session, api.biller, amount=124550, **rule)
    response = _pay(client, token_of(session, bill), app="any", amount=typed)
    if accepted:
        assert response.status_code == 302
        query = dict(parse_qsl(urlsplit(response.headers["Location"]).query))
        assert query["am"] == f"{float(typed.replace(',', '')):.2f}"
        assert "mam" in query
    else:
        assert response.status_code == 422
        assert 'role="alert"' in response.get_data(as_text=True)
        assert session.exec(select(LinkEvent).where(LinkEvent.kind == "app_chosen")).first() is None


def test_desktop_gets_a_qr_code_of_the_upi_link(client, session, bill):
    token = token_of(session, bill)
    html = client.get(f"/p/{token}", headers=DESKTOP).get_data(as_text=True)
    assert f"/p/{token}/qr.svg" in html
    svg = client.get(f"/p/{token}/qr.svg")
    assert svg.status_code == 200
    assert svg.mimetype == "image/svg+xml"
    assert svg.get_data(as_text=True).lstrip().startswith("<?xml")
    assert client.get(f"/p/{token}/qr.svg").get_data() == svg.get_data()  # the same code, the same `tr`
    assert session.exec(select(LinkEvent).where(LinkEvent.kind == "app_chosen")).all() == []
    shown = session.exec(select(LinkEvent).where(LinkEvent.kind == "qr_shown")).one()
    assert shown.transaction_reference.startswith("CQ") and shown.amount_paise == 124550
    opens = session.exec(select(LinkEvent).where(LinkEvent.kind == "opened")).all()
    assert len(opens) == 1  # the page, not its QR image


def test_ios_gets_the_app_list_without_a_generic_button(client, session, bill):
    html = client.get(f"/p/{token_of(session, bill)}", headers=IPHONE).get_data(as_text=True)
    assert "Pay with any UPI app" not in html
    assert html.count('data-app="') == 5  # RBL MoBank and ICICI iMobile have no known iOS payment scheme
    assert 'data-app="rbl_mobank"' not in html and 'data-app="icici_imobile"' not in html


def test_android_offers_every_enabled_app(client, session, bill):
    html = client.get(f"/p/{token_of(session, bill)}", headers=ANDROID).get_data(as_text=True)
    assert html.count('data-app="') == 7


def _settle(session, bill, status):
    bill.status = status
    session.add(bill)
    session.commit()


@pytest.mark.parametrize(("status", "message"), [("cancelled", "was cancelled"), ("expired", "has expired")])
def test_closed_bills_have_no_pay_buttons(client, session, bill, status, message):
    _settle(session, bill, status)
    token = token_of(session, bill)
    html = client.get(f"/p/{token}").get_data(as_text=True)
    assert message in html
    assert "data-app=" not in html
    assert _pay(client, token, app="any").status_code == 422


def test_an_expired_link_takes_no_payment(client, session, bill):
    link = current_link(session=session, bill_id=bill.id)
    link.expires_at = utcnow() - timedelta(minutes=1)
    session.commit()
    html = client.get(f"/p/{link.token}").get_data(as_text=True)
    assert "has expired" in html and "data-app=" not in html


def test_sandbox_payment_goes_through_and_shows_a_receipt(client, session, bill):
    token = token_of(session, bill)
    page = client.get(f"/p/{token}").get_data(as_text=True)
    csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    response = client.post(f"/p/{token}/simulate", data={"csrf_token": csrf})
    assert response.status_code == 303
    html = client.get(f"/p/{token}").get_data(as_text=True)
    assert "Paid — thank you" in html and "SANDBOX" in html
    assert "data-app=" not in html
    session.expire_all()
    assert session.get(Bill, bill.id).status == "paid"


def test_sandbox_form_without_csrf_token_is_refused(client, session, bill):
    response = client.post(f"/p/{token_of(session, bill)}/simulate")
    assert response.status_code == 400
    session.expire_all()
    assert session.get(Bill, bill.id).status == "open"


@pytest.mark.parametrize(
    ("customer_language", "headers", "query", "page_language", "heading"),
    [
        ("hi", {}, "", "hi", "आपका बिल"),
        ("bn", {}, "", "bn", "আপনার বিল"),
        ("en", {"Accept-Language": "hi-IN,hi;q=0.9"}, "", "en", "Your bill"),
        ("en", {}, "?lang=bn", "bn", "আপনার বিল"),
        ("hi", {}, "?lang=en", "en", "Your bill"),
    ],
)
def test_page_language_follows_choice_then_customer_then_browser(
    client, session, api, customer_language, headers, query, page_language, heading
):
    customer = {"reference": "CA-LANG", "name": "Ravi", "language": customer_language}
    bill = make_bill(session, api.biller, customer=customer)
    html = client.get(f"/p/{token_of(session, bill)}{query}", headers=headers).get_data(as_text=True)
    assert heading in html
    assert f'<html lang="{page_language}">' in html


def test_browser_language_is_used_when_the_customer_has_none(client, session, api):
    bill = make_bill(session, api.biller)
    customer = session.get(Customer, bill.customer_id)
    customer.language = ""
    session.commit()
    html = client.get(f"/p/{token_of(session, bill)}", headers={"Accept-Language": "bn"}).get_data(as_text=True)
    assert "আপনার বিল" in html


def test_early_amount_is_offered_before_its_date(client, session, api):
    early_date = date.today() + timedelta(days=2)
    bill = make_bill(
        session, api.biller, amount=100000, early_payment_amount=95000, early_payment_date=early_date.isoformat()
    )
    html = client.get(f"/p/{token_of(session, bill)}").get_data(as_text=True)
    assert 'id="amount-due">₹950.00' in html


def test_telegram_deep_link_connects_the_customer(app, client, session, bill):
    app.extensions["settings"] = app.extensions["settings"].model_copy(update={"telegram_bot_username": "@cp_bot"})
    html = client.get(f"/p/{token_of(session, bill)}").get_data(as_text=True)
    session.expire_all()
    payload = session.get(Customer, bill.customer_id).telegram_link_token
    assert payload and f"https://t.me/cp_bot?start={payload}" in html
    again = client.get(f"/p/{token_of(session, bill)}").get_data(as_text=True)
    assert f"start={payload}" in again  # stable across visits


def test_no_telegram_link_without_a_bot(client, session, bill):
    assert "t.me/" not in client.get(f"/p/{token_of(session, bill)}").get_data(as_text=True)


def test_a_view_survives_the_database_dropping_its_connections(client, session, bill):
    """The page's reads take no liveness ping per view: a dropped connection fails its read, which runs again."""
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("PostgreSQL drops connections (a restart, a failover); a SQLite file has none to drop")
    token = token_of(session, bill)
    assert client.get(f"/p/{token}").status_code == 200
    session.execute(
        text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    )
    response = client.get(f"/p/{token}")
    assert response.status_code == 200 and "ELEC-1001" in response.get_data(as_text=True)
