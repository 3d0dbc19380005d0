"""Console settings in Chromium: a biller admin sets its Bharat Connect biller id, UPI purpose code and over-payment
tolerance, is told next to the field what is wrong, and the payment page then shows the Bharat Connect details."""

from __future__ import annotations

import pytest

from accounts.users import create_user
from billing.bills import current_link
from models import Biller
from models.vocab import Role
from tests.browser.axe import serious_violations
from tests.browser.conftest import screenshot, sign_in
from tests.builders import make_bill

pytestmark = pytest.mark.browser


def test_biller_admin_sets_bharat_connect_purpose_and_tolerance(browser, live_server, session, api):
    create_user(
        session=session,
        email="boss@a.example",
        password="correct horse battery",
        role=Role.BILLER_ADMIN,
        biller_id=api.biller.id,
    )
    bill = make_bill(session, api.biller, reference="ELEC-BBPS-1")
    session.commit()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, live_server, "boss@a.example")
    page.goto(f"{live_server}/console/settings")

    page.get_by_label("Bharat Connect (BBPS) biller ID").fill("ASAN0000WBL01")  # one character short
    page.get_by_label("UPI purpose code").select_option("06")
    page.get_by_label("Over-payment kept without a ticket (₹)").fill("25.50")
    page.click("button.primary:has-text('Save')")
    error = page.locator("#bbps_biller_id-error")
    assert error.inner_text().startswith("is not a Bharat Connect biller ID")
    assert page.locator("#bbps_biller_id").get_attribute("aria-invalid") == "true"
    assert serious_violations(page) == []
    screenshot(page, "console-settings-bbps-refused")
    session.expire_all()
    assert session.get(Biller, api.biller.id).upi_purpose is None  # nothing of the refused form was kept

    page.get_by_label("Bharat Connect (BBPS) biller ID").fill("ASAN00000WBL01")
    page.get_by_label("UPI purpose code").select_option("06")
    page.get_by_label("Over-payment kept without a ticket (₹)").fill("25.50")
    page.click("button.primary:has-text('Save')")
    assert page.locator(".flash", has_text="Settings saved.").is_visible()
    assert page.get_by_label("Bharat Connect (BBPS) biller ID").input_value() == "ASAN00000WBL01"
    assert page.get_by_label("UPI purpose code").input_value() == "06"
    assert page.get_by_label("Over-payment kept without a ticket (₹)").input_value() == "25.50"
    assert serious_violations(page) == []
    screenshot(page, "console-settings-bbps-saved")
    session.expire_all()
    saved = session.get(Biller, api.biller.id)
    assert (saved.bbps_biller_id, saved.upi_purpose, saved.overpayment_tolerance_paise) == (
        "ASAN00000WBL01",
        "06",
        2550,
    )

    page.goto(f"{live_server}/p/{current_link(session=session, bill_id=bill.id).token}")
    assert page.locator("#bbps").inner_text().count("ASAN00000WBL01") == 1
    context.close()
