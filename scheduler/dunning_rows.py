"""The dunning pass row by row: what SQLite runs, and PostgreSQL for the rare cases its common path leaves.

Reads what the decisions need for a batch of bills in a few set-based queries, and writes the reminders and
the bills' next steps as one statement each (arrays on PostgreSQL, executemany on SQLite).
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import ARRAY, Integer, any_, bindparam, select, text, update
from sqlalchemy.dialects import sqlite
from sqlmodel import Session

from models import Bill, Conversation, Customer, CustomerChannel, OutboundMessage, PaymentLink

UNNEST_INSERT = text("""
    INSERT INTO outbound_messages (biller_id, customer_id, bill_id, channel, recipient, template_key, cadence_step,
        language,
        idempotency_key, fallback_channels, status, attempts, next_attempt_at, created_at, updated_at)
    SELECT biller_id, customer_id, bill_id, channel, recipient, template_key, cadence_step, language, idempotency_key,
        fallback::json, 'queued', 0, :now, :now, :now
    FROM unnest(CAST(:biller_ids AS int[]), CAST(:customer_ids AS int[]), CAST(:bill_ids AS int[]),
                CAST(:channels AS text[]), CAST(:recipients AS text[]), CAST(:templates AS text[]),
                CAST(:steps AS int[]), CAST(:languages AS text[]), CAST(:keys AS text[]), CAST(:fallbacks AS text[]))
        AS r(biller_id, customer_id, bill_id, channel, recipient, template_key, cadence_step, language,
             idempotency_key, fallback)
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING bill_id
""")
UNNEST_UPDATE = text("""
    UPDATE bills SET next_step = m.step, next_reminder_at = m.next, reminders_sent = m.sent, updated_at = :now
    FROM unnest(CAST(:ids AS int[]), CAST(:steps AS int[]), CAST(:nexts AS timestamptz[]), CAST(:sents AS int[]))
        AS m(id, step, next, sent)
    WHERE bills.id = m.id
""")
UNNEST_COLUMNS = {
    "biller_ids": "biller_id",
    "customer_ids": "customer_id",
    "bill_ids": "bill_id",
    "channels": "channel",
    "recipients": "recipient",
    "templates": "template_key",
    "steps": "cadence_step",
    "languages": "language",
    "keys": "idempotency_key",
}


def insert_reminders(session: Session, messages: list[dict], now: datetime) -> set[int]:
    """Insert reminders, skipping any another planner already queued; returns the bills that got one."""
    if session.get_bind().dialect.name != "postgresql":
        statement = sqlite.insert(OutboundMessage).on_conflict_do_nothing(index_elements=["idempotency_key"])
        return set(session.execute(statement.returning(OutboundMessage.bill_id), messages).scalars())
    # PostgreSQL: the rows travel as nine array parameters, not a statement with 70,000 placeholders.
    params = {name: [message[key] for message in messages] for name, key in UNNEST_COLUMNS.items()}
    params["fallbacks"] = [json.dumps(message["fallback_channels"]) for message in messages]
    return set(session.execute(UNNEST_INSERT, {**params, "now": now}).scalars())


def move_bills_on(session: Session, updates: list[dict], now: datetime) -> None:
    """Write every bill's next step: one UPDATE … FROM unnest(arrays) on PostgreSQL, executemany on SQLite."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            UNNEST_UPDATE,
            {
                "ids": [u["b_id"] for u in updates],
                "steps": [u["b_step"] for u in updates],
                "nexts": [u["b_next"] for u in updates],
                "sents": [u["b_sent"] for u in updates],
                "now": now,
            },
        )
        return
    session.connection().execute(
        update(Bill)
        .where(Bill.id == bindparam("b_id"))
        .values(
            next_step=bindparam("b_step"),
            next_reminder_at=bindparam("b_next"),
            reminders_sent=bindparam("b_sent"),
            updated_at=now,
        ),
        updates,
    )


def _among(session: Session, column, ids) -> object:
    """column IN ids; on PostgreSQL as = ANY(array), one parameter instead of thousands to parse."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(f"{column.key}_ids", list(ids), type_=ARRAY(Integer)))
    return column.in_(ids)


def customers_of(session: Session, ids: set[int]) -> dict[int, dict]:
    columns = (
        Customer.id,
        Customer.phone,
        Customer.email,
        Customer.telegram_chat_id,
        Customer.language,
        Customer.preferred_channel,
        Customer.phone_invalid_at,
    )
    rows = session.execute(select(*columns).where(_among(session, Customer.id, ids))).mappings().all()
    return {row["id"]: dict(row) for row in rows}


def opted_out_of(session: Session, customer_ids: set[int]) -> dict[int, set[str]]:
    rows = session.execute(
        select(CustomerChannel.customer_id, CustomerChannel.channel).where(
            _among(session, CustomerChannel.customer_id, customer_ids), CustomerChannel.opted_out_at.is_not(None)
        )
    ).all()
    found: dict[int, set[str]] = {}
    for customer_id, channel in rows:
        found.setdefault(customer_id, set()).add(channel)
    return found


def handed_over_of(session: Session, customer_ids: set[int]) -> set[int]:
    return set(
        session.execute(
            select(Conversation.customer_id).where(
                _among(session, Conversation.customer_id, customer_ids), Conversation.handed_over_at.is_not(None)
            )
        ).scalars()
    )


def unopened_bills(session: Session, bill_ids: list[int]) -> set[int]:
    return set(
        session.execute(
            select(PaymentLink.bill_id).where(
                _among(session, PaymentLink.bill_id, bill_ids), PaymentLink.open_count == 0
            )
        ).scalars()
    )
