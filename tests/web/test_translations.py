"""Every message the pages show, the bot says and the shipped templates send is translated into Hindi and Bengali."""

from __future__ import annotations

import string
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.texts import INTENT_LABELS, MENU_BUTTONS, TEXTS, say
from catalogues import catalogue
from channels.templates import DEFAULT_TEMPLATES, default_template, template_variables

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "web" / "translations"
LANGUAGES = ["hi", "bn"]
# The extraction `make translations` runs for each catalogue (domain).
MARKED = ["--no-default-keywords", "-k", "marked", "-k", "marked_in:1c,2"]
EXTRACT = {
    "messages": ["-F", "babel.cfg", "-k", "lazy_gettext", "--ignore-dirs=.venv tests bench", "."],
    "bot": [*MARKED, "bot/texts.py"],
    "templates": [*MARKED, "channels/templates.py"],
}
# What the code uses, as (context, English msgid).
USED = {
    "bot": {(None, text) for text in [*TEXTS.values(), *INTENT_LABELS.values()]}
    | {button for button, _ in MENU_BUTTONS},
    "templates": {(None, text) for text in DEFAULT_TEMPLATES.values()},
}


def read_catalogue(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


def translated(domain: str, language: str) -> dict[tuple[str | None, str], str]:
    """The catalogue's usable translations: non-empty and not fuzzy (gettext ignores fuzzy ones)."""
    catalog = read_catalogue(TRANSLATIONS / language / "LC_MESSAGES" / f"{domain}.po")
    return {(m.context, m.id): m.string for m in catalog if m.id and m.string and not m.fuzzy}


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> dict[str, set[tuple[str | None, str]]]:
    folder = tmp_path_factory.mktemp("i18n")
    found = {}
    for domain, arguments in EXTRACT.items():
        pot = folder / f"{domain}.pot"
        command = [sys.executable, "-m", "babel.messages.frontend", "extract", "--no-location", "--omit-header"]
        subprocess.run([*command, "-o", str(pot), *arguments], cwd=ROOT, check=True, capture_output=True)
        found[domain] = {(message.context, message.id) for message in read_catalogue(pot) if message.id}
    return found


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("domain", EXTRACT)
def test_every_extracted_message_has_a_translation(extracted, domain, language):
    assert len(extracted[domain]) >= {"messages": 40, "bot": 40, "templates": 5}[domain]  # the extraction worked
    missing = extracted[domain] - translated(domain, language).keys()
    assert missing == set(), "run `make translations` and translate the new strings"


@pytest.mark.parametrize("domain", USED)
def test_every_text_the_code_uses_is_extracted(extracted, domain):
    assert USED[domain] - extracted[domain] == set(), "mark the text with catalogues.marked so it is extracted"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("domain", USED)
def test_translations_keep_the_placeholders(domain, language):
    translations = translated(domain, language)
    for key in USED[domain]:
        assert fields(translations[key]) == fields(key[1]), (language, key)
        if domain == "templates":
            template_variables(translations[key])  # raises if a translator broke the template


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogues_are_the_ones_the_bot_and_worker_read(language):
    assert catalogue("bot", language) is catalogue("bot", language)  # loaded once per language, then kept
    assert say("no_bills", language) == translated("bot", language)[(None, TEXTS["no_bills"])]
    assert (
        default_template("receipt", language) == translated("templates", language)[(None, DEFAULT_TEMPLATES["receipt"])]
    )
    assert say("no_bills", "en") == TEXTS["no_bills"]
