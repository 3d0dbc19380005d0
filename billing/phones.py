"""Customer phone numbers: parsed with phonenumbers, India as the default region, stored as E.164."""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import PhoneNumberType

DEFAULT_REGION = "IN"
_REACHABLE_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}
# The common shapes, ten digits with or without +91, checked against phonenumbers' own pattern for Indian
# mobiles without a full parse (a bulk import spends most of its validation here); anything else is parsed.
_PLAIN = re.compile(r"(?:\+91)?([6-9]\d{9})")
_MOBILE = re.compile(phonenumbers.PhoneMetadata.metadata_for_region(DEFAULT_REGION).mobile.national_number_pattern)


def normalise_phone(raw: str) -> str:
    """Return the Indian mobile number in E.164 form, or raise ValueError saying what is wrong."""
    text = raw.strip()
    if text.lower().startswith("whatsapp:"):
        text = text[len("whatsapp:") :]
    plain = _PLAIN.fullmatch(text)
    if plain and _MOBILE.fullmatch(plain.group(1)):
        return "+91" + plain.group(1)
    try:
        number = phonenumbers.parse(text, DEFAULT_REGION)
    except phonenumbers.NumberParseException as exc:
        raise ValueError("is not a phone number") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError("is not a valid phone number")
    if phonenumbers.region_code_for_number(number) != DEFAULT_REGION:
        raise ValueError("must be an Indian mobile number (+91)")
    if phonenumbers.number_type(number) not in _REACHABLE_TYPES:
        raise ValueError("must be a mobile number that can receive SMS and WhatsApp")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
