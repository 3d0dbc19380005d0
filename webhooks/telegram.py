"""POST /webhooks/telegram: updates from Telegram, checked by the secret token set with setWebhook."""

from __future__ import annotations

import hmac
from dataclasses import asdict

from flask import abort, jsonify, request
from telegram import Update

from billing.text import scrub_text
from bot.engine import Inbound
from channels.inbox import store_inbound
from config import current_settings
from models.db import get_session, utcnow
from webhooks import bp

MAX_TEXT = 4096


@bp.post("/telegram")
def telegram_inbound():
    """Parse the update with PTB and store it for the worker's bot; retried update_ids get no second reply."""
    secret = current_settings().telegram_webhook_secret
    presented = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
    if secret is None or not hmac.compare_digest(presented.encode(), secret.get_secret_value().encode()):
        abort(403, "Invalid Telegram secret token")
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
        abort(400, "Not a Telegram update")
    inbound = _inbound_or_none(data)
    if inbound is not None:  # stored once per update_id: a retried update gets no second reply
        session = get_session()
        store_inbound(session=session, **asdict(inbound))
        session.commit()
    return jsonify({"ok": True})


def _inbound_or_none(data: dict) -> Inbound | None:
    """The customer message of a well-formed update; None (acknowledged, ignored) for a malformed one.

    Telegram retries every update it gets no 200 for, so a malformed one is answered 200 and dropped.
    """
    try:
        update = Update.de_json(data, None)
        inbound = inbound_from_update(update)
    except (AttributeError, KeyError, TypeError, ValueError):
        return None
    if inbound is None or not _is_chat_id(inbound.address):
        return None
    return inbound


def _is_chat_id(address: str) -> bool:
    # Telegram chat ids are integers that fit in 52 bits; anything else is not a chat we can answer.
    return address.lstrip("-").isdigit() and abs(int(address)) < 2**52


def inbound_from_update(update: Update) -> Inbound | None:
    """The customer message an update carries; None for bots, groups and updates we do not handle."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or user.is_bot or chat.type != "private":
        return None
    text, payload, start = "", None, None
    if update.callback_query is not None:
        payload = scrub_text(update.callback_query.data or "")[:64]
    elif update.effective_message is not None:
        text = scrub_text(update.effective_message.text or update.effective_message.caption or "")[:MAX_TEXT]
        if text.startswith("/start"):
            start = text.removeprefix("/start").strip()[:64] or None
            text = "menu"
    else:
        return None
    return Inbound(
        channel="telegram",
        address=str(chat.id),
        text=text,
        payload=payload,
        start_payload=start,
        provider_message_id=f"tg-update-{update.update_id}",
        received_at=utcnow(),
    )
