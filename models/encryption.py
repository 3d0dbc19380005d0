"""Secrets stored for billers (bill-fetch and payment-webhook secrets), encrypted at rest with Fernet.

Keys come from SECRETS_ENCRYPTION_KEYS, newest first: values are encrypted with the first and read with any
(MultiFernet), so a key is rotated by putting a new one in front and running `flask --app app secrets rotate`.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import Flask, current_app
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

from config import ConfigurationError


class SecretBox:
    """Encrypts and decrypts stored secrets with the app's keys."""

    def __init__(self, keys: list[str]) -> None:
        try:
            self._fernet = MultiFernet([Fernet(key.encode()) for key in keys])
        except (ValueError, TypeError):
            raise ConfigurationError(
                "SECRETS_ENCRYPTION_KEYS must be Fernet keys (32 url-safe base64-encoded bytes), comma-separated"
            ) from None

    def init_app(self, app: Flask) -> None:
        """Make this the box the app's encrypted columns use."""
        app.extensions["secret_box"] = self

    def encrypt(self, plain: str) -> str:
        """A token for the plain text, under the newest key."""
        return self._fernet.encrypt(plain.encode()).decode()

    def decrypt(self, token: str) -> str:
        """The plain text of a token made under any of the keys; InvalidToken when none fits."""
        return self._fernet.decrypt(token.encode()).decode()

    def rotate(self, token: str) -> str:
        """The same secret re-encrypted under the newest key."""
        return self._fernet.rotate(token.encode()).decode()

    def is_token(self, value: str) -> bool:
        """Whether the value is a token one of our keys made (as opposed to plain text stored earlier)."""
        try:
            self.decrypt(value)
        except InvalidToken:
            return False
        return True


def current_box() -> SecretBox:
    """The secret box of the current app."""
    return current_app.extensions["secret_box"]


class EncryptedText(TypeDecorator):
    """A string column stored as a Fernet token and read back as plain text, with the current app's keys."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else current_box().encrypt(value)

    def process_result_value(self, value, dialect):
        return None if value is None else current_box().decrypt(value)
