"""Money received: the one way every door (API, payment webhook, console, sandbox page) records a payment."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from billing import payments
from billing.payments import PaymentResult
from channels.outbox import queue_receipt
from models import Bill
from workflows import Actor


def record_payment(
    *,
    session: Session,
    actor: Actor,
    now: datetime,
    bill: Bill,
    amount_paise: int,
    reference: str,
    source: str,
    app: str | None = None,
) -> PaymentResult:
    """Record a payment (amount due, status, reminders withdrawn, audit) and thank the customer with a receipt.

    The same reference again changes nothing and sends no second receipt (billing.payments.record_payment).
    """
    result = payments.record_payment(
        session=session,
        actor=str(actor),
        now=now,
        bill=bill,
        amount_paise=amount_paise,
        reference=reference,
        source=source,
        app=app,
    )
    if not result.duplicate:
        queue_receipt(session=session, bill=bill, payment=result.payment)
    return result
