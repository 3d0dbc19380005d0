"""The bulk import's fast paths give what the one-at-a-time functions give."""

from __future__ import annotations

import pytest

from billing.links import TOKEN_LENGTH, is_token_shaped, new_tokens
from billing.phones import normalise_phone


def test_tokens_made_in_bulk_are_token_shaped_and_distinct():
    tokens = new_tokens(2000)
    assert len(tokens) == 2000 and len(set(tokens)) == 2000
    assert all(len(token) == TOKEN_LENGTH and is_token_shaped(token) for token in tokens)
    assert len(set("".join(tokens))) == 62  # every character of the alphabet turns up


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("9812345678", "+919812345678"),
        ("+919812345678", "+919812345678"),
        (" whatsapp:+919812345678 ", "+919812345678"),
        ("098123 45678", "+919812345678"),  # not the plain shape: the full parse still takes it
    ],
)
def test_plain_indian_mobiles_take_the_short_path_to_the_same_answer(raw, expected):
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize("raw", ["5812345678", "+12025550123", "1800123456"])
def test_numbers_outside_the_short_path_are_still_refused(raw):
    with pytest.raises(ValueError):
        normalise_phone(raw)
