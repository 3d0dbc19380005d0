"""The simulator's whole loop in a browser: ask the bot, open the link, pay in the sandbox, see the receipt."""

from __future__ import annotations

import pytest

from accounts.users import create_user
from models.vocab import Role
from tests.browser.conftest import screenshot, sign_in
from tests.builders import make_bill

pytestmark = pytest.mark.browser


def test_reminder_to_receipt_in_the_simulator(browser, live_server, session, api):
    create_user(
        session=session,
        email="desk@a.example",
        password="correct horse battery",
        role=Role.SUPPORT,
        biller_id=api.biller.id,
    )
    bill = make_bill(
        session,
        api.biller,
        customer={"reference": "S-2", "name": "Asha Verma", "phone": "+919810000077", "language": "en"},
    )
    context = browser.new_context(**browser.devices["Pixel 5"])
    page = context.new_page()
    sign_in(page, live_server, "desk@a.example")
    page.goto(f"{live_server}/console/simulator?customer={bill.customer_id}&channel=whatsapp")
    page.fill("#text", "pay")
    page.click("#say")
    assert "₹1,245.50" in page.locator("#chat").inner_text()

    link = page.locator("#chat a[href*='/p/']").last.get_attribute("href")
    payment = context.new_page()  # the link names the public domain; the live server stands in for it
    payment.goto(live_server + link[link.index("/p/") :])
    payment.click("#simulate")
    assert payment.locator("#receipt-heading").is_visible()

    page.reload()
    chat = page.locator("#chat").inner_text()
    assert "Thank you, Asha Verma. We received ₹1,245.50" in chat
    screenshot(page, "console-simulator")
    context.close()
