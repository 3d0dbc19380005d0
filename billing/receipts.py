"""Receipts a customer can keep: what the bill was, every payment against it, the total paid and the balance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from models import Bill, Biller, Customer, Payment


def receipt_number(payment: Payment) -> str:
    """The number printed on a payment's receipt: stable, unique, and readable over the phone."""
    return f"RCPT-{payment.paid_at:%Y%m%d}-{payment.id:06d}"


@dataclass(frozen=True)
class Receipt:
    """Everything a receipt shows, in the order it shows it."""

    biller_name: str
    bbps_biller_id: str | None
    bill_reference: str
    bill_period: str | None
    due_date: date
    customer_name: str
    consumer_number: str
    bill_amount_paise: int
    payments: list[Payment]
    total_paid_paise: int
    balance_paise: int

    @property
    def number(self) -> str:
        """The receipt number: that of the latest payment."""
        return receipt_number(self.payments[-1])

    @property
    def settled(self) -> bool:
        return self.balance_paise == 0


def payments_of(*, session: Session, bill_id: int) -> list[Payment]:
    """The bill's payments, oldest first."""
    return list(session.exec(select(Payment).where(Payment.bill_id == bill_id).order_by(Payment.id)).all())


def build_receipt(*, bill: Bill, biller: Biller, customer: Customer, payments: list[Payment]) -> Receipt | None:
    """The receipt of a bill with at least one payment; None while nothing is paid."""
    if not payments:
        return None
    return Receipt(
        biller_name=biller.name,
        bbps_biller_id=biller.bbps_biller_id,
        bill_reference=bill.reference,
        bill_period=bill.period,
        due_date=bill.due_date,
        customer_name=customer.name,
        consumer_number=customer.reference,
        bill_amount_paise=bill.amount_paise,
        payments=payments,
        total_paid_paise=sum(payment.amount_paise for payment in payments),
        balance_paise=bill.amount_due_paise,
    )
