"""Timestamped HMAC-SHA256 signatures: `t=<unix seconds>,v1=<hex HMAC(secret, "<t>.<raw body>")>`."""

from __future__ import annotations

import hashlib
import hmac

from models.db import utcnow

REPLAY_WINDOW_SECONDS = 300


class SignatureError(ValueError):
    """A signature that is missing, malformed, wrong or too old."""


def sign(secret: str, body: bytes, *, timestamp: int | None = None) -> str:
    """The X-Signature header value for a body."""
    t = int(utcnow().timestamp()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


def verify(secret: str, header: str | None, body: bytes, *, now: float | None = None) -> None:
    """Raise SignatureError unless the header signs this body within the replay window."""
    if not header:
        raise SignatureError("missing signature")
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(parts["t"])
        presented = parts["v1"]
    except (KeyError, ValueError):
        raise SignatureError("malformed signature") from None
    if abs((utcnow().timestamp() if now is None else now) - timestamp) > REPLAY_WINDOW_SECONDS:
        raise SignatureError("stale signature")
    expected = sign(secret, body, timestamp=timestamp).split("v1=", 1)[1]
    if not hmac.compare_digest(expected, presented):
        raise SignatureError("signature does not match")
