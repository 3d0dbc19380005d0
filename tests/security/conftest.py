"""Security tests sign webhooks for real and sign in through the console's own form."""

from __future__ import annotations

import pytest

from accounts.users import create_user
from models.vocab import Role
from tests.bot.conftest import app_overrides  # noqa: F401  (Twilio and Telegram credentials, for the webhooks)
from tests.reconciliation.conftest import bills  # noqa: F401  (biller A's open bills, for statements and notices)
from tests.web.test_console import PASSWORD, login


@pytest.fixture
def desk(client, session, api):
    """Biller A's support user, signed in."""
    create_user(session=session, email="desk@a.example", password=PASSWORD, role=Role.SUPPORT, biller_id=api.biller.id)
    session.commit()
    assert login(client, "desk@a.example").status_code == 302


@pytest.fixture
def admin(client, session, api):
    """Biller A's admin, signed in."""
    create_user(
        session=session, email="boss@a.example", password=PASSWORD, role=Role.BILLER_ADMIN, biller_id=api.biller.id
    )
    session.commit()
    assert login(client, "boss@a.example").status_code == 302
