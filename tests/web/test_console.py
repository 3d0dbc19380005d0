"""The console: sign-in, the support inbox, reply and hand-back, and tenant isolation on every route."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from accounts.users import create_user
from billing.customers import record_inbound
from models import Conversation, ConversationMessage, Customer, OutboundMessage
from models.db import utcnow
from models.vocab import Role
from tests.bot.conftest import post_twilio, twilio_params
from tests.builders import make_bill, make_whatsapp_template

PASSWORD = "correct horse battery"


@pytest.fixture
def app_overrides():
    from tests.bot.conftest import AUTH_TOKEN

    return {"twilio_account_sid": "AC" + "1" * 32, "twilio_auth_token": AUTH_TOKEN, "twilio_sms_from": "+14155550100"}


def csrf(client, path: str) -> str:
    return re.search(
        r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', client.get(path).get_data(as_text=True)
    ).group(1)


def settings_form(client, **changes) -> dict:
    """What the settings page sends for biller A ("Asansol Power"), with a fresh CSRF token and these changes."""
    return {
        "csrf_token": csrf(client, "/console/settings"),
        "name": "Asansol Power",
        "upi_vpa": "asansol@hdfc",
        "payee_name": "Asansol Power",
        "merchant_category_code": "4900",
        "default_amount_exactness": "EXACT",
        "payment_apps": ["gpay"],
        "contact_hours_start": "09:00",
        "contact_hours_end": "19:00",
    } | changes


def login(client, email: str, password: str = PASSWORD):
    return client.post(
        "/console/login", data={"email": email, "password": password, "csrf_token": csrf(client, "/console/login")}
    )


@pytest.fixture
def staff(session, api, other_api):
    """A support user for biller A, and one for biller B."""
    create_user(session=session, email="desk@a.example", password=PASSWORD, role=Role.SUPPORT, biller_id=api.biller.id)
    create_user(
        session=session, email="desk@b.example", password=PASSWORD, role=Role.SUPPORT, biller_id=other_api.biller.id
    )
    session.commit()


@pytest.fixture
def handed_over(client, session, api, staff):
    """Biller A's customer asked for a person over SMS."""
    make_bill(session, api.biller, customer={"reference": "CA-1", "name": "Asha Verma", "phone": "+919810000001"})
    post_twilio(client, twilio_params("+919810000001", "agent"))
    return session.exec(select(Conversation)).one()


def test_login_needs_the_csrf_token(client, staff):
    response = client.post("/console/login", data={"email": "desk@a.example", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/console/").status_code == 302


def test_wrong_password_is_refused_and_right_one_signs_in(client, staff):
    assert login(client, "desk@a.example", "wrong password!").status_code == 401
    assert login(client, "nobody@a.example").status_code == 401
    response = login(client, "desk@a.example")
    assert response.status_code == 302 and response.headers["Location"].endswith("/console/")
    assert client.get("/console/").status_code == 200


def test_login_attempts_are_rate_limited(client, staff):
    statuses = [login(client, "desk@a.example", "wrong password!").status_code for _ in range(12)]
    assert statuses[:6] == [401] * 6 and statuses[-1] == 429


def test_inbox_shows_only_my_billers_conversations(client, handed_over):
    login(client, "desk@a.example")
    assert "Asha Verma" in client.get("/console/").get_data(as_text=True)
    client.post("/console/logout", data={"csrf_token": csrf(client, "/console/")})
    login(client, "desk@b.example")
    html = client.get("/console/").get_data(as_text=True)
    assert "Asha Verma" not in html and "Nothing waiting." in html


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/console/conversations/{id}"),
        ("post", "/console/conversations/{id}/reply"),
        ("post", "/console/conversations/{id}/hand-back"),
    ],
)
def test_every_conversation_route_is_404_for_another_biller(client, session, handed_over, method, path):
    login(client, "desk@b.example")
    token = csrf(client, "/console/")
    response = getattr(client, method)(path.format(id=handed_over.id), data={"csrf_token": token, "body": "hi"})
    assert response.status_code == 404
    session.expire_all()
    assert session.get(Conversation, handed_over.id).handed_over_at is not None


