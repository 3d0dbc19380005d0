"""Regressions from trying the console as a new biller admin would (issue #15): the template editor showed the
due-today wording whatever message was chosen; the simulator said "failed (notify)" with no reason."""

from __future__ import annotations

from datetime import timedelta

import pytest

from accounts.users import create_user
from models import Bill
from models.db import utcnow
from models.vocab import Role
from tests.browser.conftest import screenshot, sign_in
from tests.builders import make_bill

pytestmark = pytest.mark.browser


@pytest.fixture
def boss(session, api):
    create_user(
        session=session,
        email="boss@a.example",
        password="correct horse battery",
        role=Role.BILLER_ADMIN,
        biller_id=api.biller.id,
    )
    session.commit()


def test_template_editor_loads_the_wording_of_the_message_chosen(browser, live_server, boss):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, live_server, "boss@a.example")
    page.goto(f"{live_server}/console/templates")
    page.select_option("#choose-key", "reminder_overdue")
    page.select_option("#choose-channel", "sms")
    page.click("#choose-template button")
    body = page.locator("#body").input_value()
    assert "was due on {due_date}" in body and "due today" not in body  # the overdue wording
    assert "overdue reminder · SMS · English" in page.locator("#editing").inner_text()
    page.click("#template-form button[value=no]")  # Preview keeps the wording and the message chosen
    assert "due today" not in page.locator("#template-preview").inner_text()
    assert page.locator("#body").input_value() == body
    page.fill("#body", "{customer_name}, your bill {bill_number} of {amount} is overdue. Pay: {link}")
    assert page.locator("#content_sid").count() == 0  # an SMS template asks for its DLT id, not a ContentSid
    page.fill("#dlt_template_id", "1107160000000000001")
    page.click("#template-form button[value=yes]")
    assert page.locator(".flash.success").inner_text().startswith("Template saved: overdue reminder, SMS")
    assert "is overdue. Pay" in page.locator("#body").input_value()  # reloaded: the saved wording, same message
    screenshot(page, "console-template-editor")
    context.close()


def test_simulator_explains_a_failure_and_the_fallback_it_took(browser, live_server, session, api, boss):
    bill = make_bill(session, api.biller, customer={"reference": "S-9", "name": "Neha Roy", "phone": "+919810000093"})
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in(page, live_server, "boss@a.example")
    page.goto(f"{live_server}/console/simulator?customer={bill.customer_id}&channel=whatsapp")
    page.click("#remind")
    flash = page.locator(".flash").inner_text()
    # the demo has no approved WhatsApp template and the customer never wrote: WhatsApp fails, SMS goes
    assert "WhatsApp: failed: no approved WhatsApp template outside the 24-hour window" in flash
    assert "then SMS: sent" in flash
    assert "failed: no approved WhatsApp template" in page.locator("#chat").inner_text()
    screenshot(page, "console-simulator-fallback")

    session.get(Bill, bill.id).paused_until = utcnow() + timedelta(days=3)
    session.commit()
    page.goto(f"{live_server}/console/simulator?customer={bill.customer_id}&channel=sms")
    page.click("#remind")
    assert "SMS: not sent: reminders for this bill are paused" in page.locator(".flash").inner_text()
    context.close()
