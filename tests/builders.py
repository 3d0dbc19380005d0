"""Builders that make valid domain data through the real service functions."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

from sqlalchemy import event
from sqlmodel import Session

from billing.billers import create_biller, issue_api_key
from billing.bills import create_bill
from billing.schemas import BillIn
from channels.outbox import enqueue
from config import current_settings
from models import Bill, Biller, MessageTemplate, OutboundMessage
from models.vocab import Channel

_sequence = itertools.count(1)


def make_biller(session: Session, *, name: str = "Test Power", upi_vpa: str = "testpower@icici", **kwargs) -> Biller:
    """A committed biller with its default cadence."""
    biller = create_biller(session=session, name=name, upi_vpa=upi_vpa, **kwargs)
    session.commit()
    return biller


def make_api_key(session: Session, biller: Biller) -> str:
    """A committed API key for the biller, in plain text."""
    key = issue_api_key(session=session, biller_id=biller.id)
    session.commit()
    return key


def bill_payload(**overrides) -> dict:
    """A valid POST /bills body; overrides replace top-level fields."""
    n = next(_sequence)
    payload = {
        "reference": f"BILL-{n:05d}",
        "customer": {
            "reference": f"CUST-{n:05d}",
            "name": "Asha Verma",
            "phone": "+919810000001",
            "email": "asha@example.com",
            "language": "en",
        },
        "amount": 124550,
        "due_date": (date.today() + timedelta(days=10)).isoformat(),
    }
    payload.update(overrides)
    return payload


def make_bill(session: Session, biller: Biller, **overrides) -> Bill:
    """A committed bill (and customer and link) for the biller."""
    bill = create_bill(
        session=session,
        biller=biller,
        data=BillIn.model_validate(bill_payload(**overrides)),
        settings=current_settings(),
    )
    session.commit()
    return bill


def queue_messages(
    session: Session,
    bill: Bill,
    count: int,
    *,
    channel: str = "sms",
    key: str = "bulk",
    template_key: str | None = None,
) -> list[OutboundMessage]:
    """`count` committed outbox rows to the bill's customer, each with its own key and body."""
    messages = [
        enqueue(
            session=session,
            biller_id=bill.biller_id,
            customer_id=bill.customer_id,
            bill_id=bill.id,
            channel=Channel(channel),
            recipient="+919810000001",
            idempotency_key=f"{key}:{n}",
            body=f"Message {n}",
            template_key=template_key,
        )
        for n in range(count)
    ]
    session.commit()
    return messages


def make_whatsapp_template(
    session: Session,
    biller: Biller,
    *,
    body: str = "Due: {amount} {link}",
    content_sid: str = "HX" + "a" * 32,
    key: str = "reminder_due_today",
) -> MessageTemplate:
    """A committed, approved WhatsApp template (with its ContentSid) in English."""
    template = MessageTemplate(
        biller_id=biller.id, key=key, channel="whatsapp", language="en", body=body, content_sid=content_sid
    )
    session.add(template)
    session.commit()
    return template


@contextmanager
def statements_run(app) -> Iterator[list[str]]:
    """The SQL the app's engine sends meanwhile, in order (tests counting a change's queries)."""
    statements: list[str] = []

    def record(connection, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = app.extensions["database"].engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
