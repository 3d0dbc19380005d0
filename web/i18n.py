"""Which language a page speaks: an explicit choice, else the customer's, else the browser's."""

from __future__ import annotations

from flask import Flask, g, request
from flask_babel import get_locale

LANGUAGES = {"en": "English", "hi": "हिन्दी", "bn": "বাংলা"}


def select_locale() -> str:
    """Flask-Babel's locale selector."""
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        return chosen
    customer_language = g.get("customer_language")
    if customer_language in LANGUAGES:
        return customer_language
    return request.accept_languages.best_match(list(LANGUAGES)) or "en"


def page_language() -> str:
    """The language code the current page is rendered in."""
    locale = get_locale()
    return locale.language if locale else "en"


def register_i18n(app: Flask) -> None:
    """Expose the page language to templates (for <html lang> and the language switcher)."""
    app.context_processor(lambda: {"page_language": page_language()})
