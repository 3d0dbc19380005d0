"""Payment providers' webhooks (Razorpay, Cashfree): their documented signatures and what a notice says.

Razorpay signs the raw body: `X-Razorpay-Signature` = hex HMAC-SHA256(webhook secret, raw body)
(razorpay.com/docs/webhooks/validate-test). Cashfree (webhook versions 2023-08-01 and 2025-01-01) signs
the timestamp and the raw body: `x-webhook-signature` = base64 HMAC-SHA256(secret, x-webhook-timestamp + raw body)
(cashfree.com/docs/payments/online/webhooks/signature-verification).
Secrets are kept per biller, encrypted (models.reconciliation.PaymentProviderAccount).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session, select

from billing.amounts import MAX_AMOUNT_PAISE
from billing.signatures import SignatureError
from errors import InvalidInput
from models import PaymentProviderAccount
from reconciliation.matching import TR_IN_TEXT

RAZORPAY, CASHFREE = "razorpay", "cashfree"
PROVIDERS = (RAZORPAY, CASHFREE)
SIGNATURE_HEADERS = {RAZORPAY: "X-Razorpay-Signature", CASHFREE: "x-webhook-signature"}
RAZORPAY_PAID_EVENTS = ("payment.captured", "payment_link.paid")
CASHFREE_PAID_EVENTS = ("PAYMENT_SUCCESS_WEBHOOK",)
SECRET_MIN_LENGTH, SECRET_MAX_LENGTH = 8, 200  # the biller chooses it in the provider's dashboard


@dataclass(frozen=True)
class ProviderNotice:
    """A provider's word that money arrived, in our terms."""

    transaction_reference: str | None  # our `tr`, when the payment carries it
    utr: str
    amount_paise: int
    currency: str


def verify_signature(provider: str, secret: str, headers: Mapping[str, str], raw: bytes) -> None:
    """Raise SignatureError unless the request is signed with the secret as the provider documents."""
    presented = headers.get(SIGNATURE_HEADERS[provider])
    if not presented:
        raise SignatureError("missing signature")
    if provider == RAZORPAY:
        expected = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    else:
        timestamp = headers.get("x-webhook-timestamp", "")
        if not timestamp.isdigit():
            raise SignatureError("missing timestamp")
        digest = hmac.new(secret.encode(), timestamp.encode() + raw, hashlib.sha256).digest()
        expected = base64.b64encode(digest).decode()
    if not hmac.compare_digest(expected.encode(), presented.strip().encode()):
        raise SignatureError("signature does not match")


def read_notice(provider: str, raw: bytes) -> ProviderNotice | None:
    """The payment a notice reports, or None for an event we do not act on (acknowledged and ignored)."""
    try:
        body = json.loads(raw, parse_float=Decimal)  # Cashfree's 170.00 must stay exact
    except (ValueError, RecursionError):
        raise InvalidInput("The body is not valid JSON", field="body", code="malformed_json") from None
    if not isinstance(body, dict):
        raise InvalidInput("The body is not a JSON object", field="body", code="malformed_json")
    return _razorpay(body) if provider == RAZORPAY else _cashfree(body)


def _razorpay(body: dict) -> ProviderNotice | None:
    if body.get("event") not in RAZORPAY_PAID_EVENTS:
        return None
    payload = _object(body, "payload")
    payment = _object(_object(payload, "payment"), "entity")
    link = _object(_object(payload, "payment_link"), "entity")
    order = _object(_object(payload, "order"), "entity")
    acquirer = _object(payment, "acquirer_data")
    amount = payment.get("amount")
    if isinstance(amount, Decimal) and amount == amount.to_integral_value():
        amount = int(amount)
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise InvalidInput("payload.payment.entity.amount must be an integer in paise", field="amount")
    places = [*_object(payment, "notes").values(), link.get("reference_id"), order.get("receipt")]
    places.append(payment.get("description"))
    utr = acquirer.get("rrn") or payment.get("id")
    return _notice(places, utr, amount, payment.get("currency"))


def _cashfree(body: dict) -> ProviderNotice | None:
    if body.get("type") not in CASHFREE_PAID_EVENTS:
        return None
    data = _object(body, "data")
    order, payment = _object(data, "order"), _object(data, "payment")
    if payment.get("payment_status") != "SUCCESS":
        return None
    try:
        rupees = Decimal(str(payment.get("payment_amount")))
    except InvalidOperation:
        raise InvalidInput("data.payment.payment_amount must be an amount in rupees", field="amount") from None
    # An exponent past the bill limit is refused before quantize, which would raise on it (Decimal("1E+400")).
    if not rupees.is_finite() or rupees.adjusted() > 12 or rupees != rupees.quantize(Decimal("0.01")):
        raise InvalidInput("data.payment.payment_amount must be an amount in rupees", field="amount")
    places = [order.get("order_id"), *_object(order, "order_tags").values()]
    utr = payment.get("bank_reference") or payment.get("cf_payment_id")
    return _notice(places, utr, int(rupees * 100), payment.get("payment_currency"))


def _notice(places: list, utr, amount_paise: int, currency) -> ProviderNotice:
    if not 0 < amount_paise <= MAX_AMOUNT_PAISE:
        raise InvalidInput("The amount must be more than zero and within the bill limit", field="amount")
    utr = str(utr or "")
    if not re.fullmatch(r"[A-Za-z0-9_]{1,64}", utr):
        raise InvalidInput("The payment carries no usable reference (UTR or payment id)", field="utr")
    found = [match for place in places if isinstance(place, str) for match in TR_IN_TEXT.findall(place.upper())]
    return ProviderNotice(found[0] if found else None, utr, amount_paise, str(currency or "INR")[:8])


def _object(parent: dict, key: str) -> dict:
    value = parent.get(key)
    return value if isinstance(value, dict) else {}


def provider_secret(*, session: Session, biller_id: int, provider: str) -> str | None:
    """The secret the biller's account with this provider signs webhooks with, if one is set."""
    account = session.exec(
        select(PaymentProviderAccount).where(
            PaymentProviderAccount.biller_id == biller_id, PaymentProviderAccount.provider == provider
        )
    ).first()
    return account.webhook_secret if account else None


def set_provider_secret(*, session: Session, biller_id: int, provider: str, secret: str) -> PaymentProviderAccount:
    """Store (or replace) the webhook secret of a biller's provider account, encrypted."""
    if provider not in PROVIDERS:
        raise InvalidInput(f"must be one of {', '.join(PROVIDERS)}", field="provider")
    if not SECRET_MIN_LENGTH <= len(secret) <= SECRET_MAX_LENGTH or secret != secret.strip():
        raise InvalidInput(f"must be {SECRET_MIN_LENGTH} to {SECRET_MAX_LENGTH} characters", field="secret")
    account = session.exec(
        select(PaymentProviderAccount).where(
            PaymentProviderAccount.biller_id == biller_id, PaymentProviderAccount.provider == provider
        )
    ).first() or PaymentProviderAccount(biller_id=biller_id, provider=provider, webhook_secret=secret)
    account.webhook_secret = secret
    session.add(account)
    session.flush()
    return account


def reencrypt_provider_secrets(*, session: Session) -> int:
    """Re-encrypt every provider webhook secret under the newest key; returns the count."""
    accounts = session.exec(select(PaymentProviderAccount)).all()
    for account in accounts:
        flag_modified(account, "webhook_secret")  # written back, so encrypted again with the first key
        session.add(account)
    session.flush()
    return len(accounts)
