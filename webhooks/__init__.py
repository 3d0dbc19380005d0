"""Inbound webhooks: Twilio, Telegram and payment confirmations, each authenticated (issues #3-#5)."""
