"""Twilio webhooks: delivery status callbacks (and inbound messages, with the bot), signature-checked."""

from __future__ import annotations

from flask import abort, request
from twilio.request_validator import RequestValidator

from channels.status import apply_provider_status
from config import current_settings
from models.db import get_session
from webhooks import bp


def require_twilio_signature() -> None:
    """403 unless X-Twilio-Signature signs this request for our public URL (correct behind a TLS proxy)."""
    settings = current_settings()
    token = settings.twilio_auth_token.get_secret_value() if settings.twilio_auth_token else None
    if not token:
        abort(403, "Twilio is not configured")
    url = settings.public_base_url + request.full_path.rstrip("?")
    if not RequestValidator(token).validate(url, request.form.to_dict(), request.headers.get("X-Twilio-Signature", "")):
        abort(403, "Invalid Twilio signature")


@bp.post("/twilio/status")
def twilio_status():
    """Record a message's delivery status; callbacks may arrive out of order and are applied monotonically."""
    require_twilio_signature()
    sid, status = request.form.get("MessageSid"), request.form.get("MessageStatus")
    if not sid or not status:
        abort(400, "MessageSid and MessageStatus are required")
    session = get_session()
    apply_provider_status(
        session=session,
        provider_message_id=sid,
        provider_status=status,
        error_code=request.form.get("ErrorCode") or None,
    )
    session.commit()
    return "", 204