@pytest.mark.parametrize("path", ["/console/", "/console/conversations/1"])
def test_signed_out_users_are_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/console/login" in response.headers["Location"]


def test_reply_reaches_the_customer_through_the_outbox(client, session, handed_over):
    login(client, "desk@a.example")
    page = f"/console/conversations/{handed_over.id}"
    response = client.post(f"{page}/reply", data={"csrf_token": csrf(client, page), "body": "We are checking."})
    assert response.status_code == 302
    message = session.exec(select(OutboundMessage).where(OutboundMessage.body == "We are checking.")).one()
    assert (message.channel, message.recipient) == ("sms", "+919810000001")
    entry = session.exec(select(ConversationMessage).where(ConversationMessage.author_user_id.is_not(None))).one()
    assert entry.body == "We are checking."
    assert client.post(f"{page}/reply", data={"body": "no token"}).status_code == 400


def test_whatsapp_reply_outside_the_window_is_refused(client, session, api, staff):
    make_bill(session, api.biller, customer={"reference": "CA-9", "name": "Ravi", "phone": "+919810000009"})
    customer = session.exec(select(Customer).where(Customer.reference == "CA-9")).one()
    conversation = Conversation(
        biller_id=customer.biller_id,
        customer_id=customer.id,
        channel="whatsapp",
        address="+919810000009",
        needs_attention="handover",
        attention_since=utcnow(),
        handed_over_at=utcnow(),
    )
    session.add(conversation)
    record_inbound(session=session, customer_id=customer.id, channel="whatsapp", at=utcnow().replace(year=2025))
    session.commit()
    login(client, "desk@a.example")
    page = f"/console/conversations/{conversation.id}"
    assert "Outside the 24-hour WhatsApp window" in client.get(page).get_data(as_text=True)
    client.post(f"{page}/reply", data={"csrf_token": csrf(client, "/console/"), "body": "hello"})
    assert session.exec(select(OutboundMessage).where(OutboundMessage.body == "hello")).first() is None


def test_hand_back_lets_the_bot_answer_again(client, session, handed_over):
    login(client, "desk@a.example")
    page = f"/console/conversations/{handed_over.id}"
    assert client.post(f"{page}/hand-back", data={"csrf_token": csrf(client, page)}).status_code == 302
    session.expire_all()
    assert session.get(Conversation, handed_over.id).handed_over_at is None
    post_twilio(client, twilio_params("+919810000001", "bill"))
    bodies = [m.body for m in session.exec(select(OutboundMessage)).all()]
    assert any("Pay:" in body for body in bodies)


def test_outside_the_window_support_sends_an_approved_template(client, session, api, staff):

    bill = make_bill(session, api.biller, customer={"reference": "CA-8", "name": "Mina", "phone": "+919810000008"})
    conversation = Conversation(
        biller_id=bill.biller_id,
        customer_id=bill.customer_id,
        channel="whatsapp",
        address="+919810000008",
        needs_attention="handover",
        attention_since=utcnow(),
        handed_over_at=utcnow(),
    )
    session.add(conversation)
    session.commit()
    login(client, "desk@a.example")
    page = f"/console/conversations/{conversation.id}"
    form = {"csrf_token": csrf(client, page), "template": "reminder_due_today", "bill_id": bill.id}
    client.post(f"{page}/send-template", data=form)
    assert session.exec(select(OutboundMessage).where(OutboundMessage.bill_id == bill.id)).first() is None
    make_whatsapp_template(session, api.biller, body="Due: {amount} {link}", content_sid="HX" + "b" * 32)
    client.post(f"{page}/send-template", data={**form, "csrf_token": csrf(client, page)})
    message = session.exec(select(OutboundMessage).where(OutboundMessage.bill_id == bill.id)).one()
    assert (message.channel, message.template_key) == ("whatsapp", "reminder_due_today")
    assert message.content_variables["amount"] == "₹1,245.50"
