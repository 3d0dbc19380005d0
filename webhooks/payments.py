"""POST /webhooks/payments: payment confirmations from the PSP, signed with HMAC-SHA256."""

from __future__ import annotations

import json
import logging
import re
from typing import Annotated, Literal

from flask import jsonify, request
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from sqlmodel import select

from accounts.audit import record_audit
from billing.amounts import MAX_AMOUNT_PAISE
from billing.checkout import find_attempt
from billing.payments import record_payment_failure
from billing.signatures import SignatureError, verify
from config import current_settings
from errors.http import ApiError, validation_error
from models import Bill, Biller
from models.db import get_session, utcnow
from webhooks import bp
from workflows import Actor
from workflows.payments import record_payment

log = logging.getLogger(__name__)
TR_PATTERN = re.compile(r"^[A-Za-z0-9]{1,35}$")


class PaymentNotice(BaseModel):
    """The PSP's word that a payment attempt succeeded or failed."""

    model_config = ConfigDict(extra="ignore")

    tr: Annotated[str, StringConstraints(pattern=TR_PATTERN.pattern)]
    amount: Annotated[int, Field(gt=0, le=MAX_AMOUNT_PAISE)]
    utr: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9]{1,64}$")]
    status: Literal["SUCCESS", "FAILURE"]
    app: Annotated[str, StringConstraints(max_length=32)] | None = None
    currency: str = "INR"


def _signing_secret(session, raw: bytes) -> str:
    """The secret the notice must be signed with: its biller's own, else the shared PAYMENT_WEBHOOK_SECRET.

    The shared secret is the fallback for billers without their own for one release (see .env.example).
    The `tr` read here is not trusted yet: it only chooses which secret the signature is checked against.
    """
    shared = current_settings().payment_webhook_secret.get_secret_value()
    try:
        transaction_reference = json.loads(raw).get("tr")
    except (ValueError, AttributeError, RecursionError):
        return shared
    if not isinstance(transaction_reference, str) or not TR_PATTERN.fullmatch(transaction_reference):
        return shared
    attempt = find_attempt(session=session, transaction_reference=transaction_reference)
    biller = session.exec(select(Biller).join(Bill).where(Bill.id == attempt.bill_id)).first() if attempt else None
    if biller is None or not biller.payment_webhook_secret:
        return shared
    return biller.payment_webhook_secret


@bp.post("/payments")
def payment_webhook():
    """Record a confirmed payment against the bill whose `tr` it carries; replays change nothing."""
    raw = request.get_data()
    session = get_session()
    try:
        verify(_signing_secret(session, raw), request.headers.get("X-Signature"), raw)
    except SignatureError as exc:
        raise ApiError(401, "invalid_signature", str(exc).capitalize(), field="X-Signature") from None
    try:
        notice = PaymentNotice.model_validate_json(raw, strict=True)
    except ValidationError as exc:
        raise validation_error(exc) from None

    attempt = find_attempt(session=session, transaction_reference=notice.tr)
    if attempt is None:
        record_audit(
            session=session,
            biller_id=None,
            actor="payment_webhook",
            action="payment.unmatched",
            detail={"tr": notice.tr, "utr": notice.utr, "amount": notice.amount, "status": notice.status},
        )
        session.commit()
        raise ApiError(404, "unknown_transaction", "No payment attempt has this transaction reference", field="tr")
    bill = session.get(Bill, attempt.bill_id)
    if notice.currency != "INR":
        record_audit(
            session=session,
            biller_id=bill.biller_id,
            actor="payment_webhook",
            action="payment.rejected",
            subject_type="bill",
            subject_id=bill.id,
            detail={"tr": notice.tr, "utr": notice.utr, "currency": notice.currency[:8]},
        )
        session.commit()
        raise ApiError(422, "unsupported_currency", "Only INR payments are accepted", field="currency")
    if notice.status == "FAILURE":
        recorded = record_payment_failure(session=session, attempt=attempt, utr=notice.utr, app=notice.app)
        session.commit()
        return jsonify({"status": "failure_recorded" if recorded else "duplicate", "bill_id": bill.id})

    result = record_payment(
        session=session,
        actor=Actor("webhook"),
        now=utcnow(),
        bill=bill,
        amount_paise=notice.amount,
        reference=notice.utr,
        source="webhook",
        app=notice.app or attempt.app,
    )
    session.commit()
    log.info("payment webhook: bill %s payment %s duplicate=%s", bill.id, result.payment.id, result.duplicate)
    return jsonify(
        {
            "status": "duplicate" if result.duplicate else "recorded",
            "bill_id": bill.id,
            "bill_status": bill.status,
            "amount_due": bill.amount_due_paise,
            "overpaid": result.overpaid_paise,
        }
    )
