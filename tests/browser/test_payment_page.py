"""The payment page in a real browser, on Android, iPhone and desktop."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qsl, urlsplit

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from billing.bills import current_link
from models import Customer, LinkEvent
from tests.browser.conftest import screenshot
from tests.builders import make_bill

pytestmark = pytest.mark.browser

EXPECTED_PREFIX = {"Pixel 5": "intent://pay?", "iPhone 13": "tez://upi/pay?", "Desktop Chrome": "upi://pay?"}
# RBL MoBank and ICICI iMobile have no known iOS payment scheme, so iPhones are offered the other five.
# Desktop gets "scan with your phone" around the QR code instead of app buttons that would do nothing.
APPS_OFFERED = {"Pixel 5": 7, "iPhone 13": 5, "Desktop Chrome": 0}


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
    if device.device_name == "Desktop Chrome":
        assert page.locator("#scan-with-phone").is_visible() and page.locator("#vpa").input_value() == "testpower@icici"
        return
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
    assert has_qr is (device.device_name != "Pixel 5")  # iPhones get one to scan from the gallery
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


def test_no_listed_app_is_never_a_dead_end(device, live_server, session, api):
    """QR, UPI ID with a copy button and the Bharat Connect biller id, on every device; open by default off Android."""
    api.biller.bbps_biller_id = "ASAN00000WBL01"
    session.add(api.biller)
    session.commit()
    due = date(2026, 11, 20)  # five days before the suite's today
    bill = make_bill(session, api.biller, reference="ELEC-OVERDUE", due_date=due.isoformat())
    page = device.new_page()
    page.goto(f"{live_server}/p/{current_link(session=session, bill_id=bill.id).token}")
    assert page.locator("#status").inner_text() == "Overdue by 5 days"
    if device.device_name == "Pixel 5":
        page.locator("#other-ways summary").click()
    assert page.locator("#vpa").is_visible()
    assert page.locator("#bbps").inner_text().count("ASAN00000WBL01") == 1
    assert bill.customer_id and page.locator("#copy-vpa").is_visible()
    qr = page.locator(".qr img")
    assert qr.count() == (0 if device.device_name == "Pixel 5" else 1)
    if qr.count():
        assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.locator("#copy-vpa").click()
    expect(page.locator("#copy-vpa")).to_have_text("✓")  # waits: the clipboard answers asynchronously
    screenshot(page, f"pay-other-ways-{device.device_name.replace(' ', '-').lower()}")
    assert session.exec(select(LinkEvent).where(LinkEvent.kind == "app_chosen")).all() == []


def test_paid_page_links_a_receipt_in_the_customers_language(browser, live_server, session, api):
    bill = make_bill(session, api.biller, customer={"reference": "CA-BN-7", "name": "শ্রী দত্ত", "language": "bn"})
    context = browser.new_context(**browser.devices["Pixel 5"])
    page = context.new_page()
    page.goto(f"{live_server}/p/{current_link(session=session, bill_id=bill.id).token}")
    page.locator("#simulate").click()
    assert page.locator("#balance").inner_text() == "₹0.00"
    assert page.locator("#receipt-number").inner_text().startswith("RCPT-")
    screenshot(page, "pay-paid-bengali")
    page.locator("#receipt-link").click()
    assert page.locator("html").get_attribute("lang") == "bn"
    assert page.locator("#receipt-title").inner_text().startswith("রসিদ")
    screenshot(page, "pay-receipt-bengali")
    with page.expect_download() as download:
        page.get_by_text("রসিদ ডাউনলোড করুন (PDF)").click()
    assert download.value.suggested_filename.endswith(".pdf")
    context.close()


# A low-end Android phone: 360 CSS pixels wide, a short screen, and the Noto fonts Android ships for Indian scripts.
LOW_END_ANDROID = {
    "viewport": {"width": 360, "height": 640},
    "device_scale_factor": 1.5,
    "is_mobile": True,
    "has_touch": True,
    "user_agent": "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 Chrome/120 Mobile Safari/537.36",
}
SCRIPT_FONT = {"hi": "Noto Sans Devanagari", "bn": "Noto Sans Bengali"}


def rendered_fonts(context, page, selector: str) -> set[str]:
    """The fonts Chromium really drew the element with (DevTools' CSS.getPlatformFontsForNode)."""
    devtools = context.new_cdp_session(page)
    devtools.send("DOM.enable")
    devtools.send("CSS.enable")
    root = devtools.send("DOM.getDocument")["root"]["nodeId"]
    node = devtools.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = devtools.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    return {font["familyName"] for font in fonts}


@pytest.mark.parametrize(
    ("language", "name"), [("hi", "श्रीमती क्षमा राजलक्ष्मी वर्मा"), ("bn", "শ্রীমতী ক্ষমা রাজলক্ষ্মী বন্দ্যোপাধ্যায়")]
)
def test_a_hindi_or_bengali_page_fits_a_low_end_phone(browser, live_server, session, api, language, name):
    """In the customer's script, with a long name and a long bill period: nothing wider than the screen, and the
    amount and the first app button on the first screen. Measured with the real fonts (Debian's fonts-noto-core,
    installed by .ci/run): a missing font would draw boxes of another width and the test would measure nothing."""
    customer = {"reference": f"CA-LOW-{language}", "name": name, "language": language}
    bill = make_bill(session, api.biller, customer=customer, period="अप्रैल–जून 2026 / এপ্রিল–জুন ২০২৬")
    context = browser.new_context(**LOW_END_ANDROID)
    page = context.new_page()
    page.goto(f"{live_server}/p/{current_link(session=session, bill_id=bill.id).token}")
    screenshot(page, f"pay-low-end-android-{language}")
    assert SCRIPT_FONT[language] in rendered_fonts(context, page, "h2"), (  # "Your bill"
        f"{SCRIPT_FONT[language]} is not installed: apt-get install fonts-noto-core (.ci/run does)"
    )
    assert page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth") <= 0
    too_wide = page.evaluate(
        "() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > innerWidth + 0.5)"
        ".map(e => e.tagName + '#' + e.id + '.' + e.className)"
    )
    assert too_wide == []
    for selector in ("#amount-due", "[data-app]"):
        box = page.locator(selector).first.bounding_box()
        assert box is not None and box["y"] + box["height"] <= 640, f"{selector} is below the first screen"
    context.close()
