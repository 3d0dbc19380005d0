"""The migration that encrypts biller secrets turns plain text already stored into tokens, and back on downgrade."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import text
from sqlmodel import select

from app import create_app
from models import Biller
from models.db import current_db
from tests.models.test_migrations import empty_database_url  # noqa: F401 - the fixture

BEFORE_ENCRYPTION = "db28f5709e0d"
PLAIN_BILLER = text(
    "INSERT INTO billers (name, upi_vpa, payee_name, merchant_category_code, default_amount_exactness, timezone,"
    " payment_apps, channel_order, contact_hours_start, contact_hours_end, skip_sundays, skip_public_holidays,"
    " max_reminders_per_bill, max_snooze_days, whatsapp_outside_window, bill_fetch_url, bill_fetch_secret,"
    " created_at) VALUES ('Asansol Power', 'asansol@hdfc', 'Asansol Power', '4900', 'EXACT', 'Asia/Kolkata',"
    " '[]', '[]', '09:00:00', '19:00:00', false, false, 8, 14, 'template', 'https://93.184.215.14/fetch',"
    " 'plain-fetch-secret', '2026-11-01 00:00:00')"
)


def raw_secret(engine) -> str:
    with engine.connect() as connection:
        return connection.execute(text("SELECT bill_fetch_secret FROM billers")).scalar_one()


def test_plain_text_fetch_secrets_are_encrypted_by_the_upgrade(empty_database_url):  # noqa: F811
    app = create_app({"app_env": "test", "database_url": empty_database_url})
    engine = app.extensions["database"].engine
    with app.app_context():
        upgrade(revision=BEFORE_ENCRYPTION)
        with engine.begin() as connection:
            connection.execute(PLAIN_BILLER)
        upgrade()
        assert raw_secret(engine).startswith("gAAAAA")
        with current_db().session_scope() as session:
            assert session.exec(select(Biller)).one().bill_fetch_secret == "plain-fetch-secret"
        downgrade(revision=BEFORE_ENCRYPTION)
        assert raw_secret(engine) == "plain-fetch-secret"
    engine.dispose()
