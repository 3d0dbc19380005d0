"""The simulator exists only with console channels, shows only the user's customers, and chats for real."""

from __future__ import annotations

from tests.builders import make_bill
from tests.web.test_console import csrf, login, staff  # noqa: F401 - the staff fixture


def test_simulator_is_404_when_a_real_provider_is_configured(app, client, staff):  # noqa: F811
    login(client, "desk@a.example")
    app.extensions["settings"] = app.extensions["settings"].model_copy(
        update={"smtp_url": "smtp://mail.example:587", "mail_from": "x@example.com"}
    )
    assert client.get("/console/simulator").status_code == 404


def test_simulator_shows_only_my_customers(client, session, other_api, staff):  # noqa: F811
    other = make_bill(
        session, other_api.biller, customer={"reference": "B-1", "name": "Other", "phone": "+919810000055"}
    )
    login(client, "desk@a.example")
    assert client.get("/console/simulator", query_string={"customer": other.customer_id}).status_code == 404


def test_chatting_as_the_customer_gets_the_bots_answer(client, session, api, staff):  # noqa: F811
    bill = make_bill(
        session, api.biller, customer={"reference": "S-1", "name": "Sim Customer", "phone": "+919810000066"}
    )
    login(client, "desk@a.example")
    page = f"/console/simulator?customer={bill.customer_id}&channel=sms"
    client.post(
        "/console/simulator/say",
        data={"csrf_token": csrf(client, page), "customer": bill.customer_id, "channel": "sms", "text": "bill"},
    )
    html = client.get(page).get_data(as_text=True)
    assert "₹1,245.50" in html and "/p/" in html and "sent" in html
