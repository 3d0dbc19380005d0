"""What a customer means: keywords in three languages, menu numbers, buttons, dates and links."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

KEYWORDS: dict[str, tuple[str, ...]] = {
    "menu": ("menu", "help", "hi", "hello", "hii", "info", "0", "मदद", "मेनू", "नमस्ते", "সাহায্য", "মেনু", "নমস্কার"),
    "bills": ("bill", "bills", "my bills", "1", "बिल", "मेरे बिल", "বিল", "আমার বিল"),
    "pay": ("pay", "pay now", "2", "भुगतान", "भुगतान करें", "পেমেন্ট", "পেমেন্ট করুন"),
    "paid": (
        "paid",
        "already paid",
        "i paid",
        "i have paid",
        "3",
        "भुगतान कर दिया",
        "पेमेंट कर दिया",
        "পেমেন্ট করেছি",
        "পরিশোধ করেছি",
    ),
    "later": ("later", "remind me later", "4", "बाद में", "পরে"),
    "app": ("app", "payment app", "5", "ऐप", "অ্যাপ"),
    "language": ("language", "6", "भाषा", "ভাষা"),
    "agent": ("agent", "human", "person", "talk to a person", "7", "एजेंट", "इंसान", "মানুষ", "এজেন্ট"),
    "stop": ("stop", "stopall", "unsubscribe", "cancel", "end", "quit", "8", "बंद", "বন্ধ"),
    "start": ("start", "yes", "unstop", "शुरू", "শুরু"),
}
TWILIO_OPT_OUT = {"stop", "stopall", "unsubscribe", "cancel", "end", "quit"}
TWILIO_OPT_IN = {"start", "yes", "unstop"}
LANGUAGE_WORDS = {
    "english": "en",
    "hindi": "hi",
    "हिन्दी": "hi",
    "हिंदी": "hi",
    "bangla": "bn",
    "bengali": "bn",
    "বাংলা": "bn",
}
URL = re.compile(r"(https?://\S+|\b[\w-]+(?:\.[\w-]+)+/\S+)", re.IGNORECASE)
UTR = re.compile(r"\b(\d{12}|[A-Z]{4}\d{8,18})\b")
_INVISIBLE = {"Cf"}  # zero-width joiners, bidi marks …


def normalise(text: str) -> str:
    """Lower-case, NFC, without invisible format characters or surrounding punctuation."""
    text = unicodedata.normalize("NFC", text or "")
    text = "".join(char for char in text if unicodedata.category(char) not in _INVISIBLE)
    return text.strip().strip(".!?।").strip().lower()


def intent_of(text: str) -> str | None:
    """The intent a message names, by keyword or number (first words count: 'paid 4123…' is paid)."""
    words = normalise(text)
    for intent, keywords in KEYWORDS.items():
        if words in keywords:
            return intent
    for intent, keywords in KEYWORDS.items():
        if any(words.startswith(keyword + " ") for keyword in keywords if not keyword.isdigit()):
            return intent
    return None


def find_link(text: str) -> str | None:
    """The first link in a message, if any."""
    match = URL.search(text or "")
    return match.group(1).rstrip(".,)") if match else None


def find_utr(text: str) -> str | None:
    """A UPI reference (12-digit UTR or bank reference) mentioned in a message."""
    match = UTR.search((text or "").upper())
    return match.group(1) if match else None


def language_named(text: str) -> str | None:
    """A language the customer named ("Hindi", "বাংলা") or picked by number in the language menu."""
    return LANGUAGE_WORDS.get(normalise(text))


def script_language(text: str) -> str | None:
    """Hindi or Bengali from the script a message is written in."""
    for char in text or "":
        if "\u0900" <= char <= "\u097f":
            return "hi"
        if "\u0980" <= char <= "\u09ff":
            return "bn"
    return None


def later_date(text: str, today: date) -> date | None:
    """When 'later' means: 'in 3 days', '3 din', 'on the 5th', '5th'; None when no date is given."""
    words = normalise(text)
    match = re.search(r"(\d{1,2})\s*(?:days?|din|দিন|दिन)", words)
    if match:
        return today + timedelta(days=int(match.group(1)))
    match = re.search(r"(?:on\s+the\s+|on\s+)?(\d{1,2})(?:st|nd|rd|th|\b)", words.removeprefix("later").strip())
    if match and words != "4":
        day = int(match.group(1))
        if 1 <= day <= 31:
            month_start = today.replace(day=1)
            for offset in (0, 32):
                candidate_month = (month_start + timedelta(days=offset)).replace(day=1)
                try:
                    candidate = candidate_month.replace(day=day)
                except ValueError:
                    continue
                if candidate > today:
                    return candidate
    return None
