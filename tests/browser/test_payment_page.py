"""The payment page in a real browser, on Android, iPhone and desktop."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlmodel import select

from billing.bills import current_link
from models import Customer, LinkEvent
from tests.browser.conftest import screenshot
from tests.builders import make_bill

pytestmark = pytest.mark.browser

EXPECTED_PREFIX = {"Pixel 5": "intent://pay?", "iPhone 13": "tez://upi/pay?", "Desktop Chrome": "upi://pay?"}
# RBL MoBank and ICICI iMobile have no known iOS payment scheme, so iPhones are offered the other five.
APPS_OFFERED = {"Pixel 5": 7, "iPhone 13": 5, "Desktop Chrome": 7}


def app_redirect(page, link) -> str:
    """Click an app link and return where our server redirected the browser (the app's own scheme)."""
    with page.expect_response(lambda response: "/pay?" in response.url and response.status == 302) as info:
        link.click(no_wait_after=True)
    return info.value.headers["location"]


def test_customer_reviews_the_bill_and_is_handed_to_their_app(device, live_server, session, api):
    bill = make_bill(session, api.biller, reference="ELEC-9001", amount=12455000)
    token = current_link(session=session, bill_id=bill.id).token
    page = device.new_page()
    page.goto(f"{live_server}/p/{token}")
    screenshot(page, f"pay-{device.device_name.replace(' ', '-').lower()}")

    assert page.locator("#amount-due").inner_text() == "₹1,24,550.00"
    assert page.locator("html").get_attribute("lang") == "en"
    apps = page.locator("[data-app]")
    assert apps.count() == APPS_OFFERED[device.device_name]
    location = app_redirect(page, page.locator('[data-app="gpay"]'))

    assert location.startswith(EXPECTED_PREFIX[device.device_name])
    query = dict(parse_qsl(urlsplit(location.split("#", 1)[0]).query))
    assert (query["pa"], query["pn"], query["am"], query["cu"], query["mc"]) == (
        "testpower@icici",
        "Asansol Power",
        "124550.00",
        "INR",
        "4900",
    )
    assert query["tn"] == "Bill ELEC-9001"
    event = session.exec(select(LinkEvent).where(LinkEvent.transaction_reference == query["tr"])).one()
    assert event.app == "gpay"
    session.expire_all()
    assert session.get(Customer, bill.customer_id).preferred_app == "gpay"


def test_android_offers_the_system_chooser_and_desktop_a_qr(device, live_server, session, api):
    bill = make_bill(session, api.biller)
    page = device.new_page()
    page.goto(f"{live_server}/p/{current_link(session=session, bill_id=bill.id).token}")
    has_any = page.locator("#pay-any").count() == 1
    has_qr = page.locator(".qr img").count() == 1
    assert has_any is (device.device_name == "Pixel 5")
    assert has_qr is (device.device_name == "Desktop Chrome")
    if has_qr:
        assert page.locator(".qr img").evaluate("img => img.complete && img.naturalWidth > 0")


def test_editable_amount_is_checked_in_the_browser_round_trip(browser, live_server, session, api):
    bill = make_bill(session, api.biller, amount=100000, amount_exactness="RANGE", min_amount=50000, max_amount=100000)
    context = browser.new_context(**browser.devices["Pixel 5"])
    page = context.new_page()
    page.goto(f"{live_server}/p/{current_link(session=session, bill_id=bill.id).token}")

    page.fill("#amount", "100.00")
    page.locator('button[data-app="phonepe"]').click()
    assert page.locator("#error").is_visible()
    assert "₹500.00" in page.locator("#error").inner_text()
    screenshot(page, "pay-amount-refused")

    page.fill("#amount", "600.50")
    location = app_redirect(page, page.locator('button[data-app="phonepe"]'))
    query = dict(parse_qsl(urlsplit(location.split("#", 1)[0]).query))
    assert (query["am"], query["mam"]) == ("600.50", "500.00")
    context.close()


def test_markup_in_bill_fields_is_shown_as_text(browser, live_server, session, api):
    bill = make_bill(session, api.biller, period="<script>window.pwned=1</script>\"'")
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server}/p/{current_link(session=session, bill_id=bill.id).token}")
    assert page.evaluate("window.pwned") is None
    assert "<script>window.pwned=1</script>\"'" in page.locator(".bill dl").inner_text()
    context.close()


def test_hindi_customer_sees_hindi_and_can_switch_to_english(browser, live_server, session, api):
    bill = make_bill(session, api.biller, customer={"reference": "CA-HI", "name": "रवि कुमार", "language": "hi"})
    context = browser.new_context(**browser.devices["Pixel 5"])
    page = context.new_page()
    page.goto(f"{live_server}/p/{current_link(session=session, bill_id=bill.id).token}")
    assert page.locator("html").get_attribute("lang") == "hi"
    assert page.locator("#bill-heading").inner_text() == "आपका बिल"
    screenshot(page, "pay-hindi")
    page.locator('footer a[lang="en"]').click()
    assert page.locator("#bill-heading").inner_text() == "Your bill"
    context.close()


def test_sandbox_payment_shows_the_receipt(browser, live_server, session, api):
    bill = make_bill(session, api.biller)
    context = browser.new_context(**browser.devices["Pixel 5"])
    page = context.new_page()
    page.goto(f"{live_server}/p/{current_link(session=session, bill_id=bill.id).token}")
    page.locator("#simulate").click()
    assert page.locator("#receipt-heading").is_visible()
    assert page.locator("#payment-reference").inner_text().startswith("SANDBOX")
    assert page.locator("[data-app]").count() == 0
    screenshot(page, "pay-receipt")
    context.close()


def test_keyboard_users_reach_every_app_in_order(browser, live_server, session, api):
    bill = make_bill(session, api.biller)
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server}/p/{current_link(session=session, bill_id=bill.id).token}?platform=android")
    focused = []
    for _ in range(9):
        page.keyboard.press("Tab")
        focused.append(page.evaluate("document.activeElement.dataset.app || document.activeElement.id"))
    assert focused[:8] == ["pay-any", "gpay", "phonepe", "paytm", "bhim", "mobikwik", "rbl_mobank", "icici_imobile"]
    context.close()
