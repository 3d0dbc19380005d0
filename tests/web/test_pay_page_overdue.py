""" "Overdue by N days" on the payment page, in the customer's own language, singular and plural."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from billing.billers import biller_today
from billing.bills import current_link
from models.db import utcnow
from tests.builders import make_bill


@pytest.mark.parametrize(
    ("language", "days", "shown"),
    [
        ("en", 1, "Overdue by 1 day"),
        ("en", 5, "Overdue by 5 days"),
        ("hi", 5, "5 दिन से बकाया"),
        ("bn", 1, "1 দিন ধরে বকেয়া"),
        ("bn", 5, "5 দিন ধরে বকেয়া"),
    ],
)
def test_an_overdue_bill_says_for_how_long_in_the_customers_language(client, session, api, language, days, shown):
    due = (biller_today(api.biller, utcnow()) - timedelta(days=days)).isoformat()
    customer = {"reference": f"CA-{language}-{days}", "name": "Asha", "language": language}
    bill = make_bill(session, api.biller, due_date=due, customer=customer)
    html = client.get(f"/p/{current_link(session=session, bill_id=bill.id).token}").get_data(as_text=True)
    status = re.search(r'id="status">([^<]*)<', html).group(1)
    assert status == shown


def test_a_bill_due_today_or_later_is_just_due(client, session, api):
    bill = make_bill(session, api.biller, due_date=(biller_today(api.biller, utcnow()) + timedelta(days=3)).isoformat())
    html = client.get(f"/p/{current_link(session=session, bill_id=bill.id).token}").get_data(as_text=True)
    assert re.search(r'id="status">([^<]*)<', html).group(1) == "Due"
