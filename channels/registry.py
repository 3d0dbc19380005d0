"""Which provider serves each channel: the real one when its credentials are set, else the console."""

from __future__ import annotations

import threading

from flask import current_app

from channels.base import ChannelProvider
from channels.console import ConsoleChannel
from channels.email_channel import EmailChannel
from channels.telegram_channel import TelegramChannel
from channels.twilio_channels import TwilioChannel
from config import Settings
from models.vocab import Channel


def build_providers(settings: Settings) -> dict[str, ChannelProvider]:
    """One provider per channel, chosen by which credentials are present."""
    twilio = bool(settings.twilio_account_sid and settings.twilio_auth_token)
    service = bool(settings.twilio_messaging_service_sid)
    providers: dict[str, ChannelProvider] = {
        Channel.SMS: TwilioChannel("sms", settings) if twilio and (settings.twilio_sms_from or service) else None,
        Channel.WHATSAPP: TwilioChannel("whatsapp", settings)
        if twilio and (settings.twilio_whatsapp_from or service)
        else None,
        Channel.TELEGRAM: TelegramChannel(settings) if settings.telegram_bot_token else None,
        Channel.EMAIL: EmailChannel(settings) if settings.smtp_url and settings.mail_from else None,
    }
    return {str(name): provider or ConsoleChannel(str(name)) for name, provider in providers.items()}


_build_lock = threading.Lock()


def providers() -> dict[str, ChannelProvider]:
    """The current app's providers, built once (worker threads share them)."""
    extensions = current_app.extensions
    if "channel_providers" not in extensions:
        with _build_lock:
            if "channel_providers" not in extensions:
                extensions["channel_providers"] = build_providers(extensions["settings"])
    return extensions["channel_providers"]


def console_only(settings: Settings) -> bool:
    """True when no real provider is configured (the demo and simulator setting)."""
    return all(isinstance(provider, ConsoleChannel) for provider in build_providers(settings).values())


def close_providers(app) -> None:
    """Release providers' connections and event loops (worker shutdown, end of a test)."""
    for provider in app.extensions.pop("channel_providers", {}).values():
        close = getattr(provider, "close", None)
        if close:
            close()
