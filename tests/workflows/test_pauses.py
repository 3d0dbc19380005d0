"""One pause rule whichever door asks for it: the customer through the bot, or support in the console."""

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


def paused_until(session, bill) -> datetime:
    session.expire_all()
    return session.get(Bill, bill.id).paused_until.astimezone(IST)


def test_the_bot_and_the_console_pause_until_the_same_moment(client, session, bill):
    by_customer = customer_asks(client, session, bill, "remind me later in 5 days")
    by_support = support_pauses(client, session, bill, TODAY + timedelta(days=5))
    assert by_customer == by_support == datetime.combine(TODAY + timedelta(days=5), time(8, 0), tzinfo=IST)


def test_only_the_customer_is_held_to_the_billers_snooze_limit(client, session, bill):
    assert customer_asks(client, session, bill, "later 30 days").date() == TODAY + timedelta(days=14)
    assert support_pauses(client, session, bill, TODAY + timedelta(days=30)).date() == TODAY + timedelta(days=30)
