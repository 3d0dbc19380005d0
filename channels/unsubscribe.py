"""Signed one-click unsubscribe links: the token names the customer and channel, nothing else."""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from config import current_settings

_SALT = "unsubscribe"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def unsubscribe_url(*, customer_id: int, channel: str) -> str:
    """The link (and List-Unsubscribe target) that opts this customer out of this channel."""
    token = _serializer().dumps({"c": customer_id, "ch": str(channel)})
    return f"{current_settings().public_base_url}/u/{token}"


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """(customer id, channel) from a genuine token, else None."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    return int(data["c"]), str(data["ch"])
