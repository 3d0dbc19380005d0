"""POST /api/v1/bills/<id>/payments: a biller reports money received by other means."""

from __future__ import annotations

from flask import g, jsonify

from api import route
from api.auth import current_biller
from api.errors import parse_json_body
from billing.bills import bill_public, get_bill
from billing.schemas import PaymentIn, PaymentPublic
from config import current_settings
from models.db import get_session, utcnow
from workflows import api_key
from workflows.payments import record_payment


@route(
    "POST",
    "/bills/<int:bill_id>/payments",
    summary="Record a payment against a bill",
    request=PaymentIn,
    response=PaymentPublic,
    status=201,
    other_statuses={200: "Already recorded: the first payment with this reference"},
)
def post_payment(bill_id: int):
    """Record a payment (201); the same reference again returns the first payment (200)."""
    data = parse_json_body(PaymentIn)
    session = get_session()
    bill = get_bill(session=session, biller_id=current_biller().id, bill_id=bill_id)
    result = record_payment(
        session=session,
        actor=api_key(g.api_key_id),
        now=utcnow(),
        bill=bill,
        amount_paise=data.amount,
        reference=data.reference,
        source="api",
        app=data.app,
    )
    session.commit()
    payment = result.payment
    body = PaymentPublic(
        id=payment.id,
        bill_id=bill.id,
        amount=payment.amount_paise,
        reference=payment.reference,
        app=payment.app,
        source=payment.source,
        paid_at=payment.paid_at,
        duplicate=result.duplicate,
        overpaid=result.overpaid_paise,
        bill=bill_public(session=session, bill=bill, settings=current_settings()),
    )
    return jsonify(body.model_dump(mode="json")), 200 if result.duplicate else 201
