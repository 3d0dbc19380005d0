"""The details a message carries: a date, a UPI reference, a payment app, a language, a link."""

from __future__ import annotations

import calendar
import re
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from functools import cache

from rapidfuzz import fuzz

from billing.apps import catalogue
from bot.understanding.normalise import clean, normalise


@dataclass(frozen=True)
class Slots:
    """What a message names besides its intent; None where it names nothing."""

    date: date | None = None
    utr: str | None = None
    app: str | None = None
    language: str | None = None
    url: str | None = None

    def as_json(self) -> dict[str, str | None]:
        """The slots as JSON values (dates as ISO strings)."""
        values = asdict(self)
        values["date"] = self.date.isoformat() if self.date else None
        return values


URL = re.compile(r"(https?://\S+|\b(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/\S*)", re.IGNORECASE)
UTR = re.compile(r"(?<!\d)(\d{12})(?!\d)")

APP_ALIASES: dict[str, tuple[str, ...]] = {
    "gpay": ("gpay", "googlepay", "googlepe", "gpe", "tez", "गूगलपे", "जीपे", "गूगल", "গুগলপে", "জিপে", "গুগল"),
    "phonepe": ("phonepe", "phonpe", "fonepe", "phonepay", "फोनपे", "फ़ोनपे", "फोनपै", "ফোনপে", "ফোনপে"),
    "paytm": ("paytm", "paytem", "पेटीएम", "পেটিএম"),
    "bhim": ("bhim", "bheem", "भीम", "ভীম"),
    "mobikwik": ("mobikwik", "mobikwick", "मोबिक्विक", "মোবিকুইক"),
    "rbl_mobank": ("mobank", "rblmobank", "rbl"),
    "icici_imobile": ("imobile", "icici", "आईमोबाइल", "আইমোবাইল"),
}
LANGUAGE_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("english", "angrezi", "angreji", "inglish", "अंग्रेज़ी", "अंग्रेजी", "इंग्लिश", "ইংরেজি", "ইংলিশ"),
    "hi": ("hindi", "हिंदी", "हिन्दी", "হিন্দি", "হিন্দিতে"),
    "bn": ("bangla", "bengali", "bangali", "bangla te", "बांग्ला", "बंगाली", "বাংলা", "বাংলায়", "বাঙালি"),
}
_WORD_NUMBERS = {"ek": 1, "one": 1, "a": 1, "do": 2, "two": 2, "teen": 3, "three": 3, "char": 4, "four": 4}
_WORD_NUMBERS |= {"paanch": 5, "five": 5, "das": 10, "ten": 10, "এক": 1, "দুই": 2, "তিন": 3, "एक": 1, "दो": 2}
_NUMBER = r"\b(\d{1,2}|" + "|".join(_WORD_NUMBERS) + r")"
_MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_abbr) if name}
_DAYS = r"(?:days?|din|dino|দিন|दिन|দিনের|dinon)"
_WEEKS = r"(?:weeks?|hafte|hafta|हफ्ते|हफ़्ते|हफ्ता|সপ্তাহ|সপ্তাহে|saptah)"
_HI = r"[\u0900-\u097f]"  # a Devanagari letter or sign: "कल" must not match inside "निकल"
_BN = r"[\u0980-\u09ff]"
_NAMED_DAYS: tuple[tuple[re.Pattern, int], ...] = (
    (re.compile(r"\b(?:day after tomorrow|parso|parson|porshu|porsu)\b|परसों|পরশু"), 2),
    (re.compile(rf"\b(?:tomorrow|tmrw|tomorow|tommorow|kal|kaal|kalke)\b|(?<!{_HI})कल(?!{_HI})|(?<!{_BN})কাল"), 1),
    (re.compile(rf"\b(?:today|aaj|aj|ajke)\b|(?<!{_HI})आज(?!{_HI})|(?<!{_BN})আজ"), 0),
)
# Monday..Sunday in English, romanised Hindi and Bengali (Bengali adds -e: "shukrobare"), Devanagari, Bengali.
_WEEKDAY_NAMES = (
    ("monday", "somvar|somwar|sombar|shombar", "सोमवार", "সোমবার"),
    ("tuesday", "mangalvar|mangalwar|mangalbar|mongolbar", "मंगलवार", "মঙ্গলবার"),
    ("wednesday", "budhvar|budhwar|budhbar|budbar", "बुधवार", "বুধবার"),
    ("thursday", "guruvar|guruwar|brihaspativar|brihospotibar|bishudbar", "गुरुवार|बृहस्पतिवार|वीरवार", "বৃহস্পতিবার"),
    ("friday", "shukravar|shukrawar|sukravar|shukrobar|sukrobar|shukrabar", "शुक्रवार", "শুক্রবার"),
    ("saturday", "shanivar|shaniwar|sanivar|shonibar|sonibar|shanibar", "शनिवार", "শনিবার"),
    ("sunday", "ravivar|raviwar|itwar|itvar|robibar|rabibar", "रविवार|इतवार", "রবিবার"),
)
_WEEKDAYS = tuple(
    re.compile(rf"\b(?:{english}|{romanised})e?\b|{hindi}|{bengali}")
    for english, romanised, hindi, bengali in _WEEKDAY_NAMES
)
_MONTH_END = re.compile(
    r"\b(?:end of (?:the )?month|month end|monthend|end of this month|mahine ke (?:end|aakhir|akhir)|"
    r"month er shesh|maser sheshe?)\b|महीने के (?:अंत|आखिर|आख़िर|एंड)|মাসের শেষ"
)
_NEXT_WEEK = re.compile(r"\b(?:next week|agle hafte|agle week|porer soptahe|next saptah)\b|अगले हफ्ते|अगले हफ़्ते|পরের সপ্তাহে?")
_NEXT_MONTH = re.compile(r"\b(?:next month|agle mahine|porer mashe)\b|अगले महीने|পরের মাসে")
_IN_DAYS = re.compile(_NUMBER + r"\s*" + _DAYS)
_IN_WEEKS = re.compile(_NUMBER + r"\s*" + _WEEKS)
_ON_DAY = re.compile(
    r"(?:\bon (?:the )?)?\b(\d{1,2})\s*(?:st|nd|rd|th)?\s*(?:tarikh|tareekh|tarik|date|तारीख|तारीख़|তারিখে?|"
    r"(" + "|".join(_MONTHS) + r")[a-z]*)?\b"
)


