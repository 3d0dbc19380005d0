"""Which language a page speaks: an explicit choice, else the customer's, else the browser's.

The console speaks English: most of its texts are not in the catalogues yet, and a page half in Hindi is worse
than one in English. The few console texts that are marked stay ready for when all of it is."""

from __future__ import annotations

from weakref import WeakKeyDictionary

from flask import Flask, Response, current_app, g, request
from flask_babel import get_locale, get_translations
from markupsafe import Markup

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


class PageStrings:
    """One language's `_` and `ngettext` for the customer's pages, as dictionary lookups.

    Jinja's i18n calls through Flask-Babel resolve the request's locale and its catalogue again for every string
    (a payment page has some 25). These give the same text — the catalogue's translation, marked safe and then
    formatted with its escaped variables, as Jinja's new-style gettext does — and keep each string without
    variables once formatted. Only for autoescaped (.html) templates.
    """

    def __init__(self, translations) -> None:
        self._translations = translations
        self._texts: dict[str, Markup] = {}
        self._plain: dict[str, Markup] = {}

    def gettext(self, string: str, **variables) -> Markup:
        if variables:
            return self._text(string) % variables
        found = self._plain.get(string)
        if found is None:
            found = self._plain[string] = self._text(string) % variables
        return found

    def _text(self, string: str) -> Markup:
        found = self._texts.get(string)
        if found is None:
            found = self._texts[string] = _ours(self._translations.ugettext(string))
        return found

    def ngettext(self, singular: str, plural: str, num: int, **variables) -> Markup:
        variables.setdefault("num", num)
        return _ours(self._translations.ungettext(singular, plural, num)) % variables


def _ours(text: str) -> Markup:
    """A catalogue's text is ours, not the user's: safe markup, as Jinja's gettext makes it; variables get escaped."""
    return Markup(text)  # noqa: S704


_page_strings: WeakKeyDictionary = WeakKeyDictionary()


def page_strings() -> dict:
    """`_`, `gettext` and `ngettext` for this request's language, to pass to a customer page's template."""
    translations = get_translations()
    strings = _page_strings.get(translations)
    if strings is None:
        strings = _page_strings.setdefault(translations, PageStrings(translations))
    return {"_": strings.gettext, "gettext": strings.gettext, "ngettext": strings.ngettext}


def render_customer_page(template: str, **context) -> str:
    """Render a customer's page (an autoescaped .html template) with its language's strings, and nothing else.

    Unlike render_template, no context processor runs: the console's frame and the signed-in user are not on a
    customer's page, and loading them cost every view. The page gets its language (`page_language`), `_` and
    `ngettext`; Flask's globals (`url_for`, `request`, `csrf_token`…) stay available as in any template.
    """
    page = current_app.jinja_env.get_template(template)
    return page.render(page_language=page_language(), **page_strings(), **context)
