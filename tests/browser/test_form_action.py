"""CSP form-action 'self' must not stop the payment page's form from handing the customer to their UPI app."""

from __future__ import annotations

import pytest

from billing.bills import current_link
from tests.builders import make_bill

pytestmark = pytest.mark.browser


def test_the_pay_form_redirects_into_the_app_without_a_csp_violation(browser, live_server, session, api):
    bill = make_bill(session, api.biller, amount=100000, amount_exactness="RANGE", min_amount=50000, max_amount=100000)
    context = browser.new_context(**browser.devices["Pixel 5"])
    page = context.new_page()
    violations = []
    page.on("console", lambda message: violations.append(message.text) if "form-action" in message.text else None)
    page.goto(f"{live_server}/p/{current_link(session=session, bill_id=bill.id).token}")
    page.fill("#amount", "600.50")
    with page.expect_response(lambda response: "/pay?" in response.url and response.status == 302) as info:
        page.locator('button[data-app="phonepe"]').click(no_wait_after=True)
    assert info.value.headers["location"].startswith("intent://pay?")
    page.wait_for_timeout(500)  # let the browser act on the redirect (and report any violation)
    context.close()
    assert violations == []
