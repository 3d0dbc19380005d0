"""Settings: safe defaults for development and tests, a loud refusal in production."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from pydantic import ValidationError

from app import create_app
from config import ConfigurationError, Settings, normalise_database_url


def test_production_without_secrets_names_every_missing_one(tmp_path):
    settings = Settings(app_env="production", database_url=f"sqlite:///{tmp_path}/x.db")
    with pytest.raises(ConfigurationError) as excinfo:
        settings.resolved(str(tmp_path))
    message = str(excinfo.value)
    for name in ("SECRET_KEY", "PUBLIC_BASE_URL", "PAYMENT_WEBHOOK_SECRET", "SECRETS_ENCRYPTION_KEYS"):
        assert name in message


def test_production_is_the_default_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("APP_ENV", raising=False)
    with pytest.raises(ConfigurationError):
        create_app({"database_url": f"sqlite:///{tmp_path}/x.db"})


def test_a_configured_channel_needs_its_secret_in_production(tmp_path):
    settings = Settings(
        app_env="production",
        secret_key="s" * 32,
        public_base_url="https://pay.example",
        payment_webhook_secret="p" * 32,
        secrets_encryption_keys=Fernet.generate_key().decode(),
        twilio_account_sid="AC123",
        telegram_bot_token="1:abc",
    )
    assert settings.missing_for_production() == ["TWILIO_AUTH_TOKEN", "TELEGRAM_WEBHOOK_SECRET"]


def test_production_with_its_secrets_starts(tmp_path):
    app = create_app(
        {
            "app_env": "production",
            "secret_key": "s" * 32,
            "public_base_url": "https://pay.example/",
            "payment_webhook_secret": "p" * 32,
            "secrets_encryption_keys": Fernet.generate_key().decode(),
            "database_url": f"sqlite:///{tmp_path}/x.db",
        }
    )
    settings = app.extensions["settings"]
    assert settings.public_base_url == "https://pay.example"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    app.extensions["database"].dispose()


def test_development_needs_no_variables(monkeypatch, tmp_path):
    settings = Settings(app_env="development").resolved(str(tmp_path))
    assert settings.database_url == f"sqlite:///{tmp_path}/clickpay.db"
    assert settings.secret_key.get_secret_value()
    assert settings.public_base_url == "http://127.0.0.1:5000"


def test_settings_are_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://pay.biller.example")
    monkeypatch.setenv("MAX_JSON_BYTES", "1024")
    settings = Settings()
    assert (settings.public_base_url, settings.max_json_bytes) == ("https://pay.biller.example", 1024)


def test_secrets_do_not_show_in_repr():
    assert "hunter2" not in repr(Settings(secret_key="hunter2"))


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_database_urls_use_the_installed_driver(given, expected):
    assert normalise_database_url(given) == expected


def test_every_setting_is_documented_in_env_example():
    import re
    from pathlib import Path

    documented = Path(__file__).resolve().parents[1].joinpath(".env.example").read_text()
    undocumented = [
        name.upper() for name in Settings.model_fields if not re.search(rf"^{name.upper()}=", documented, re.MULTILINE)
    ]
    assert undocumented == []


def test_production_refuses_a_clock_offset(tmp_path):
    settings = Settings(
        app_env="production",
        database_url=f"sqlite:///{tmp_path}/x.db",
        secret_key="s" * 32,
        public_base_url="https://pay.example.test",
        payment_webhook_secret="p" * 32,
        clock_offset_seconds=3600,
    )
    with pytest.raises(ConfigurationError, match="CLOCK_OFFSET_SECONDS"):
        settings.resolved(str(tmp_path))


def test_a_process_with_a_clock_offset_runs_that_far_ahead(tmp_path):
    from datetime import timedelta

    from models.db import set_clock_offset, utcnow

    before = utcnow()
    try:
        create_app({"app_env": "test", "database_url": f"sqlite:///{tmp_path}/x.db", "clock_offset_seconds": 86400})
        assert timedelta(days=1) <= utcnow() - before < timedelta(days=1, seconds=5)
    finally:
        set_clock_offset(0)
    assert utcnow() - before < timedelta(seconds=5)


@pytest.mark.parametrize("connections", ["0", "9", "two"])
def test_dunning_connections_outside_one_to_eight_are_refused(monkeypatch, connections):
    monkeypatch.setenv("DUNNING_CONNECTIONS", connections)
    with pytest.raises(ValidationError, match="dunning_connections"):
        Settings()
