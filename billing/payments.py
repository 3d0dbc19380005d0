"""Recording payments: one function, whichever way the money is reported."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from accounts.audit import record_audit
from billing.errors import Conflict
from channels.outbox import queue_receipt
from models import Bill, LinkEvent, OutboundMessage, Payment
from models.db import utcnow
from models.vocab import BillStatus, MessageStatus

REMINDER_TEMPLATE_PREFIX = "reminder"
PAYMENT_FAILED = "payment_failed"  # the LinkEvent kind of a failed payment notice


@dataclass(frozen=True)
class PaymentResult:
    """What recording a payment did."""

    payment: Payment
    duplicate: bool
    overpaid_paise: int


def record_payment(
    *,
    session: Session,
    bill: Bill,
    amount_paise: int,
    reference: str,
    source: str,
    app: str | None = None,
    paid_at: datetime | None = None,
) -> PaymentResult:
    """Record money received against a bill: amount due and status change, reminders stop, a receipt is queued.

    The same reference twice is a no-op that returns the first payment; the same reference for a
    different bill or amount is a conflict. Money is never refused for arriving late or in excess:
    a payment on a bill that is already settled is kept and reported as over-payment.
    """
    existing = session.exec(
        select(Payment).where(Payment.biller_id == bill.biller_id, Payment.reference == reference)
    ).first()
    if existing is not None:
        if existing.bill_id != bill.id or existing.amount_paise != amount_paise:
            raise Conflict(
                "This payment reference was already used for another payment",
                field="reference",
                code="reference_reused",
            )
        return PaymentResult(existing, duplicate=True, overpaid_paise=0)

    locked = session.exec(select(Bill).where(Bill.id == bill.id).with_for_update()).one()
    overpaid = max(amount_paise - locked.amount_due_paise, 0)
    payment = Payment(
        biller_id=locked.biller_id,
        bill_id=locked.id,
        amount_paise=amount_paise,
        reference=reference,
        app=app,
        source=source,
        paid_at=paid_at or utcnow(),
    )
    session.add(payment)
    locked.amount_due_paise = max(locked.amount_due_paise - amount_paise, 0)
    if locked.status in (BillStatus.OPEN, BillStatus.PARTIALLY_PAID):
        locked.status = BillStatus.PAID.value if locked.amount_due_paise == 0 else BillStatus.PARTIALLY_PAID.value
    if locked.status == BillStatus.PAID:
        locked.next_reminder_at = None
        cancel_pending_reminders(session=session, bill_id=locked.id)
    locked.updated_at = utcnow()
    session.add(locked)
    session.flush()
    record_audit(
        session=session,
        biller_id=locked.biller_id,
        actor=source,
        action="payment.record",
        subject_type="bill",
        subject_id=locked.id,
        detail={"payment_id": payment.id, "amount": amount_paise, "overpaid": overpaid},
    )
    queue_receipt(session=session, bill=locked, payment=payment)
    return PaymentResult(payment, duplicate=False, overpaid_paise=overpaid)


def record_payment_failure(*, session: Session, attempt: LinkEvent, utr: str, app: str | None) -> bool:
    """Add a failed payment to the bill's timeline once per UTR; a replayed notice changes nothing (returns False)."""
    seen = select(LinkEvent.id).where(
        LinkEvent.bill_id == attempt.bill_id, LinkEvent.kind == PAYMENT_FAILED, LinkEvent.payment_reference == utr
    )
    if session.exec(seen).first() is not None:
        return False
    try:
        with session.begin_nested():  # two copies of a notice at once: the unique constraint keeps one
            session.add(
                LinkEvent(
                    link_id=attempt.link_id,
                    bill_id=attempt.bill_id,
                    kind=PAYMENT_FAILED,
                    app=app,
                    payment_reference=utr,
                )
            )
    except IntegrityError:
        return False
    return True


def cancel_pending_reminders(*, session: Session, bill_id: int) -> int:
    """Withdraw reminders for a bill that have not gone out yet; returns how many."""
    result = session.execute(
        update(OutboundMessage)
        .where(
            OutboundMessage.bill_id == bill_id,
            OutboundMessage.status == MessageStatus.QUEUED,
            OutboundMessage.template_key.startswith(REMINDER_TEMPLATE_PREFIX),
        )
        .values(status=MessageStatus.CANCELLED.value, updated_at=utcnow())
    )
    return result.rowcount
