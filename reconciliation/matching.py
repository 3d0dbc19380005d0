"""Matching a bank credit to a bill: our `tr` in the narration, a UTR a customer gave the bot, or amount and payer.

Every lookup is confined to the biller whose statement it is: a line never matches another biller's bill.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from billing.checkout import find_attempt
from models import AuditEvent, Bill, Customer
from models.vocab import PAYABLE_STATUSES
from reconciliation.statements import StatementRow

# billing.upi.new_transaction_reference (CP…) and billing.checkout.qr_attempt (CQ…, the QR code's `tr`)
TR_IN_TEXT = re.compile(r"(?<![A-Z0-9])C[PQ][A-Z0-9]{18}(?![A-Z0-9])")
UTR_IN_TEXT = re.compile(r"(?<!\d)\d{12}(?!\d)")  # a UPI RRN: 12 digits
CLAIM_ACTION = "payment.claimed"  # the audit event the bot writes when a customer says "I already paid"
MAX_AMOUNT_CANDIDATES = 50


class MatchKind:
    """How a line was matched; the first two are certain, the last waits for a person."""

    TRANSACTION_REFERENCE = "tr"
    CLAIMED_UTR = "utr_claim"
    AMOUNT = "amount"


@dataclass(frozen=True)
class Match:
    """The bill a credit belongs to, and whether it may be recorded without a person confirming it."""

    bill: Bill
    kind: str
    app: str | None = None

    @property
    def certain(self) -> bool:
        return self.kind != MatchKind.AMOUNT


def utr_candidates(row: StatementRow) -> list[str]:
    """The UTRs a line may carry: its reference (HDFC pads it with zeros) and 12-digit numbers in the narration."""
    found = UTR_IN_TEXT.findall(row.narration)
    if row.reference:
        reference = row.reference.strip()
        found += [reference, reference.lstrip("0")] if reference.isdigit() else [reference]
    return list(dict.fromkeys(value for value in found if value))


def payment_reference(row: StatementRow) -> str:
    """The reference a matched line's payment is recorded under: the UTR, so a webhook's payment is the same one."""
    candidates = utr_candidates(row)
    twelve = [value for value in candidates if UTR_IN_TEXT.fullmatch(value)]
    if twelve:
        return twelve[0]
    if candidates:
        return candidates[0][:64]
    return f"STMT-{row.fingerprint[:24]}"


def paid_at(row: StatementRow, timezone: str) -> datetime:
    """The instant a statement date stands for: noon that day where the biller is (statements have no time)."""
    return datetime.combine(row.txn_date, time(12), tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def find_match(*, session: Session, biller_id: int, row: StatementRow) -> Match | None:
    """The bill this credit pays, trying the certain ways first; None when nothing fits one bill alone."""
    return (
        _by_transaction_reference(session, biller_id, row)
        or _by_claimed_utr(session, biller_id, row)
        or _by_amount_and_payer(session, biller_id, row)
    )


def _by_transaction_reference(session: Session, biller_id: int, row: StatementRow) -> Match | None:
    for reference in TR_IN_TEXT.findall(row.narration.upper()):
        attempt = find_attempt(session=session, transaction_reference=reference)
        bill = session.get(Bill, attempt.bill_id) if attempt else None
        if bill is not None and bill.biller_id == biller_id:
            return Match(bill, MatchKind.TRANSACTION_REFERENCE, attempt.app)
    return None


def _by_claimed_utr(session: Session, biller_id: int, row: StatementRow) -> Match | None:
    candidates = utr_candidates(row)
    if not candidates:
        return None
    claims = session.exec(
        select(AuditEvent.subject_id).where(
            AuditEvent.biller_id == biller_id,
            AuditEvent.action == CLAIM_ACTION,
            AuditEvent.subject_type == "bill",
            AuditEvent.detail["utr"].as_string().in_(candidates),
        )
    ).all()
    bills = session.exec(select(Bill).where(Bill.id.in_(set(claims)), Bill.biller_id == biller_id)).all()
    if len(bills) > 1:  # one claim covered several open bills: the amount says which
        bills = [bill for bill in bills if row.amount_paise in (bill.amount_due_paise, bill.amount_paise)]
    return Match(bills[0], MatchKind.CLAIMED_UTR) if len(bills) == 1 else None


def _by_amount_and_payer(session: Session, biller_id: int, row: StatementRow) -> Match | None:
    day_after = datetime.combine(row.txn_date + timedelta(days=1), time(0), tzinfo=UTC)
    rows = session.exec(
        select(Bill, Customer)
        .join(Customer, Customer.id == Bill.customer_id)
        .where(
            Bill.biller_id == biller_id,
            Bill.status.in_([str(status) for status in PAYABLE_STATUSES]),
            Bill.amount_due_paise == row.amount_paise,
            Bill.created_at < day_after,  # a bill cannot be paid before it exists
        )
        .limit(MAX_AMOUNT_CANDIDATES)
    ).all()
    if len(rows) > 1:
        rows = [(bill, customer) for bill, customer in rows if _names_payer(row.narration, customer)]
    return Match(rows[0][0], MatchKind.AMOUNT) if len(rows) == 1 else None


def _names_payer(narration: str, customer: Customer) -> bool:
    """Whether the narration names the customer: each word of their name, or their mobile number (as UPI ids do)."""
    text = narration.upper()
    words = [word for word in re.split(r"\W+", customer.name.upper()) if len(word) >= 3]
    digits = re.sub(r"\D", "", customer.phone or "")[-10:]
    return bool(words and all(word in text for word in words)) or bool(len(digits) == 10 and digits in narration)
