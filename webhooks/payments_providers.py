"""POST /webhooks/payments/<provider>/<biller_id>: Razorpay and Cashfree payment notices, signed as they document."""

from __future__ import annotations

import logging

from flask import abort, jsonify, request

from billing.signatures import SignatureError
from models import Biller
from models.db import get_session, utcnow
from reconciliation.providers import PROVIDERS, SIGNATURE_HEADERS, provider_secret, read_notice, verify_signature
from webhooks import bp
from workflows.reconciliation import accept_provider_notice

log = logging.getLogger(__name__)


@bp.post("/payments/<provider>/<int:biller_id>")
def provider_payment_webhook(provider: str, biller_id: int):
    """Record the payment a provider notifies; unknown events are acknowledged and ignored, replays change nothing."""
    if provider not in PROVIDERS:
        abort(404)
    session = get_session()
    biller = session.get(Biller, biller_id)
    raw = request.get_data()
    secret = provider_secret(session=session, biller_id=biller.id, provider=provider) if biller else None
    try:
        if secret is None:
            # An unknown biller and one without this provider's secret get the same answer as a bad signature, so
            # the path does not tell a caller which biller ids exist; the log says which it was.
            log.warning("%s notice for biller %s: no such biller or no secret set", provider, biller_id)
            raise SignatureError("the signature cannot be verified")
        verify_signature(provider, secret, request.headers, raw)
    except SignatureError as exc:
        error = {"code": "invalid_signature", "message": str(exc).capitalize(), "field": SIGNATURE_HEADERS[provider]}
        return jsonify({"error": error}), 401
    notice = read_notice(provider, raw)
    if notice is None:
        return jsonify({"status": "ignored"})
    answer = accept_provider_notice(session=session, biller=biller, provider=provider, notice=notice, now=utcnow())
    session.commit()
    log.info("%s notice: biller %s status %s", provider, biller.id, answer["status"])
    return jsonify(answer)
