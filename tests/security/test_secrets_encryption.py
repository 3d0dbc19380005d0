"""Biller secrets are Fernet tokens in the database, readable with any configured key, rotated by command."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from app import create_app
from config import ConfigurationError, Settings
from models import Biller
from models.db import current_db
from models.encryption import current_box

OLD_KEY, NEW_KEY = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def stored_columns(session, biller_id: int) -> tuple[str | None, str | None]:
    row = session.execute(
        text("SELECT bill_fetch_secret, payment_webhook_secret FROM billers WHERE id = :id"), {"id": biller_id}
    ).one()
    return row[0], row[1]


def test_secrets_are_stored_encrypted_and_read_back_plain(session, api):
    api.biller.bill_fetch_secret = "fetch-secret-0123456789"
    api.biller.payment_webhook_secret = "whsec_payments-0123456789"
    session.commit()

    raw_fetch, raw_webhook = stored_columns(session, api.biller.id)
    assert "fetch-secret" not in raw_fetch and "payments" not in raw_webhook
    assert raw_fetch.startswith("gAAAAA") and raw_webhook.startswith("gAAAAA")
    session.expire_all()
    biller = session.get(Biller, api.biller.id)
    assert (biller.bill_fetch_secret, biller.payment_webhook_secret) == (
        "fetch-secret-0123456789",
        "whsec_payments-0123456789",
    )


def test_the_same_secret_encrypts_differently_each_time(app):
    with app.app_context():
        box = current_box()
        assert box.encrypt("same") != box.encrypt("same")


def keyed_app(database_url, keys: str):
    return create_app({"app_env": "test", "database_url": database_url, "secrets_encryption_keys": keys})


def test_rotation_reads_old_tokens_and_rewrites_them_under_the_new_key(app, session, api, database_url):
    old_app = keyed_app(database_url, OLD_KEY)
    with old_app.app_context(), current_db().session_scope() as old_session:
        biller = old_session.get(Biller, api.biller.id)
        biller.bill_fetch_secret = "fetch-secret-0123456789"
    old_app.extensions["database"].dispose()

    rotated_app = keyed_app(database_url, f"{NEW_KEY},{OLD_KEY}")
    with rotated_app.app_context():
        with current_db().session_scope() as both_keys:
            assert both_keys.get(Biller, api.biller.id).bill_fetch_secret == "fetch-secret-0123456789"
        result = rotated_app.test_cli_runner().invoke(args=["secrets", "rotate"])
    rotated_app.extensions["database"].dispose()
    assert result.exit_code == 0 and "Re-encrypted 1 secret(s)" in result.output

    new_only = keyed_app(database_url, NEW_KEY)
    with new_only.app_context(), current_db().session_scope() as new_session:
        assert new_session.get(Biller, api.biller.id).bill_fetch_secret == "fetch-secret-0123456789"
    new_only.extensions["database"].dispose()


def test_production_refuses_to_start_without_an_encryption_key(tmp_path):
    settings = Settings(
        app_env="production",
        secret_key="s" * 32,
        public_base_url="https://pay.example",
        payment_webhook_secret="p" * 32,
        database_url=f"sqlite:///{tmp_path}/x.db",
    )
    with pytest.raises(ConfigurationError, match="SECRETS_ENCRYPTION_KEYS"):
        settings.resolved(str(tmp_path))


def test_a_key_that_is_not_a_fernet_key_stops_the_start(tmp_path):
    with pytest.raises(ConfigurationError, match="must be Fernet keys"):
        create_app(
            {"app_env": "test", "database_url": f"sqlite:///{tmp_path}/x.db", "secrets_encryption_keys": "hunter2"}
        )


def test_development_and_tests_share_one_fixed_key(tmp_path):
    first = Settings(app_env="development").resolved(str(tmp_path))
    second = Settings(app_env="test").resolved(str(tmp_path))
    assert first.encryption_keys == second.encryption_keys and len(first.encryption_keys) == 1
