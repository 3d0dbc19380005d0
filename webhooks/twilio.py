"""Twilio webhooks: delivery status callbacks and inbound messages (stored for the worker), signature-checked."""

from __future__ import annotations

from flask import Response, abort, request
from twilio.request_validator import RequestValidator

from billing.phones import normalise_phone
from billing.text import scrub_text
from channels.inbox import store_inbound
from channels.status import apply_provider_status
from config import current_settings
from models.db import get_session, utcnow
from webhooks import bp

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
MAX_TEXT = 4096


def require_twilio_signature() -> None:
    """403 unless X-Twilio-Signature signs this request for our public URL (correct behind a TLS proxy)."""
    settings = current_settings()
    token = settings.twilio_auth_token.get_secret_value() if settings.twilio_auth_token else None
    if not token:
        abort(403, "Twilio is not configured")
    url = settings.public_base_url + request.full_path.rstrip("?")
    if not RequestValidator(token).validate(url, request.form.to_dict(), request.headers.get("X-Twilio-Signature", "")):
        abort(403, "Invalid Twilio signature")


def _form(name: str) -> str | None:
    """A form parameter without NUL, control or bidi-override characters (Twilio passes on what people type)."""
    value = request.form.get(name)
    return None if value is None else scrub_text(value)


@bp.post("/twilio/status")
def twilio_status():
    """Record a message's delivery status; callbacks may arrive out of order and are applied monotonically."""
    require_twilio_signature()
    sid, status = _form("MessageSid"), _form("MessageStatus")
    if not sid or not status:
        abort(400, "MessageSid and MessageStatus are required")
    session = get_session()
    apply_provider_status(
        session=session,
        provider_message_id=sid,
        provider_status=status,
        error_code=_form("ErrorCode") or None,
    )
    session.commit()
    return "", 204


@bp.post("/twilio")
def twilio_inbound():
    """An SMS or WhatsApp message from a customer: stored and acknowledged; the worker's bot answers it."""
    require_twilio_signature()
    sid, sender = _form("MessageSid") or _form("SmsSid"), _form("From")
    if not sid or not sender:
        abort(400, "MessageSid and From are required")
    try:
        address = normalise_phone(sender)
    except ValueError:
        address = sender.removeprefix("whatsapp:")[:32]  # not a customer number: the bot says how to connect
    session = get_session()
    store_inbound(
        session=session,
        provider_message_id=sid[:64],
        channel="whatsapp" if sender.lower().startswith("whatsapp:") else "sms",
        address=address,
        text=(_form("Body") or "")[:MAX_TEXT],
        received_at=utcnow(),
        payload=(_form("ButtonPayload") or "")[:64] or None,
        to=(_form("To") or "")[:64] or None,
    )
    session.commit()
    return Response(EMPTY_TWIML, mimetype="text/xml")
