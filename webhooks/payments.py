"""POST /webhooks/payments: payment confirmations from the PSP, signed with HMAC-SHA256."""

from __future__ import annotations

import logging
from typing import Annotated, Literal

from flask import jsonify, request
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from accounts.audit import record_audit
from api.errors import ApiError, validation_error
from billing.amounts import MAX_AMOUNT_PAISE
from billing.checkout import find_attempt
from billing.payments import record_payment
from billing.signatures import SignatureError, verify
from config import current_settings
from models import Bill, LinkEvent
from models.db import get_session
from webhooks import bp

log = logging.getLogger(__name__)


class PaymentNotice(BaseModel):
    """The PSP's word that a payment attempt succeeded or failed."""

    model_config = ConfigDict(extra="ignore")

    tr: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9]{1,35}$")]
    amount: Annotated[int, Field(gt=0, le=MAX_AMOUNT_PAISE)]
    utr: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9]{1,64}$")]
    status: Literal["SUCCESS", "FAILURE"]
    app: Annotated[str, StringConstraints(max_length=32)] | None = None
    currency: str = "INR"


@bp.post("/payments")
def payment_webhook():
    """Record a confirmed payment against the bill whose `tr` it carries; replays change nothing."""
    raw = request.get_data()
    try:
        verify(current_settings().payment_webhook_secret.get_secret_value(), request.headers.get("X-Signature"), raw)
    except SignatureError as exc:
        raise ApiError(401, "invalid_signature", str(exc).capitalize(), field="X-Signature") from None
    try:
        notice = PaymentNotice.model_validate_json(raw, strict=True)
    except ValidationError as exc:
        raise validation_error(exc) from None

    session = get_session()
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
        session.add(LinkEvent(link_id=attempt.link_id, bill_id=bill.id, kind="payment_failed", app=notice.app))
        session.commit()
        return jsonify({"status": "failure_recorded", "bill_id": bill.id})

    result = record_payment(
        session=session,
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
