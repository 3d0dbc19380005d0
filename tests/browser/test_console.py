"""The console in a real browser: sign in, upload a CSV with errors, preview a cadence."""

from __future__ import annotations

import pytest

from accounts.users import create_user
from models.vocab import Role
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def test_biller_admin_uploads_a_csv_and_previews_a_cadence(browser, live_server, session, api, tmp_path):
    create_user(
        session=session,
        email="boss@a.example",
        password="correct horse battery",
        role=Role.BILLER_ADMIN,
        biller_id=api.biller.id,
    )
    session.commit()
    csv_file = tmp_path / "bills.csv"
    csv_file.write_text(
        "reference,customer_reference,customer_name,amount,due_date\n"
        "E-1,CA-1,Asha,10000,2026-12-10\nE-2,CA-2,Ravi,-5,2026-12-10\n"
    )
    context = browser.new_context(**browser.devices["Pixel 5"])
    page = context.new_page()
    page.goto(f"{live_server}/console/login")
    page.fill("#email", "boss@a.example")
    page.fill("#password", "correct horse battery")
    page.click("button.primary")
    page.click("text=Upload")
    page.set_input_files("#file", str(csv_file))
    page.click("button.primary")
    assert "line 3" in page.locator("#report").inner_text()
    screenshot(page, "console-upload-report")

    page.click("text=Cadences")
    page.fill("#name", "soft")
    page.fill("#step-0-offset", "0")
    page.fill("#step-0-channels", "sms")
    page.fill("#sample_due_date", "2026-12-10")
    page.click("button[value=no]")
    assert "Thu 10 Dec 2026 10:00" in page.locator("#preview").inner_text()
    screenshot(page, "console-cadence-preview")
    context.close()
