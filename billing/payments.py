"""Recording payments against bills; workflows.payments adds the receipt, whichever way the money is reported."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

import events
from accounts.audit import record_audit
from billing.amounts import amount_choice, excess_beyond_tolerance
from billing.billers import biller_today
from billing.bills import bill_event_data
from billing.money import format_inr
from errors import Conflict
from models import Bill, Biller, Complaint, LinkEvent, OutboundMessage, Payment
from models.complaints import ComplaintCategory
from models.db import utcnow
from models.vocab import PAYABLE_STATUSES, REMINDER_TEMPLATE_PREFIX, BillStatus, MessageStatus
from models.webhooks import EventType

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
    actor: str | None = None,
    now: datetime | None = None,
) -> PaymentResult:
    """Record money received against a bill: amount due and status change, reminders stop, the audit says so.

    The same reference twice is a no-op that returns the first payment; the same reference for a
    different bill or amount is a conflict. Money is never refused for arriving late or in excess:
    a payment on a bill that is already settled is kept and reported as over-payment. The audit names
    `actor` (the source when not given); `now` is when the money arrived (the clock's now when not given).
    """
    now = now or utcnow()
    payment_id = _insert_once(
        session=session,
        values={
            "biller_id": bill.biller_id,
            "bill_id": bill.id,
            "amount_paise": amount_paise,
            "reference": reference,
            "app": app,
            "source": source,
            "paid_at": now,
            "created_at": now,
        },
    )
    if payment_id is None:
        return _repeated(session=session, bill=bill, amount_paise=amount_paise, reference=reference)
    payment = session.get(Payment, payment_id)

    # A real row lock with fresh state: without populate_existing the bill already in the session
    # would be returned as it was read, and a concurrent payment's change would be overwritten.
    # NO KEY UPDATE (key_share) because the payment row's foreign key holds a KEY SHARE lock on the
    # bill: a plain FOR UPDATE after it would deadlock two payments against each other.
    locked = session.exec(
        select(Bill).where(Bill.id == bill.id).with_for_update(key_share=True).execution_options(populate_existing=True)
    ).one()
    biller = session.get(Biller, locked.biller_id)
    asked = amount_choice(locked, today=biller_today(biller, now))  # what the bill asked when the money arrived
    allowed = asked.max_paise  # 0 once settled or cancelled
    # The early-payment amount by its date, or the late-payment amount after the due date, settles the bill as the
    # payment page asked: the discount is given and the late fee is not money paid over.
    settles = asked.kind in ("early", "late") and amount_paise >= asked.due_paise
    overpaid = max(amount_paise - (asked.due_paise if settles else locked.amount_due_paise), 0)
    locked.amount_due_paise = 0 if settles else max(locked.amount_due_paise - amount_paise, 0)
    was_payable = locked.status in PAYABLE_STATUSES
    if was_payable:
        locked.status = BillStatus.PAID.value if locked.amount_due_paise == 0 else BillStatus.PARTIALLY_PAID.value
    if locked.status == BillStatus.PAID:
        locked.next_reminder_at = None
        cancel_pending_reminders(session=session, bill_id=locked.id)
    locked.updated_at = now
    session.add(locked)
    session.flush()
    record_audit(
        session=session,
        biller_id=locked.biller_id,
        actor=actor or source,
        action="payment.record",
        subject_type="bill",
        subject_id=locked.id,
        detail={"payment_id": payment.id, "amount": amount_paise, "overpaid": overpaid, "asked": asked.kind},
    )
    excess = excess_beyond_tolerance(
        amount_paise=amount_paise, allowed_paise=allowed, tolerance_paise=biller.overpayment_tolerance_paise
    )
    if excess:
        flag_overpayment(session=session, bill=locked, payment=payment, excess_paise=excess)
    _emit_payment_events(session=session, bill=locked, payment=payment, was_payable=was_payable, now=now)
    return PaymentResult(payment, duplicate=False, overpaid_paise=overpaid)


def flag_overpayment(*, session: Session, bill: Bill, payment: Payment, excess_paise: int) -> Complaint:
    """Put money received beyond what the bill allowed (and the biller's tolerance) in front of support."""
    complaint = Complaint(
        biller_id=bill.biller_id,
        customer_id=bill.customer_id,
        category=ComplaintCategory.OVERPAYMENT.value,
        text=(
            f"Payment {payment.reference} on bill {bill.reference} is {format_inr(excess_paise, 'en')} "
            "more than the bill allowed: refund it or carry it forward."
        ),
        created_at=utcnow(),
    )
    session.add(complaint)
    session.flush()
    return complaint


def _emit_payment_events(*, session: Session, bill: Bill, payment: Payment, was_payable: bool, now: datetime) -> None:
    """Tell the biller's systems: the payment, and what it made of the bill (paid or still partly due)."""
    bill_fields = bill_event_data(session=session, bill=bill, now=now)
    events.emit(
        session,
        bill.biller_id,
        EventType.PAYMENT_RECEIVED,
        {"payment": events.payment_data(payment), "bill": bill_fields},
    )
    if was_payable:
        kind = EventType.BILL_PAID if bill.status == BillStatus.PAID else EventType.BILL_PARTIALLY_PAID
        events.emit(session, bill.biller_id, kind, {"bill": bill_fields, "payment": events.payment_data(payment)})


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


def _insert_once(*, session: Session, values: dict) -> int | None:
    """Insert the payment unless its reference is already taken; the new id, or None when it was.

    INSERT … ON CONFLICT DO NOTHING is the same statement on both databases: a concurrent insert of
    the same reference waits for the other transaction and then does nothing, so it never fails.
    On SQLite this first write also takes the database's write lock, which serialises the bill update.
    """
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(Payment)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["biller_id", "reference"])
        .returning(Payment.id)
    )
    return session.execute(statement).scalar_one_or_none()


def _repeated(*, session: Session, bill: Bill, amount_paise: int, reference: str) -> PaymentResult:
    """The answer to a reference already recorded: the first payment again, or a conflict if it differs."""
    existing = session.exec(
        select(Payment).where(Payment.biller_id == bill.biller_id, Payment.reference == reference)
    ).one()
    if existing.bill_id != bill.id or existing.amount_paise != amount_paise:
        raise Conflict(
            "This payment reference was already used for another payment",
            field="reference",
            code="reference_reused",
        )
    session.refresh(bill)  # report the bill as it is now, with the first payment in it
    return PaymentResult(existing, duplicate=True, overpaid_paise=0)


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
