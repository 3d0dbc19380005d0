"""The gettext catalogues for words sent outside a request: bot replies (domain `bot`) and message templates
(domain `templates`), beside the pages' own (`messages`) in web/translations/<language>/LC_MESSAGES/.

English is the msgid; translators edit the .po files; `make` compiles them to .mo, loaded here once per
(domain, language) and kept. A language without a catalogue (English) reads the English msgids themselves.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.support import NullTranslations, Translations

TRANSLATIONS_DIR = Path(__file__).resolve().parent / "web" / "translations"


def marked(msgid: str) -> str:
    """Mark an English text for `make translations` to extract; it is translated where it is used."""
    return msgid


def marked_in(context: str, msgid: str) -> tuple[str, str]:
    """Mark an English text that reads differently in `context` (e.g. a short button label)."""
    return context, msgid


@cache
def catalogue(domain: str, language: str) -> NullTranslations:
    """The compiled catalogue of `domain` in `language`; English (no catalogue) reads the msgids."""
    messages = TRANSLATIONS_DIR / language / "LC_MESSAGES"
    if (messages / f"{domain}.po").is_file() and not (messages / f"{domain}.mo").is_file():
        raise RuntimeError(f"{messages / domain}.mo is not compiled: run `make`")
    return Translations.load(TRANSLATIONS_DIR, [language], domain)