def find_slots(text: str, today: date) -> Slots:
    """Every slot a message fills, with dates relative to the customer's today."""
    cleaned = clean(text)
    url = find_url(cleaned)
    words = normalise(cleaned.replace(url, " ")) if url else normalise(cleaned)
    return Slots(
        date=find_date(words, today),
        utr=find_utr(cleaned),
        app=find_app(words),
        language=find_language(words),
        url=url,
    )


def find_url(text: str) -> str | None:
    """The first link in a message."""
    match = URL.search(text or "")
    return match.group(1).rstrip(".,)!?") if match else None


def find_utr(text: str) -> str | None:
    """A 12-digit UPI transaction reference (UTR) mentioned in a message."""
    match = UTR.search(clean(text).replace(" ", ""))
    return match.group(1) if match else None


@cache
def _app_names() -> dict[str, str]:
    aliases = {alias: app_id for app_id, names in APP_ALIASES.items() for alias in names}
    for app in catalogue().values():
        aliases.setdefault(app.name.lower().replace(" ", ""), app.id)
    return aliases


def find_app(words: str) -> str | None:
    """A payment app id from any spelling: 'phone pe', 'फोनपे', 'ফোনপে', 'gpay', 'Google Pay'."""
    squashed = words.replace(" ", "")
    tokens = words.split()
    for alias, app_id in _app_names().items():
        if len(alias) <= 4 and alias.isascii():
            if alias in tokens:  # short names only as whole words: "rbl", "bhim", "tez"
                return app_id
        elif alias in squashed:
            return app_id
    for alias, app_id in _app_names().items():  # misspellings: "phonep", "paytym", "mobiqwik"
        if len(alias) >= 6 and fuzz.partial_ratio(alias, squashed, score_cutoff=86):
            return app_id
    return None


def find_language(words: str) -> str | None:
    """A language named in a message: 'hindi', 'हिंदी', 'বাংলায়', 'english' -> en, hi or bn."""
    tokens = words.split()
    for language, names in LANGUAGE_WORDS.items():
        if any(name in tokens or (not name.isascii() and name in words) for name in names):
            return language
    return None


def find_date(words: str, today: date) -> date | None:
    """The day a message names, relative to today: 'kal', 'on 5th', 'friday', 'end of month', '২ দিন পরে'."""
    if _MONTH_END.search(words):
        return today.replace(day=calendar.monthrange(today.year, today.month)[1])
    if _NEXT_MONTH.search(words):
        return (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    if _NEXT_WEEK.search(words):
        return today + timedelta(days=7)
    for pattern, days in ((_IN_WEEKS, 7), (_IN_DAYS, 1)):
        match = pattern.search(words)
        if match:
            count = match.group(1)
            return today + timedelta(days=days * int(_WORD_NUMBERS.get(count, count)))
    if re.search(r"\b(?:a|one|ek) " + _WEEKS, words) or re.search(r"\b" + _WEEKS + r"\b", words):
        return today + timedelta(days=7)
    for weekday, pattern in enumerate(_WEEKDAYS):
        if pattern.search(words):  # the next such day, today included (as "on the 25th" on the 25th)
            return today + timedelta(days=(weekday - today.weekday()) % 7)
    for pattern, days in _NAMED_DAYS:
        if pattern.search(words):
            return today + timedelta(days=days)
    return _day_of_month(words, today)


def _day_of_month(words: str, today: date) -> date | None:
    for match in _ON_DAY.finditer(words):
        whole = match.group(0).strip()
        if whole.isdigit():  # a bare number is an amount or a menu choice, not a day
            continue
        day = int(match.group(1))
        month = _MONTHS.get((match.group(2) or "")[:3]) if match.group(2) else None
        candidate = _next_day(today, day, month)
        if candidate:
            return candidate
    return None


def _next_day(today: date, day: int, month: int | None) -> date | None:
    """The next date on or after today with this day of the month (and month, if named)."""
    for offset in range(13):
        year, month_index = divmod(today.month - 1 + offset, 12)
        candidate_month = month_index + 1
        if month and candidate_month != month:
            continue
        if day <= calendar.monthrange(today.year + year, candidate_month)[1]:
            candidate = date(today.year + year, candidate_month, day)
            if candidate >= today:
                return candidate
    return None
