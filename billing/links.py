"""Payment link tokens and the URLs customers click."""

from __future__ import annotations

import secrets
import string
from datetime import UTC, date, datetime, time, timedelta

from config import Settings

TOKEN_ALPHABET = string.ascii_letters + string.digits
TOKEN_LENGTH = 12  # 62**12 ≈ 3e21: unguessable, yet short enough for an SMS.


def new_token() -> str:
    """A fresh random base62 token; it carries no personal data and no amount."""
    return "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(TOKEN_LENGTH))


def new_tokens(count: int) -> list[str]:
    """Many fresh tokens at once, as random as new_token's: random bytes, each kept only below the largest
    multiple of the alphabet's size (so every character is equally likely), mapped onto the alphabet."""
    size = len(TOKEN_ALPHABET)
    limit = 256 - 256 % size
    characters: list[str] = []
    needed = count * TOKEN_LENGTH
    while len(characters) < needed:
        characters += [TOKEN_ALPHABET[byte % size] for byte in secrets.token_bytes(needed) if byte < limit]
    return ["".join(characters[start : start + TOKEN_LENGTH]) for start in range(0, needed, TOKEN_LENGTH)]


def is_token_shaped(token: str) -> bool:
    """Whether the text could be one of our tokens (letters and digits, at most a few dozen)."""
    return 0 < len(token) <= 64 and all(char in TOKEN_ALPHABET for char in token)


def link_url(token: str, *, settings: Settings) -> str:
    """The full URL of a payment link, on the short link domain when one is configured."""
    if settings.link_base_url:
        return f"{settings.link_base_url}/{token}"
    return f"{settings.public_base_url}/p/{token}"


def receipt_url(token: str, *, settings: Settings) -> str:
    """The printable receipt of a link's bill (the PDF is the same URL with .pdf)."""
    return f"{settings.public_base_url}/p/{token}/receipt"


def link_expiry(due_date: date, *, settings: Settings) -> datetime:
    """When a bill's link stops working: some days after the due date, to allow late payment."""
    last_day = due_date + timedelta(days=settings.link_valid_days_after_due)
    return datetime.combine(last_day, time.max, tzinfo=UTC)
