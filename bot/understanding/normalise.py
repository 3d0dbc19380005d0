"""One spelling for the many ways a message can be typed: the first step of understanding."""

from __future__ import annotations

import re
import unicodedata

# Devanagari (U+0966..) and Bengali (U+09E6..) digits read as ASCII digits.
_DIGITS = {ord(zero) + offset: str(offset) for zero in ("\u0966", "\u09e6") for offset in range(10)}
_REPEATS = re.compile(r"([a-z])\1{2,}")  # "pleeease" -> "pleease", "hiii" -> "hii"
_SPACES = re.compile(r"\s+")
_DROPPED_CATEGORIES = {"Cf", "So", "Sk", "Cs", "Co"}  # zero-width and bidi marks, emoji, modifiers
_PUNCTUATION = re.compile(r"[!?.,;:।॥\"'“”‘’()\[\]{}*~_<>|\\-]+")


def clean(text: str) -> str:
    """NFC, ASCII digits, no invisible characters or emoji, single spaces: the text slots are read from."""
    text = unicodedata.normalize("NFC", text or "").translate(_DIGITS)
    kept = "".join(char for char in text if unicodedata.category(char) not in _DROPPED_CATEGORIES or char == "\n")
    return "\n".join(_SPACES.sub(" ", line).strip() for line in kept.splitlines()).strip()


def normalise(text: str) -> str:
    """Lower-case words without punctuation or stretched letters: the text intents are read from."""
    lowered = clean(text).lower().replace("\n", " ")
    lowered = _PUNCTUATION.sub(" ", lowered)
    return _SPACES.sub(" ", _REPEATS.sub(r"\1\1", lowered)).strip()


def lines_of(text: str) -> list[str]:
    """Each non-empty line of a message, normalised (a keyword alone on a line counts)."""
    return [line for line in (normalise(part) for part in clean(text).splitlines()) if line]


def script_language(text: str) -> str | None:
    """Hindi or Bengali from the script a message is written in; None for Latin script."""
    for char in text or "":
        if "\u0900" <= char <= "\u097f":
            return "hi"
        if "\u0980" <= char <= "\u09ff":
            return "bn"
    return None
