"""One typed settings object, read from the environment (see .env.example)."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Secrets that development and tests may leave unset; production must provide them.
_DEV_SECRET_KEY = "dev-only-secret-key-never-use-in-production"  # noqa: S105 - refused in production
_DEV_PAYMENT_SECRET = "dev-only-payment-webhook-secret"  # noqa: S105 - refused in production
# A fixed Fernet key for development and tests: what it encrypts is no secret. Production must set its own.
_DEV_ENCRYPTION_KEY = base64.urlsafe_b64encode(hashlib.sha256(b"clickpay-dev-only-encryption-key").digest()).decode()


class ConfigurationError(RuntimeError):
    """Raised at start-up when the environment cannot run the app safely."""


class Settings(BaseSettings):
    """Everything the app reads from its environment, validated once at start-up."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=False)

    app_env: Literal["development", "test", "production"] = "production"
    secret_key: SecretStr | None = None
    database_url: str | None = None
    public_base_url: str | None = None
    link_base_url: str | None = None

    twilio_account_sid: str | None = None
    twilio_auth_token: SecretStr | None = None
    twilio_sms_from: str | None = None
    twilio_whatsapp_from: str | None = None
    twilio_messaging_service_sid: str | None = None
    twilio_api_base_url: str | None = None

    telegram_bot_token: SecretStr | None = None
    telegram_webhook_secret: SecretStr | None = None
    telegram_api_base_url: str | None = None
    telegram_bot_username: str | None = None

    smtp_url: str | None = None
    mail_from: str | None = None

    payment_webhook_secret: SecretStr | None = None
    # Fernet keys (comma-separated, newest first) for secrets stored in the database; required in production.
    secrets_encryption_keys: SecretStr | None = None
    # host:port pairs (comma-separated) that outbound calls may reach although they are not public addresses.
    outbound_allowed_hosts: str = ""
    # Shared storage for rate limits, sign-in delays and circuit breakers across processes (redis://host:6379/0).
    redis_url: str | None = None

    max_request_bytes: int = 16 * 1024 * 1024
    max_json_bytes: int = 256 * 1024
    link_valid_days_after_due: int = 90
    bill_fetch_timeout_seconds: float = 2.0
    # The outbox worker: send rates per channel (messages per second, per sender), retries and leases.
    send_rates: str = "sms=10,whatsapp=20,telegram=25,email=10"
    outbox_max_attempts: int = 6
    outbox_lease_seconds: int = 30  # renewed every third of it while a worker holds the message
    worker_concurrency: int = 32  # sends in flight per worker process (each waits on the provider, not the CPU)
    sms_max_segments: int = 4
    # The dunning pass on PostgreSQL: how many of its INSERT … SELECT batches run at once, each keeping one core of
    # the database for about a second per 25,000 due bills; at most 8 (the engine's pool holds 15 connections).
    dunning_connections: int = Field(default=2, ge=1, le=8)
    # Bulk uploads (CSV import, bulk notify) larger than this run as background jobs in the worker.
    bulk_sync_max_rows: int = 2000
    bulk_sync_max_bytes: int = 256 * 1024
    # A bank statement with more lines than this is matched by a background job (about 10 ms a line, more for
    # each payment it records, so 100 lines answer in about a second).
    statement_sync_max_lines: int = 100
    # Renewed every heartbeat and at every batch an import or statement job commits; generous because a bulk
    # notify on SQLite is one transaction, and the heartbeat waits for its write lock.
    job_lease_seconds: int = 300
    job_heartbeat_seconds: float = 5.0
    job_max_attempts: int = 3
    # A background import on SQLite stages this many rows per transaction (each holds the one write lock) and
    # publishes five times as many (billing/import_staging.py); a background bulk notify commits its messages every
    # this many rows, on either database (jobs/bulk.py).
    import_batch_rows: int = 1000
    provider_timeout_seconds: float = 15.0
    ratelimit_storage_uri: str = "memory://"
    log_level: str = "INFO"
    proxy_hops: int = 0  # how many trusted reverse proxies set X-Forwarded-* in front of the app
    # Development and tests only: seconds this process's clock runs ahead of the system clock (negative: behind),
    # so that workers, schedulers and CLI runs started by a test share the test's instant. Production refuses it.
    clock_offset_seconds: float = 0.0
    # argon2's cost; tests lower it so that signing in is not the slowest part of the suite.
    password_time_cost: int = 3
    password_memory_kib: int = 65536

    @field_validator("public_base_url", "link_base_url", "twilio_api_base_url", "telegram_api_base_url")
    @classmethod
    def _strip_trailing_slash(cls, value: str | None) -> str | None:
        return value.rstrip("/") if value else value

    @property
    def send_rate_per_channel(self) -> dict[str, float]:
        """SEND_RATES parsed: channel → messages per second (absent or 0 = unlimited)."""
        rates = {}
        for item in filter(None, (part.strip() for part in self.send_rates.split(","))):
            channel, _, rate = item.partition("=")
            rates[channel.strip()] = float(rate)
        return rates

    @property
    def outbound_allowed_host_set(self) -> frozenset[str]:
        """OUTBOUND_ALLOWED_HOSTS parsed: lower-case `host:port` entries."""
        return frozenset(filter(None, (part.strip().lower() for part in self.outbound_allowed_hosts.split(","))))

    @property
    def encryption_keys(self) -> list[str]:
        """SECRETS_ENCRYPTION_KEYS parsed, newest first (resolved settings always have one)."""
        raw = self.secrets_encryption_keys.get_secret_value() if self.secrets_encryption_keys else ""
        return [key.strip() for key in raw.split(",") if key.strip()]

    @property
    def rate_limit_storage(self) -> str:
        """Where rate-limit counters live: REDIS_URL when set (shared by every process), else RATELIMIT_STORAGE_URI."""
        if self.redis_url and self.ratelimit_storage_uri == "memory://":
            return self.redis_url
        return self.ratelimit_storage_uri

    @property
    def is_production(self) -> bool:
        return self.app_env == "production"

    def resolved(self, instance_path: str) -> Settings:
        """Fill development defaults and refuse to start production without its secrets."""
        if self.is_production and self.clock_offset_seconds:
            raise ConfigurationError("CLOCK_OFFSET_SECONDS is for development and tests only; unset it in production.")
        missing = self.missing_for_production() if self.is_production else []
        if missing:
            raise ConfigurationError(
                "Missing required settings for APP_ENV=production: "
                + ", ".join(missing)
                + ". Set them in the environment (see .env.example), "
                "or set APP_ENV=development for local use."
            )
        updates: dict = {}
        if not self.secret_key:
            updates["secret_key"] = SecretStr(_DEV_SECRET_KEY)
        if not self.payment_webhook_secret:
            updates["payment_webhook_secret"] = SecretStr(_DEV_PAYMENT_SECRET)
        if not self.encryption_keys:
            updates["secrets_encryption_keys"] = SecretStr(_DEV_ENCRYPTION_KEY)
        if not self.public_base_url:
            updates["public_base_url"] = "http://127.0.0.1:5000"
        updates["database_url"] = normalise_database_url(
            self.database_url or f"sqlite:///{Path(instance_path) / 'clickpay.db'}"
        )
        return self.model_copy(update=updates)

    def missing_for_production(self) -> list[str]:
        """Names of variables production cannot run without, given what else is set."""
        required = {
            "SECRET_KEY": self.secret_key,
            "PUBLIC_BASE_URL": self.public_base_url,
            "PAYMENT_WEBHOOK_SECRET": self.payment_webhook_secret,
            "SECRETS_ENCRYPTION_KEYS": self.encryption_keys,
        }
        if self.twilio_account_sid:
            required["TWILIO_AUTH_TOKEN"] = self.twilio_auth_token
        if self.telegram_bot_token:
            required["TELEGRAM_WEBHOOK_SECRET"] = self.telegram_webhook_secret
        return [name for name, value in required.items() if not value]

    @property
    def is_sqlite(self) -> bool:
        return (self.database_url or "").startswith("sqlite")


def normalise_database_url(url: str) -> str:
    """Point plain PostgreSQL URLs (as hosting platforms give them) at the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def current_settings() -> Settings:
    """The resolved settings of the current app."""
    from flask import current_app

    return current_app.extensions["settings"]
