"""Twilio webhooks: delivery status callbacks (and inbound messages, with the bot), signature-checked."""

from __future__ import annotations

from flask import Response, abort, request
from twilio.request_validator import RequestValidator

from billing.phones import normalise_phone
from billing.senders import own_sender_numbers
from bot.engine import Inbound, handle_inbound
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


@bp.post("/twilio")
def twilio_inbound():
    """An SMS or WhatsApp message from a customer; the bot answers through the outbox, not in TwiML."""
    require_twilio_signature()
    sid, sender = request.form.get("MessageSid") or request.form.get("SmsSid"), request.form.get("From")
    if not sid or not sender:
        abort(400, "MessageSid and From are required")
    channel = "whatsapp" if sender.lower().startswith("whatsapp:") else "sms"
    session = get_session()
    if _is_our_number(session, sender):
        return Response(EMPTY_TWIML, mimetype="text/xml")  # never answer ourselves: no loops
    try:
        address = normalise_phone(sender)
    except ValueError:
        address = sender.removeprefix("whatsapp:")[:32]  # not a customer number: the bot says how to connect
    inbound = Inbound(
        channel=channel,
        address=address,
        text=(request.form.get("Body") or "")[:MAX_TEXT],
        provider_message_id=sid,
        received_at=utcnow(),
        payload=request.form.get("ButtonPayload") or None,
        to=request.form.get("To") or None,
    )
    handle_inbound(session=session, inbound=inbound, settings=current_settings())
    session.commit()
    return Response(EMPTY_TWIML, mimetype="text/xml")


def _is_our_number(session, sender: str) -> bool:
    settings = current_settings()
    ours = {
        number.removeprefix("whatsapp:")
        for number in (settings.twilio_sms_from, settings.twilio_whatsapp_from)
        if number
    } | own_sender_numbers(session=session)
    return sender.removeprefix("whatsapp:") in ours
