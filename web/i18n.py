"""Which language a page speaks: an explicit choice, else the customer's, else the browser's.

The console speaks English: most of its texts are not in the catalogues yet, and a page half in Hindi is worse
than one in English. The few console texts that are marked stay ready for when all of it is."""

from __future__ import annotations

from flask import Flask, Response, g, request
from flask_babel import get_locale

LANGUAGES = {"en": "English", "hi": "हिन्दी", "bn": "বাংলা"}
LANGUAGE_COOKIE = "lang"  # a language chosen in the page's footer, remembered for the next visit


def select_locale() -> str:
    """Flask-Babel's locale selector: ?lang=, then the remembered choice, the customer's, the browser's."""
    if request.blueprint == "console":
        return "en"
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        return chosen
    remembered = request.cookies.get(LANGUAGE_COOKIE)
    if remembered in LANGUAGES:
        return remembered
    customer_language = g.get("customer_language")
    if customer_language in LANGUAGES:
        return customer_language
    return request.accept_languages.best_match(list(LANGUAGES)) or "en"


def remember_language(response: Response) -> Response:
    """Keep a language chosen with ?lang= in a cookie for a year (no personal data: just en, hi or bn)."""
    chosen = request.args.get("lang")
    if chosen in LANGUAGES and request.cookies.get(LANGUAGE_COOKIE) != chosen:
        response.set_cookie(
            LANGUAGE_COOKIE, chosen, max_age=365 * 86400, samesite="Lax", httponly=True, secure=request.is_secure
        )
    return response


def page_language() -> str:
    """The language code the current page is rendered in."""
    locale = get_locale()
    return locale.language if locale else "en"


def register_i18n(app: Flask) -> None:
    """Expose the page language to templates (for <html lang> and the language switcher)."""
    app.context_processor(lambda: {"page_language": page_language()})
