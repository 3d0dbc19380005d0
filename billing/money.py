"""Money and dates as a customer reads them: ₹1,24,550.00, in their language."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import lru_cache

from babel.dates import format_date
from babel.numbers import format_currency


def babel_locale(language: str) -> str:
    """The Indian locale for one of our languages (en → en_IN, hi → hi_IN, bn → bn_IN)."""
    return f"{language}_IN"


@lru_cache(maxsize=4096)  # a page shows the same few amounts again and again; babel takes 0.1 ms each
def format_inr(paise: int, language: str = "en") -> str:
    """Rupees with Indian digit grouping and two decimals."""
    return format_currency(Decimal(paise) / 100, "INR", locale=babel_locale(language))


@lru_cache(maxsize=4096)
def format_day(day: date, language: str = "en") -> str:
    """A date as customers write it in their language, e.g. 10 Dec 2026."""
    return format_date(day, "medium", locale=babel_locale(language))
