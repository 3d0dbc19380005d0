"""One phone, two billers: a family's shared phone that is a customer of biller A and of biller B."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from accounts.users import create_user
from billing.bills import current_link
from models import Bill, OutboundMessage
from models.vocab import Role
from tests.bot.conftest import TELEGRAM_SECRET, post_twilio, twilio_params
from tests.builders import make_bill

PHONE = "+919810000050"
SHARED_SMS = "+14155550100"
SHARED_WHATSAPP = "+14155550111"
OWN_SMS_OF_B = "+14155550199"
PASSWORD = "correct horse battery"
# 11:00 IST on a working Wednesday, inside every contact window.
WEDNESDAY_MORNING = datetime(2026, 11, 25, 5, 30, tzinfo=UTC)


@dataclass
class Tenant:
    """One biller's side of the shared phone: its bill, and what of it must never reach the other biller."""

    api: object
    bill: Bill
    token: str
    marks: tuple[str, ...]  # bill reference, customer name and reference, amount, link token, biller name

    @property
    def biller_id(self) -> int:
        return self.api.biller.id


@pytest.fixture
def app_overrides(twilio):
    return {
        "twilio_account_sid": twilio.account_sid,
        "twilio_auth_token": twilio.auth_token,
        "twilio_sms_from": SHARED_SMS,
        "twilio_whatsapp_from": SHARED_WHATSAPP,
        "twilio_api_base_url": twilio.url,
        "provider_timeout_seconds": 1.0,
        "telegram_bot_token": "7000001:TEST-token",
        "telegram_webhook_secret": TELEGRAM_SECRET,
    }


@pytest.fixture
def twilio():
    from tests.fakes.twilio_server import FakeTwilio

    fake = FakeTwilio().start()
    yield fake
    fake.stop()


@pytest.fixture
def clock(time_machine):
    """Every test starts at the same instant; text_message moves it on a minute (the bot answers 5 a minute)."""
    time_machine.move_to(WEDNESDAY_MORNING)
    return time_machine


@pytest.fixture
def tenants(session, api, other_api, clock) -> tuple[Tenant, Tenant]:
    """Biller A (Asansol Power) bills Asha; biller B (Bhopal Water) bills Ravi; both gave the same phone."""
    bill_a = make_bill(
        session,
        api.biller,
        reference="ELEC-A1",
        amount=124550,
        due_date="2026-12-10",
        customer={"reference": "CA-A1", "name": "Asha Verma", "phone": PHONE, "language": "en"},
    )
    bill_b = make_bill(
        session,
        other_api.biller,
        reference="WATER-B1",
        amount=37725,
        due_date="2026-12-14",
        customer={"reference": "CB-B1", "name": "Ravi Kumar", "phone": PHONE, "language": "en"},
    )
    token_a = current_link(session=session, bill_id=bill_a.id).token
    token_b = current_link(session=session, bill_id=bill_b.id).token
    return (
        Tenant(api, bill_a, token_a, ("ELEC-A1", "Asha Verma", "CA-A1", "1,245.50", "124550", token_a, "Asansol")),
        Tenant(other_api, bill_b, token_b, ("WATER-B1", "Ravi Kumar", "CB-B1", "377.25", "37725", token_b, "Bhopal")),
    )


@pytest.fixture
def staff(session, tenants):
    """A support user and a biller admin for each biller."""
    for tenant, letter in zip(tenants, "ab", strict=True):
        for role, name in ((Role.SUPPORT, "desk"), (Role.BILLER_ADMIN, "boss")):
            create_user(
                session=session,
                email=f"{name}@{letter}.example",
                password=PASSWORD,
                role=role,
                biller_id=tenant.biller_id,
            )
    session.commit()


def text_message(client, clock, body: str, *, to: str = SHARED_SMS, sender: str = PHONE) -> None:
    """A minute later, the phone writes to a sender over SMS (WhatsApp with whatsapp: addresses), signed by Twilio."""
    clock.shift(61)
    token = client.application.extensions["settings"].twilio_auth_token.get_secret_value()
    response = post_twilio(client, twilio_params(sender, body, To=to), token=token)
    assert response.status_code == 200, response.get_data(as_text=True)


def new_replies(session, seen: set[int]) -> list[OutboundMessage]:
    """The bot's replies since the last call."""
    session.expire_all()
    rows = session.exec(
        select(OutboundMessage).where(OutboundMessage.template_key.is_(None)).order_by(OutboundMessage.id)
    ).all()
    fresh = [row for row in rows if row.id not in seen]
    seen.update(row.id for row in fresh)
    return fresh


def leaks(text: str, tenant: Tenant) -> list[str]:
    """Which of the tenant's marks appear in the text."""
    return [mark for mark in tenant.marks if mark in text]
