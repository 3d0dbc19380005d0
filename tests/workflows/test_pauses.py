"""One pause rule whichever door asks for it: the customer through the bot, support in the console, or the API."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from models import Bill
from tests.bot.conftest import app_overrides, post_twilio, twilio_params  # noqa: F401 - the app_overrides fixture
from tests.builders import make_bill
from tests.conftest import IST, SUITE_NOW
from tests.web.test_console import csrf, login, staff  # noqa: F401 - the staff fixture

PHONE = "+919810000009"
TODAY = SUITE_NOW.date()


@pytest.fixture
def bill(session, api, staff):  # noqa: F811
    api.biller.contact_hours_start = time(8, 0)  # not the 09:00 the console once hard-coded
    session.add(api.biller)
    session.commit()
    return make_bill(
        session, api.biller, reference="ELEC-9", customer={"reference": "CA-9", "name": "Asha", "phone": PHONE}
    )


def customer_asks(client, session, bill, text: str) -> datetime:
    response = post_twilio(client, twilio_params(PHONE, text))
    assert response.status_code == 200
    return paused_until(session, bill)


def support_pauses(client, session, bill, day) -> datetime:
    login(client, "desk@a.example")
    page = f"/console/customers/{bill.customer_id}"
    client.post(f"{page}/bills/{bill.id}/snooze", data={"csrf_token": csrf(client, page), "until": day.isoformat()})
    return paused_until(session, bill)


def the_billers_system_pauses(client, session, api, bill, day) -> datetime:
    response = client.post(f"/api/v1/bills/{bill.id}/pause", json={"until": day.isoformat()}, headers=api.headers)
    assert response.status_code == 200
    assert response.json["paused_until"] is not None
    return paused_until(session, bill)


def paused_until(session, bill) -> datetime:
    session.expire_all()
    return session.get(Bill, bill.id).paused_until.astimezone(IST)


def test_the_bot_the_console_and_the_api_pause_until_the_same_moment(client, session, api, bill):
    by_customer = customer_asks(client, session, bill, "remind me later in 5 days")
    by_support = support_pauses(client, session, bill, TODAY + timedelta(days=5))
    by_api = the_billers_system_pauses(client, session, api, bill, TODAY + timedelta(days=5))
    assert by_customer == by_support == by_api == datetime.combine(TODAY + timedelta(days=5), time(8, 0), tzinfo=IST)


def test_only_the_customer_is_held_to_the_billers_snooze_limit(client, session, api, bill):
    assert customer_asks(client, session, bill, "later 30 days").date() == TODAY + timedelta(days=14)
    assert support_pauses(client, session, bill, TODAY + timedelta(days=30)).date() == TODAY + timedelta(days=30)
    assert the_billers_system_pauses(
        client, session, api, bill, TODAY + timedelta(days=40)
    ).date() == TODAY + timedelta(days=40)


def test_an_api_pause_outside_the_date_window_is_refused_naming_the_field(client, session, api, bill):
    response = client.post(f"/api/v1/bills/{bill.id}/pause", json={"until": "1999-12-31"}, headers=api.headers)
    assert response.status_code == 422 and response.json["error"]["field"] == "until"
    assert session.get(Bill, bill.id).paused_until is None
