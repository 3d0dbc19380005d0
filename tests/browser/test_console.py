"""The console in a real browser: sign in, upload a CSV with errors, preview a cadence."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from accounts.users import create_user
from billing.customers import record_inbound
from models import Conversation, Customer, OutboundMessage
from models.db import utcnow
from models.vocab import Role
from tests.browser.conftest import screenshot, sign_in
from tests.builders import make_bill, make_whatsapp_template

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
    sign_in(page, live_server, "boss@a.example")
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


def test_support_answers_inside_the_window_and_sends_a_template_outside_it(browser, live_server, session, api):
    create_user(
        session=session,
        email="desk@a.example",
        password="correct horse battery",
        role=Role.SUPPORT,
        biller_id=api.biller.id,
    )
    bill = make_bill(session, api.biller, customer={"reference": "W-1", "name": "Mina", "phone": "+919810000012"})
    customer = session.get(Customer, bill.customer_id)
    conversation = Conversation(
        biller_id=customer.biller_id,
        customer_id=customer.id,
        channel="whatsapp",
        address=customer.phone,
        needs_attention="handover",
        attention_since=utcnow(),
        handed_over_at=utcnow(),
    )
    session.add(conversation)
    make_whatsapp_template(session, api.biller, body="Due: {amount} {link}", content_sid="HX" + "c" * 32)
    record_inbound(session=session, customer_id=customer.id, channel="whatsapp", at=utcnow())
    session.commit()

    context = browser.new_context(**browser.devices["Pixel 5"])
    page = context.new_page()
    sign_in(page, live_server, "desk@a.example")
    page.click(f"[data-conversation='{conversation.id}']")
    page.fill("#body", "We have received your request.")
    page.click("text=Send")
    assert "We have received your request." in page.locator("#timeline").inner_text()

    record_inbound(session=session, customer_id=customer.id, channel="whatsapp", at=utcnow() - timedelta(days=2))
    session.commit()
    page.reload()
    assert page.locator("#body").count() == 0  # no free text outside the window
    page.click("#template-form button")
    screenshot(page, "console-template-outside-window")
    session.expire_all()
    sent = session.exec(select(OutboundMessage).where(OutboundMessage.template_key == "reminder_due_today")).one()
    assert (sent.channel, sent.bill_id) == ("whatsapp", bill.id)
    context.close()
