"""Shortcuts for channel tests: queue a message for a bill's customer and run the worker once."""

from __future__ import annotations

from sqlmodel import Session, select

from channels.outbox import bill_variables, enqueue, enqueue_on_first_channel
from channels.worker import OutboxWorker
from models import Bill, Biller, Customer, OutboundMessage
from models.vocab import Channel


def queue_reminder(
    session: Session, bill: Bill, *, key: str = "reminder_due_today", channels: list[tuple[str, str]] | None = None
) -> OutboundMessage:
    customer = session.get(Customer, bill.customer_id)
    biller = session.get(Biller, bill.biller_id)
    variables = bill_variables(
        session=session, bill=bill, customer=customer, biller=biller, amount_paise=bill.amount_due_paise
    )
    order = [(Channel(name), address) for name, address in channels] if channels is not None else None
    message = enqueue_on_first_channel(
        session=session,
        bill=bill,
        customer=customer,
        biller=biller,
        template_key=key,
        variables=variables,
        idempotency_key=f"bill:{bill.id}:{key}",
        channels=order,
    )
    session.commit()
    return message


def queue_text(session: Session, bill: Bill, channel: str, recipient: str, text: str, key: str) -> OutboundMessage:
    message = enqueue(
        session=session,
        biller_id=bill.biller_id,
        customer_id=bill.customer_id,
        bill_id=bill.id,
        channel=Channel(channel),
        recipient=recipient,
        idempotency_key=key,
        body=text,
    )
    session.commit()
    return message


def run_worker(app) -> int:
    return OutboxWorker(app, sleep=lambda seconds: None).run(once=True)


def messages(session: Session) -> list[OutboundMessage]:
    session.expire_all()
    return list(session.exec(select(OutboundMessage).order_by(OutboundMessage.id)).all())
