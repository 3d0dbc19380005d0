"""The customer's choices the bot keeps: preferred payment app, language, and STOP / START per channel."""

from __future__ import annotations

from billing.apps import PaymentApp, apps_for
from billing.customers import set_opted_out, set_preferred_app
from bot.texts import say
from bot.turn import Reply, Turn, biller_of
from bot.understanding.classify import is_carrier_keyword
from models.vocab import Channel, ConversationState


def ask_app(turn: Turn) -> list[Reply]:
    """Offer the biller's payment apps by number (and as buttons where the channel has them)."""
    apps = apps_for(biller_of(turn, turn.customers[0]).payment_apps)
    turn.conversation.state = ConversationState.CHOOSING_APP
    options = "\n".join(f"{number} {app.name}" for number, app in enumerate(apps, start=1))
    buttons = tuple((app.name, str(number)) for number, app in enumerate(apps, start=1))
    return [Reply(say("choose_app", turn.language, options=options), buttons)]


def set_app(turn: Turn) -> list[str | Reply]:
    """Save the app the customer named ("phone pe", "फोनपे") when the biller offers it; else offer the list."""
    apps = apps_for(biller_of(turn, turn.customers[0]).payment_apps)
    named = next((app for app in apps if app.id == turn.understanding.slots.app), None)
    return _save_app(turn, named) if named else ask_app(turn)


def choose_app(turn: Turn, number: int) -> list[str | Reply]:
    """Record the app picked from the list; it comes first on the payment page."""
    apps = apps_for(biller_of(turn, turn.customers[0]).payment_apps) if turn.customers else []
    if not 1 <= number <= len(apps):
        return ask_app(turn)
    return _save_app(turn, apps[number - 1])


def _save_app(turn: Turn, app: PaymentApp) -> list[str]:
    set_preferred_app(session=turn.session, customers=turn.customers, app_id=app.id)
    turn.conversation.state = ConversationState.IDLE
    return [say("app_saved", turn.language, app=app.name)]


def set_language(turn: Turn) -> list[str | Reply]:
    """Switch to the language named ("हिंदी में", "বাংলায়"), or offer the three."""
    language = turn.understanding.slots.language
    return choose_language(turn, language) if language else ask_language(turn)


def ask_language(turn: Turn) -> list[Reply]:
    """Offer English, Hindi and Bengali by number (and as buttons)."""
    turn.conversation.state = ConversationState.CHOOSING_LANGUAGE
    return [Reply(say("choose_language", turn.language), (("English", "1"), ("हिन्दी", "2"), ("বাংলা", "3")))]


def choose_language(turn: Turn, language: str) -> list[str]:
    """Speak this language from now on (the payment page and reminders too)."""
    for customer in turn.customers:
        customer.language = language
        turn.session.add(customer)
    turn.conversation.state = ConversationState.IDLE
    turn.language = language
    return [say("language_saved", language)]


def opt(turn: Turn, intent: str) -> list[Reply]:
    """STOP / START for this channel, confirmed exactly once: Twilio itself answers its keywords on SMS."""
    for customer in turn.customers:
        set_opted_out(
            session=turn.session, customer_id=customer.id, channel=turn.inbound.channel, opted_out=intent == "stop"
        )
    if turn.inbound.channel == Channel.SMS and is_carrier_keyword(turn.text):
        return []
    if intent == "stop":
        return [Reply(say("stopped", turn.language), confirms_opt_out=True)]
    return [Reply(say("started", turn.language))]
