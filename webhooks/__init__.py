"""Inbound webhooks under /webhooks: payments (and Twilio and Telegram), each authenticated."""

from flask import Blueprint

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")

from webhooks import payments, payments_providers, telegram, twilio  # noqa: E402,F401  (routes register themselves on bp)
