"""Which language a page speaks: an explicit choice, else the customer's, else the browser's.

The console speaks English: most of its texts are not in the catalogues yet, and a page half in Hindi is worse
than one in English. The few console texts that are marked stay ready for when all of it is."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from flask import Flask, Response, current_app, g, request
from flask_babel import get_locale, get_translations
from jinja2 import Environment
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream
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


class PretranslatedTexts(Extension):
    """Translates each `_("text")` of a customer page as its template is compiled, for one language's environment.

    The text becomes its translation marked safe (`("…"|safe)`, exactly what `_` returns for a text without
    variables), which Jinja folds into the template's static output: no call, lookup or escaping on each view.
    Texts with variables, and ngettext, are still looked up per view.
    """

    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        strings: PageStrings = self.environment.page_strings
        tokens = list(stream)
        position = 0
        while position < len(tokens):
            name, *call = tokens[position : position + 4]
            if _is_text_lookup(name, call, after=tokens[position - 1] if position else None):
                translated = str(strings.gettext(call[1].value))
                for kind, value in (("lparen", "("), ("string", translated), ("pipe", "|"), ("name", "safe")):
                    yield Token(name.lineno, kind, value)
                yield Token(name.lineno, "rparen", ")")
                position += 4
            else:
                yield name
                position += 1


def _is_text_lookup(name: Token, call: list[Token], *, after: Token | None) -> bool:
    """`_("…")` or `gettext("…")` of one literal, not an attribute of something else (`x._("…")`)."""
    return (
        name.test_any("name:_", "name:gettext")
        and [token.type for token in call] == ["lparen", "string", "rparen"]
        and (after is None or after.type != "dot")
    )


@dataclass
class CustomerPages:
    """One language's customer pages: its strings, and its environment, whose templates are compiled translated."""

    strings: PageStrings
    environment: Environment


def customer_pages() -> CustomerPages:
    """The customer pages of this request's locale, made on the first page in it (per app: templates are its own)."""
    by_locale = current_app.extensions.setdefault("customer_pages", {})
    locale = str(get_locale())  # Flask-Babel's own key for a locale's translations
    pages = by_locale.get(locale)
    if pages is None:
        strings = PageStrings(get_translations())
        # A cache of its own: the overlay would otherwise start with copies of templates compiled untranslated.
        environment = current_app.jinja_env.overlay(extensions=[PretranslatedTexts], cache_size=50)
        environment.page_strings = strings
        pages = by_locale.setdefault(locale, CustomerPages(strings, environment))
    return pages


def render_customer_page(template: str, **context) -> str:
    """Render a customer's page (an autoescaped .html template) with its language's strings, and nothing else.

    Unlike render_template, no context processor runs: the console's frame and the signed-in user are not on a
    customer's page, and loading them cost every view. The page gets its language (`page_language`), `_` and
    `ngettext`; Flask's globals (`url_for`, `request`, `csrf_token`…) stay available as in any template.
    """
    pages = customer_pages()
    strings = pages.strings
    page = pages.environment.get_template(template)
    return page.render(
        page_language=page_language(), _=strings.gettext, gettext=strings.gettext, ngettext=strings.ngettext, **context
    )
