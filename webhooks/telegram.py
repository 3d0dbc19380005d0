"""POST /webhooks/telegram: updates from Telegram, checked by the secret token set with setWebhook."""

from __future__ import annotations

import hmac

from flask import abort, jsonify, request
from telegram import Update

from bot.engine import Inbound, handle_inbound
from config import current_settings
from models.db import get_session, utcnow
from webhooks import bp

MAX_TEXT = 4096


@bp.post("/telegram")
def telegram_inbound():
    """Parse the update with PTB and hand it to the bot; retried update_ids get no second reply."""
    secret = current_settings().telegram_webhook_secret
    presented = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
    if secret is None or not hmac.compare_digest(presented.encode(), secret.get_secret_value().encode()):
        abort(403, "Invalid Telegram secret token")
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or "update_id" not in data:
        abort(400, "Not a Telegram update")
    try:
        update = Update.de_json(data, None)
    except (KeyError, TypeError, ValueError):
        abort(400, "Not a Telegram update")
    inbound = inbound_from_update(update)
    if inbound is not None:
        session = get_session()
        handle_inbound(session=session, inbound=inbound, settings=current_settings())
        session.commit()
    return jsonify({"ok": True})


def inbound_from_update(update: Update) -> Inbound | None:
    """The customer message an update carries; None for bots, groups and updates we do not handle."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or user.is_bot or chat.type != "private":
        return None
    text, payload, start = "", None, None
    if update.callback_query is not None:
        payload = (update.callback_query.data or "")[:64]
    elif update.effective_message is not None:
        text = (update.effective_message.text or update.effective_message.caption or "")[:MAX_TEXT]
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
