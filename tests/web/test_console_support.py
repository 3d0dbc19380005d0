"""The support desk: search, a customer's whole story, and the actions support takes on it."""

from __future__ import annotations

import pytest
from sqlmodel import select

from billing.bills import current_link
from models import Bill, Conversation, CustomerNote, OutboundMessage, Payment
from tests.builders import make_bill
from tests.web.test_console import csrf, login, staff  # noqa: F401 - the staff fixture


@pytest.fixture
def bill(session, api, staff):  # noqa: F811
    return make_bill(
        session,
        api.biller,
        reference="ELEC-77",
        amount=89000,
        customer={"reference": "CA-77", "name": "Sourav Das", "phone": "+919810000077"},
    )


@pytest.mark.parametrize("query", ["Sourav", "CA-77", "ELEC-77", "98100 00077", "+919810000077"])
def test_search_finds_the_customer_by_any_identifier(client, bill, query):
    login(client, "desk@a.example")
    assert "Sourav Das" in client.get("/console/customers", query_string={"q": query}).get_data(as_text=True)


def test_search_never_crosses_billers(client, bill):
    login(client, "desk@b.example")
    html = client.get("/console/customers", query_string={"q": "Sourav"}).get_data(as_text=True)
    assert "Sourav Das" not in html and "No customer matches." in html


def test_timeline_tells_the_whole_story(client, session, bill):
    token = current_link(session=session, bill_id=bill.id).token
    client.get(f"/p/{token}")
    client.get(f"/p/{token}/pay", query_string={"app": "gpay", "platform": "android"})
    login(client, "desk@a.example")
    html = client.get(f"/console/customers/{bill.customer_id}").get_data(as_text=True)
    assert "opened the payment link" in html and "chose Google Pay on android" in html


def test_support_actions_resend_pause_note_and_mark_paid(client, session, bill):
    login(client, "desk@a.example")
    page = f"/console/customers/{bill.customer_id}"
    base = f"{page}/bills/{bill.id}"
    client.post(f"{base}/resend", data={"csrf_token": csrf(client, page)})
    assert session.exec(select(OutboundMessage).where(OutboundMessage.template_key == "notify")).one()
    client.post(f"{base}/snooze", data={"csrf_token": csrf(client, page), "until": "2026-12-20"})
    session.expire_all()
    assert session.get(Bill, bill.id).paused_until.date().isoformat() == "2026-12-20"
    client.post(f"{page}/notes", data={"csrf_token": csrf(client, page), "body": "Called, will pay Friday"})
    assert session.exec(select(CustomerNote)).one().body == "Called, will pay Friday"
    client.post(f"{base}/mark-paid", data={"csrf_token": csrf(client, page), "reference": "UTR555"})
    session.expire_all()
    assert session.get(Bill, bill.id).status == "paid"
    assert session.exec(select(Payment)).one().source == "console"
    html = client.get(page).get_data(as_text=True)
    assert "Called, will pay Friday" in html and "ref UTR555" in html


@pytest.mark.parametrize("action", ["resend", "snooze", "mark-paid"])
def test_actions_on_another_billers_customer_are_404(client, session, bill, action):
    login(client, "desk@b.example")
    response = client.post(
        f"/console/customers/{bill.customer_id}/bills/{bill.id}/{action}",
        data={"csrf_token": csrf(client, "/console/"), "until": "2026-12-20", "reference": "U1"},
    )
    assert response.status_code == 404
    session.expire_all()
    assert session.get(Bill, bill.id).status == "open"


def test_actions_need_the_csrf_token(client, session, bill):
    login(client, "desk@a.example")
    response = client.post(
        f"/console/customers/{bill.customer_id}/bills/{bill.id}/mark-paid", data={"reference": "UTR1"}
    )
    assert response.status_code == 400


def test_assign_a_conversation_to_myself(client, session, bill):
    conversation = Conversation(
        biller_id=bill.biller_id,
        customer_id=bill.customer_id,
        channel="sms",
        address="+919810000077",
        needs_attention="handover",
    )
    session.add(conversation)
    session.commit()
    login(client, "desk@a.example")
    page = f"/console/conversations/{conversation.id}"
    client.post(f"{page}/assign", data={"csrf_token": csrf(client, page)})
    assert "Assigned to you" in client.get(page).get_data(as_text=True)
