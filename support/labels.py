"""Words for the codes the system stores: channels, payment apps, message failures and statuses."""

from __future__ import annotations

from billing.apps import catalogue

CHANNELS = {"whatsapp": "WhatsApp", "sms": "SMS", "email": "Email", "telegram": "Telegram"}

FAILURES = {
    "outside_window_no_template": "no approved WhatsApp template outside the 24-hour window",
    "opted_out": "the customer opted out of this channel",
    "sms_too_long": "the SMS was longer than the segment limit",
    "outcome_unknown": "the provider may have delivered an earlier attempt, so it was not sent again",
    "bill_settled": "the bill was already paid or cancelled",
    "paused": "reminders for this bill are paused",
    "contact_hours": "outside contact hours (it waits for the next allowed time)",
    "telegram_blocked": "the customer blocked the Telegram bot",
    "21211": "the phone number is not valid",
    "21610": "the customer replied STOP to SMS",
    "21614": "the number cannot receive SMS",
    "30003": "the phone was unreachable",
    "30004": "the message was blocked",
    "30005": "the number is unknown to the carrier",
    "30006": "the number is a landline or unreachable carrier",
    "30007": "the carrier filtered the message",
    "30008": "an unknown delivery error at the carrier",
    "63016": "WhatsApp's 24-hour window had closed",
    "63024": "the recipient is not on WhatsApp",
}

STATUSES = {
    "queued": "queued",
    "sending": "sending",
    "sent": "sent",
    "delivered": "delivered",
    "read": "read",
    "failed": "failed",
    "undelivered": "not delivered",
    "cancelled": "not sent",
}

TEMPLATES = {
    "reminder_before_due": "reminder before the due date",
    "reminder_due_today": "due-today reminder",
    "reminder_overdue": "overdue reminder",
    "notify": "payment link",
    "receipt": "receipt",
}


def channel_label(code: str | None) -> str:
    """'whatsapp' → 'WhatsApp'."""
    return CHANNELS.get(code or "", code or "unknown channel")


def app_label(code: str | None) -> str:
    """A payment app's name as people know it ('icici_imobile' → 'iMobile Pay'); 'QR code' for the QR."""
    if not code:
        return "unknown app"
    app = catalogue().get(code)
    return app.name if app else code.replace("_", " ")


def failure_label(code: str | None) -> str:
    """Why a message failed or was withdrawn, in words."""
    if not code:
        return "unknown reason"
    return FAILURES.get(code, f"provider error {code}" if code.isdigit() else code.replace("_", " "))


def status_label(code: str | None) -> str:
    return STATUSES.get(code or "", code or "")


def template_label(code: str | None) -> str:
    return TEMPLATES.get(code or "", (code or "message").replace("_", " "))
