"""Support's tools in Chromium at desktop (1280×900) and phone (390×844) size: the canned-reply and label pages
and the conversation with them fit the viewport and pass axe-core; a biller admin adds a reply and a label by
keyboard, and support inserts the reply (filled in, no JavaScript of ours) and labels the conversation."""

from __future__ import annotations

import pytest
from sqlmodel import select

from accounts.users import create_user
from billing.bills import current_link
from models import CannedReply, Conversation, Label
from models.db import utcnow
from models.vocab import Role
from tests.browser.axe import serious_violations
from tests.browser.conftest import screenshot, sign_in
from tests.browser.test_console_pages import VIEWPORTS
from tests.builders import make_bill

pytestmark = pytest.mark.browser


@pytest.fixture
def desk(session, api):
    """A biller admin and a support agent of biller A, and a conversation waiting for a person."""
    for email, role in (("boss@a.example", Role.BILLER_ADMIN), ("desk@a.example", Role.SUPPORT)):
        create_user(session=session, email=email, password="correct horse battery", role=role, biller_id=api.biller.id)
    bill = make_bill(
        session,
        api.biller,
        amount=124550,
        customer={"reference": "CA-9", "name": "Asha Verma", "phone": "+919810000091", "language": "hi"},
    )
    conversation = Conversation(
        biller_id=bill.biller_id,
        customer_id=bill.customer_id,
        channel="sms",
        address="+919810000091",
        needs_attention="handover",
        attention_since=utcnow(),
    )
    session.add(conversation)
    session.commit()
    return {"bill": bill, "conversation": conversation}


def check(page, name: str, size: str) -> list[str]:
    """axe's serious findings and any sideways scrolling; a screenshot either way."""
    found = serious_violations(page)
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 0:
        found.append(f"page is {overflow}px wider than the viewport")
    screenshot(page, f"console-{name}-{size}")
    return found


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_admin_keeps_replies_and_labels_and_support_uses_them(browser, live_server, session, api, desk, size):
    context = browser.new_context(viewport=VIEWPORTS[size])
    page = context.new_page()
    errors = []  # a CSP violation (an inline script or style) is reported on the console as an error
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    problems = {}
    sign_in(page, live_server, "boss@a.example")
    page.goto(f"{live_server}/console/canned-replies")
    problems["canned-replies-empty"] = check(page, "canned-replies-empty", size)
    page.focus("#title")  # by keyboard, as a person without a mouse would
    page.keyboard.type("Payment link")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "language"
    page.select_option("#language", "hi")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "body"
    page.keyboard.type("नमस्ते {name}, {amount} बाकी है: {link}")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.locator(".flash.success").inner_text() == "Canned reply “Payment link” saved."
    assert page.locator("#canned-replies td", has_text="Payment link").count() == 1
    problems["canned-replies"] = check(page, "canned-replies", size)
    reply = session.exec(select(CannedReply)).one()
    page.goto(f"{live_server}/console/canned-replies/{reply.id}")
    problems["canned-reply-edit"] = check(page, "canned-reply-edit", size)
    page.goto(f"{live_server}/console/labels")
    page.fill("#name", "refund")
    page.press("#name", "Enter")
    assert page.locator("#labels .badge").inner_text() == "refund"
    problems["labels"] = check(page, "labels", size)
    page.click("form[action='/console/logout'] button")

    sign_in(page, live_server, "desk@a.example")
    conversation = f"{live_server}/console/conversations/{desk['conversation'].id}"
    page.goto(conversation)
    page.select_option("#canned", label="Payment link")
    page.click("#canned-form button")
    token = current_link(session=session, bill_id=desk["bill"].id).token
    body = page.input_value("#body")
    assert body.startswith("नमस्ते Asha Verma, ₹") and body.endswith(f"/p/{token}") and "{" not in body
    page.select_option("#label", label="refund")
    page.click("#add-conversation-label button")
    assert page.locator("#labels-on .badge").inner_text() == "refund"
    problems["conversation-with-tools"] = check(page, "conversation-with-tools", size)
    page.goto(f"{live_server}/console/")
    page.click("#label-filters a:has-text('refund')")
    assert page.locator("ul.list li").count() == 1 and "refund" in page.locator("ul.list li").inner_text()
    problems["inbox-by-label"] = check(page, "inbox-by-label", size)
    assert {name: found for name, found in problems.items() if found} == {}
    assert [error for error in errors if "favicon" not in error and "404" not in error] == []
    assert len(session.exec(select(Label)).all()) == 1
    context.close()
