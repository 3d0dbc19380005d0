"""SMS segment counting: GSM-7 (160 / 153 per part) or UCS-2 (70 / 67 per part) for Hindi and Bengali."""

from __future__ import annotations

import math

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€\f")


def is_gsm7(text: str) -> bool:
    """True when every character fits the GSM 03.38 alphabet (with its extension table)."""
    return all(char in GSM7_BASIC or char in GSM7_EXTENDED for char in text)


def segment_count(text: str) -> int:
    """How many SMS parts the text takes; extension characters count twice, UCS-2 counts UTF-16 units."""
    if is_gsm7(text):
        units = sum(2 if char in GSM7_EXTENDED else 1 for char in text)
        return 1 if units <= 160 else math.ceil(units / 153)
    units = len(text.encode("utf-16-le")) // 2
    return 1 if units <= 70 else math.ceil(units / 67)
