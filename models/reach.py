"""Where a customer can be reached: the one rule the outbox and the dunning pass both follow.

Plain values in and out (the dunning pass reads customers as rows, the outbox as objects), so the rule sits
below every package that sends.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import datetime

from models.vocab import Channel


def channel_addresses(
    *, phone: str | None, phone_invalid_at: datetime | None, email: str | None, telegram_chat_id: int | None
) -> dict[str, str | None]:
    """The customer's address on each channel; a phone the provider called invalid reaches nobody."""
    phone = phone if not phone_invalid_at else None
    return {
        Channel.WHATSAPP: phone,
        Channel.SMS: phone,
        Channel.EMAIL: email,
        Channel.TELEGRAM: str(telegram_chat_id) if telegram_chat_id else None,
    }


def reachable_in_order(
    *,
    order: Iterable[str],
    preferred: str | None,
    addresses: Mapping[str, str | None],
    opted_out: Collection[str],
) -> list[tuple[Channel, str]]:
    """The channels to try and their addresses: the customer's preferred one first when `order` offers it,
    then `order`; only channels with an address that the customer has not opted out of."""
    order = list(order)
    ordered = dict.fromkeys([preferred, *order] if preferred in order else order)
    return [
        (Channel(name), addresses[name]) for name in ordered if name and addresses.get(name) and name not in opted_out
    ]
