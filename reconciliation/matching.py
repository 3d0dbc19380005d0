"""Matching a bank credit to a bill: our `tr` in the narration, a UTR a customer gave the bot, or amount and payer.

Every lookup is confined to the biller whose statement it is: a line never matches another biller's bill.
The lookups are made for a batch of lines at once (`Candidates`: one query per way of matching), not per line:
per line, the claimed-UTR search scanned the audit log and the amount search the biller's bills, 50 ms a line
with 50,000 bills. The bills found are the session's own objects, so a payment recorded for one line is seen
by the lines after it (a bill paid off no longer matches by amount).

An amount fits a bill when the bill asked it on the line's date: its amount due, or the early- or late-payment
amount that billing.amounts.amount_choice asks instead that day, as the payment page did.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, or_, select

from billing.amounts import amount_choice
from models import AuditEvent, Bill, Customer, LinkEvent
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


@dataclass
class Candidates:
    """What a batch of statement lines may match, looked up in one query per way of matching."""

    attempts: dict[str, LinkEvent] = field(default_factory=dict)  # our `tr` → the attempt it was issued for
    bills: dict[int, Bill] = field(default_factory=dict)  # the biller's bills those attempts and claims name
    claims: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))  # claimed UTR → bill ids
    # amount → the payable bills that may ask it: as amount due, early- or late-payment amount
    by_amount: dict[int, list[tuple[Bill, Customer]]] = field(default_factory=lambda: defaultdict(list))


def find_candidates(*, session: Session, biller_id: int, rows: Sequence[StatementRow]) -> Candidates:
    """Everything the credits among rows could match, for find_match."""
    found = Candidates()
    credits = [row for row in rows if row.is_credit]
    references = {tr for row in credits for tr in TR_IN_TEXT.findall(row.narration.upper())}
    if references:
        attempts = session.exec(select(LinkEvent).where(LinkEvent.transaction_reference.in_(references))).all()
        found.attempts = {attempt.transaction_reference: attempt for attempt in attempts}
    utrs = {utr for row in credits for utr in utr_candidates(row)}
    if utrs:
        claimed = AuditEvent.detail["utr"].as_string()
        claims = session.exec(
            select(claimed, AuditEvent.subject_id).where(
                AuditEvent.biller_id == biller_id,
                AuditEvent.action == CLAIM_ACTION,
                AuditEvent.subject_type == "bill",
                claimed.in_(utrs),
            )
        ).all()
        for utr, bill_id in claims:
            found.claims[utr].add(bill_id)
    named = {attempt.bill_id for attempt in found.attempts.values()} | {i for ids in found.claims.values() for i in ids}
    if named:
        bills = session.exec(select(Bill).where(Bill.id.in_(named), Bill.biller_id == biller_id)).all()
        found.bills = {bill.id: bill for bill in bills}
    amounts = {row.amount_paise for row in credits}
    if amounts:
        payable = session.exec(
            select(Bill, Customer)
            .join(Customer, Customer.id == Bill.customer_id)
            .where(
                Bill.biller_id == biller_id,
                Bill.status.in_([str(status) for status in PAYABLE_STATUSES]),
                or_(
                    Bill.amount_due_paise.in_(amounts),
                    Bill.early_payment_amount_paise.in_(amounts),
                    Bill.late_payment_amount_paise.in_(amounts),
                ),
            )
            .order_by(Bill.id)
        ).all()
        for bill, customer in payable:
            offered = {bill.amount_due_paise, bill.early_payment_amount_paise, bill.late_payment_amount_paise}
            for amount in offered & amounts:
                found.by_amount[amount].append((bill, customer))
    return found


def find_match(*, biller_id: int, timezone: str, row: StatementRow, candidates: Candidates) -> Match | None:
    """The bill this credit pays, trying the certain ways first; None when nothing fits one bill alone.

    timezone: the biller's, where the statement's dates are days."""
    return (
        _by_transaction_reference(biller_id, row, candidates)
        or _by_claimed_utr(row, candidates)
        or _by_amount_and_payer(row, candidates, timezone)
    )


def _by_transaction_reference(biller_id: int, row: StatementRow, candidates: Candidates) -> Match | None:
    for reference in TR_IN_TEXT.findall(row.narration.upper()):
        attempt = candidates.attempts.get(reference)
        bill = candidates.bills.get(attempt.bill_id) if attempt else None
        if bill is not None and bill.biller_id == biller_id:
            return Match(bill, MatchKind.TRANSACTION_REFERENCE, attempt.app)
    return None


def _by_claimed_utr(row: StatementRow, candidates: Candidates) -> Match | None:
    claimed = {bill_id for utr in utr_candidates(row) for bill_id in candidates.claims.get(utr, ())}
    bills = [candidates.bills[bill_id] for bill_id in sorted(claimed) if bill_id in candidates.bills]
    if len(bills) > 1:  # one claim covered several open bills: the amount says which
        bills = [bill for bill in bills if row.amount_paise in {bill.amount_paise, *_amounts_asked(bill, row.txn_date)}]
    return Match(bills[0], MatchKind.CLAIMED_UTR) if len(bills) == 1 else None


def _by_amount_and_payer(row: StatementRow, candidates: Candidates, timezone: str) -> Match | None:
    day_after = datetime.combine(row.txn_date + timedelta(days=1), time(0), tzinfo=ZoneInfo(timezone))
    payable = {str(status) for status in PAYABLE_STATUSES}
    rows = [
        (bill, customer)
        for bill, customer in candidates.by_amount.get(row.amount_paise, ())
        # as the bill stands now: a line before this one may have paid it
        if bill.status in payable
        and row.amount_paise in _amounts_asked(bill, row.txn_date)
        and bill.created_at < day_after
    ][:MAX_AMOUNT_CANDIDATES]
    if len(rows) > 1:
        rows = [(bill, customer) for bill, customer in rows if _names_payer(row.narration, customer)]
    return Match(rows[0][0], MatchKind.AMOUNT) if len(rows) == 1 else None


def _amounts_asked(bill: Bill, day: date) -> set[int]:
    """What a credit on day may carry for the bill: its amount due, or the early or late amount asked that day."""
    return {bill.amount_due_paise, amount_choice(bill, today=day).due_paise}


def _names_payer(narration: str, customer: Customer) -> bool:
    """Whether the narration names the customer: each word of their name, or their mobile number (as UPI ids do)."""
    text = narration.upper()
    words = [word for word in re.split(r"\W+", customer.name.upper()) if len(word) >= 3]
    digits = re.sub(r"\D", "", customer.phone or "")[-10:]
    return bool(words and all(word in text for word in words)) or bool(len(digits) == 10 and digits in narration)
