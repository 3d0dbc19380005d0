"""What a biller's system calls us with and what we call it at: the bill-fetch endpoint and the secrets.

Secrets are stored encrypted (models.encryption); this module checks them on the way in and rotates keys.
"""

from __future__ import annotations

import secrets

from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session, select

from billing.outbound import OutboundPolicy, check_url
from errors import InvalidInput
from models import Biller

SECRET_MIN_LENGTH = 16
SECRET_MAX_LENGTH = 200
WEBHOOK_SECRET_PREFIX = "whsec_"  # noqa: S105 - a marker, not a secret
_ENCRYPTED_FIELDS = ("bill_fetch_secret", "payment_webhook_secret")


def set_bill_fetch_endpoint(
    *, session: Session, biller: Biller, url: str | None, secret: str | None, policy: OutboundPolicy
) -> None:
    """Point live bill fetch at a URL we may call (empty turns it off); a secret, when given, replaces the old one."""
    url = (url or "").strip()
    if len(url) > 500:
        raise InvalidInput("must be at most 500 characters", field="bill_fetch_url")
    if url:
        check_url(url, policy=policy, field="bill_fetch_url")
    if secret:
        _check_secret(secret, field="bill_fetch_secret")
        biller.bill_fetch_secret = secret
    biller.bill_fetch_url = url or None
    session.add(biller)
    session.flush()


def set_payment_webhook_secret(*, session: Session, biller: Biller, secret: str | None = None) -> str:
    """Give the biller its own payment-webhook secret (a new random one unless given) and return it."""
    if secret is None:
        secret = WEBHOOK_SECRET_PREFIX + secrets.token_urlsafe(32)
    _check_secret(secret, field="payment_webhook_secret")
    biller.payment_webhook_secret = secret
    session.add(biller)
    session.flush()
    return secret


def reencrypt_biller_secrets(*, session: Session) -> int:
    """Re-encrypt every stored biller secret under the newest key (after a key is put in front); returns the count."""
    count = 0
    for biller in session.exec(select(Biller)).all():
        for field in _ENCRYPTED_FIELDS:
            if getattr(biller, field) is not None:
                flag_modified(biller, field)  # written back, so encrypted again with the first key
                count += 1
        session.add(biller)
    session.flush()
    return count


def _check_secret(secret: str, *, field: str) -> None:
    if not SECRET_MIN_LENGTH <= len(secret) <= SECRET_MAX_LENGTH:
        raise InvalidInput(f"must be {SECRET_MIN_LENGTH} to {SECRET_MAX_LENGTH} characters", field=field)
    if not secret.isprintable() or secret != secret.strip():
        raise InvalidInput("must be printable, without spaces around it", field=field)
