"""The customer's payment page passes axe-core with nothing serious or critical, on a phone and a computer."""

from __future__ import annotations

import pytest

from billing.bills import current_link
from tests.browser.axe import serious_violations
from tests.builders import make_bill

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    "size", [{"width": 390, "height": 844}, {"width": 1280, "height": 900}], ids=["phone", "desktop"]
)
def test_payment_page_has_no_serious_accessibility_problem(browser, live_server, session, api, size):
    bill = make_bill(session, api.biller, reference="ELEC-AXE", amount=12455000)
    context = browser.new_context(viewport=size)
    page = context.new_page()
    page.goto(f"{live_server}/p/{current_link(session=session, bill_id=bill.id).token}")
    assert serious_violations(page) == []
    context.close()
