"""Every console page in Chromium at desktop (1280×900) and phone (390×844) size: it renders inside the
viewport (no sideways scrolling), axe-core finds nothing serious or critical, and a screenshot is kept."""

from __future__ import annotations

import pytest

from accounts.users import create_user
from billing.bills import current_link
from models import Conversation
from models.db import utcnow
from models.vocab import Role
from tests.browser.axe import serious_violations
from tests.browser.conftest import screenshot, sign_in
from tests.builders import make_bill

pytestmark = pytest.mark.browser

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def desk(session, api, other_api):
    """A biller admin and an admin, a bill whose link was opened, and a conversation waiting for a person."""
    for email, role, biller_id in (
        ("boss@a.example", Role.BILLER_ADMIN, api.biller.id),
        ("root@example.com", Role.ADMIN, None),
    ):
        create_user(session=session, email=email, password="correct horse battery", role=role, biller_id=biller_id)
    bill = make_bill(
        session, api.biller, customer={"reference": "CA-9", "name": "Asha Verma", "phone": "+919810000091"}
    )
    conversation = Conversation(
        biller_id=bill.biller_id,
        customer_id=bill.customer_id,
        channel="whatsapp",
        address="+919810000091",
        needs_attention="handover",
        attention_since=utcnow(),
    )
    session.add(conversation)
    session.commit()
    return {"bill": bill, "conversation": conversation, "token": current_link(session=session, bill_id=bill.id).token}


def pages(desk) -> dict[str, str]:
    bill = desk["bill"]
    return {
        "inbox": "/console/",
        "customers": "/console/customers",
        "customer": f"/console/customers/{bill.customer_id}",
        "conversation": f"/console/conversations/{desk['conversation'].id}",
        "dashboard": "/console/dashboard",
        "bills": "/console/bills",
        "upload": "/console/bills/import",
        "cadences": "/console/cadences",
        "templates": "/console/templates",
        "canned-replies": "/console/canned-replies",
        "labels": "/console/labels",
        "settings": "/console/settings",
        "senders": "/console/settings/senders",
        "users": "/console/users",
        "api-keys": "/console/api-keys",
        "audit": "/console/audit",
        "simulator": f"/console/simulator?customer={bill.customer_id}&channel=sms",
        "not-found": "/console/no-such-page",
    }


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_every_console_page_fits_and_passes_axe(browser, live_server, desk, size):
    context = browser.new_context(viewport=VIEWPORTS[size])
    page = context.new_page()
    page.goto(f"{live_server}/console/login")
    assert serious_violations(page) == [], "login"
    sign_in(page, live_server, "boss@a.example")
    problems = {}
    for name, path in pages(desk).items():
        page.goto(live_server + path)
        found = serious_violations(page) if size == "desktop" else []  # the same HTML at both sizes: axe once
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            found.append(f"page is {overflow}px wider than the viewport")
        if found:
            problems[name] = found
        screenshot(page, f"console-{name}-{size}")
    assert problems == {}
    context.close()


def test_root_and_console_errors_are_console_pages_not_the_payment_page(browser, live_server, desk):
    context = browser.new_context(viewport=VIEWPORTS["desktop"])
    page = context.new_page()
    response = page.goto(f"{live_server}/")
    assert response.status == 404 and "Staff: sign in to the console" in page.content()
    assert "payment link" not in page.locator("h1").inner_text().lower()
    sign_in(page, live_server, "boss@a.example")
    response = page.goto(f"{live_server}/console/nothing-here")
    assert response.status == 404 and page.locator("#error-page h1").inner_text() == "Page not found"
    assert page.locator("header nav a", has_text="Dashboard").count() == 1  # the frame stays: no dead end
    screenshot(page, "console-error-404")
    context.close()


def test_admin_signs_in_and_switches_biller_without_a_query_string(browser, live_server, desk, other_api):
    context = browser.new_context(viewport=VIEWPORTS["desktop"])
    page = context.new_page()
    sign_in(page, live_server, "root@example.com")
    page.goto(f"{live_server}/console/dashboard")  # no biller chosen yet: sent to choose, not to a 404
    assert page.locator("#billers").is_visible()
    page.click("#billers button:has-text('Asansol Power')")
    assert page.locator("h1").inner_text() == "Dashboard · Asansol Power"
    page.select_option("#switch-biller", label="Bhopal Water")
    page.click("#biller-switcher button")
    assert page.locator("h1").inner_text() == "Dashboard · Bhopal Water"
    page.click("header nav a:has-text('Bills')")
    assert page.locator("h1").inner_text() == "Bills · Bhopal Water" and "Asha Verma" not in page.content()
    screenshot(page, "console-admin-switcher")
    context.close()
