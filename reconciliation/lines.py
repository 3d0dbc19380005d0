"""Statement lines kept per biller: recorded once per fingerprint, matched, and reviewed when only suggested."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from billing.payments import PaymentResult
from errors import Conflict, NotFound
from models import Bill, Biller, Customer, StatementLine
from reconciliation.matching import Candidates, Match, find_candidates, find_match, paid_at, payment_reference
from reconciliation.statements import StatementRow


class LineStatus:
    """Where a statement line stands; `duplicate` and `ignored` exist only in a report, never stored."""

    MATCHED = "matched"
    SUGGESTED = "suggested"
    UNMATCHED = "unmatched"
    REJECTED = "rejected"
    IGNORED = "ignored"  # a debit
    DUPLICATE = "duplicate"  # uploaded before: nothing recorded again


STATEMENT_SOURCE = "statement"  # Payment.source of money learned from a bank statement

# Records a line's payment through the one payment path (workflows.payments.record_payment, which also sends
# the receipt): called with bill, amount_paise, reference, source, app and now; raises Conflict when the
# reference already paid something else. The workflow passes it in: this package sits below the workflows.
PayBill = Callable[..., PaymentResult]


@dataclass(frozen=True)
class LineOutcome:
    """One line of the answer to an upload."""

    line: int
    status: str
    bill_id: int | None = None
    payment_id: int | None = None

    def as_dict(self) -> dict:
        return {"line": self.line, "status": self.status, "bill_id": self.bill_id, "payment_id": self.payment_id}


LOOKUP_LINES = 500  # lines whose candidates are looked up together (each lookup scans the biller's bills once)
COMMIT_LINES = 50  # lines a background job commits together (SQLite's write lock is held that long)
Progress = Callable[[int, int], None]  # (lines done, lines in all)
Checkpoint = Callable[[list[dict]], None]  # keeps the outcomes so far and commits them with the lines' writes


def reconcile_rows(
    *,
    session: Session,
    biller: Biller,
    rows: Sequence[StatementRow],
    actor: str,
    now: datetime,
    pay: PayBill,
    on_progress: Progress | None = None,
    done: Sequence[dict] = (),
    checkpoint: Checkpoint | None = None,
) -> list[LineOutcome]:
    """Reconcile a statement's rows in order, looking up what a batch of lines may match in one go.

    A background job commits every COMMIT_LINES lines through checkpoint and, run again after a worker died,
    passes the outcomes it kept as done: those rows are not reconciled twice.
    """
    outcomes = [LineOutcome(**outcome) for outcome in done]
    candidates = None
    for index in range(len(outcomes), len(rows)):
        if candidates is None or (index - len(done)) % LOOKUP_LINES == 0:
            lookup = rows[index : index + LOOKUP_LINES]
            candidates = find_candidates(session=session, biller_id=biller.id, rows=lookup)
        outcomes.append(
            reconcile_row(
                session=session, biller=biller, row=rows[index], actor=actor, now=now, pay=pay, candidates=candidates
            )
        )
        if len(outcomes) % COMMIT_LINES == 0 or len(outcomes) == len(rows):
            if on_progress:
                on_progress(len(outcomes), len(rows))
            if checkpoint and len(outcomes) < len(rows):
                checkpoint([outcome.as_dict() for outcome in outcomes])
    return outcomes


def reconcile_row(
    *,
    session: Session,
    biller: Biller,
    row: StatementRow,
    actor: str,
    now: datetime,
    pay: PayBill,
    candidates: Candidates,
) -> LineOutcome:
    """Keep a credit line once and match it: certain matches record a payment, amount-only ones wait for review.

    A line seen before is reported as a duplicate and changes nothing, unless it was unmatched then: a customer
    may have given the bot its UTR since, so it is matched again.
    """
    if not row.is_credit:
        return LineOutcome(row.line, LineStatus.IGNORED)
    line = session.exec(
        select(StatementLine).where(StatementLine.biller_id == biller.id, StatementLine.fingerprint == row.fingerprint)
    ).first()
    if line is not None and line.status != LineStatus.UNMATCHED:
        return LineOutcome(row.line, LineStatus.DUPLICATE, line.bill_id, line.payment_id)
    if line is None:
        line = _insert_line(session=session, biller_id=biller.id, row=row, now=now)
        if line is None:  # the same statement uploaded twice at once: the other upload has it
            return LineOutcome(row.line, LineStatus.DUPLICATE)
    match = find_match(biller_id=biller.id, timezone=biller.timezone, row=row, candidates=candidates)
    if match is None:
        return LineOutcome(row.line, LineStatus.UNMATCHED)
    line.bill_id, line.match_kind = match.bill.id, match.kind
    if not match.certain:
        line.status = LineStatus.SUGGESTED
    elif not _record(line=line, bill=match.bill, row=row, match=match, biller=biller, pay=pay):
        line.bill_id, line.match_kind = None, None
    line.decided_at, line.decided_by = (now, actor) if line.status == LineStatus.MATCHED else (None, None)
    session.add(line)
    session.flush()
    return LineOutcome(row.line, line.status, line.bill_id, line.payment_id)


def _insert_line(*, session: Session, biller_id: int, row: StatementRow, now: datetime) -> StatementLine | None:
    line = StatementLine(
        biller_id=biller_id,
        fingerprint=row.fingerprint,
        txn_date=row.txn_date,
        narration=row.narration,
        bank_reference=row.reference,
        amount_paise=row.amount_paise,
        status=LineStatus.UNMATCHED,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(line)
    except IntegrityError:
        return None
    return line


def _record(*, line: StatementLine, bill: Bill, row: StatementRow, match: Match, biller, pay: PayBill) -> bool:
    """Record the line's payment through the one payment path; False when its UTR paid something else."""
    try:
        result = pay(
            bill=bill,
            amount_paise=row.amount_paise,
            reference=payment_reference(row),
            source=STATEMENT_SOURCE,
            app=match.app,
            now=paid_at(row, biller.timezone),
        )
    except Conflict:
        return False
    line.status, line.payment_id = LineStatus.MATCHED, result.payment.id
    return True


@dataclass(frozen=True)
class Suggestion:
    """A line waiting in the review queue, with the bill it probably pays."""

    line: StatementLine
    bill: Bill
    customer: Customer


def review_queue(*, session: Session, biller_id: int) -> list[Suggestion]:
    """The biller's suggested matches, oldest first."""
    rows = session.exec(
        select(StatementLine, Bill, Customer)
        .join(Bill, Bill.id == StatementLine.bill_id)
        .join(Customer, Customer.id == Bill.customer_id)
        .where(StatementLine.biller_id == biller_id, StatementLine.status == LineStatus.SUGGESTED)
        .order_by(StatementLine.txn_date, StatementLine.id)
    ).all()
    return [Suggestion(line, bill, customer) for line, bill, customer in rows]


def suggested_line(*, session: Session, biller_id: int, line_id: int) -> StatementLine:
    """One of the biller's lines waiting for review; NotFound for another biller's or a decided line."""
    line = session.get(StatementLine, line_id)
    if line is None or line.biller_id != biller_id:
        raise NotFound("No statement line has this id", field="line_id")
    if line.status != LineStatus.SUGGESTED:
        raise Conflict("This line has already been decided", field="line_id", code="already_decided")
    return line


def confirm_line(
    *, session: Session, line: StatementLine, biller: Biller, actor: str, now: datetime, pay: PayBill
) -> StatementLine:
    """A person agrees the suggested bill is the one paid: record the payment as a certain match would."""
    bill = session.get(Bill, line.bill_id)
    row = StatementRow(0, line.txn_date, line.narration, line.bank_reference, line.amount_paise, True, line.fingerprint)
    if not _record(line=line, bill=bill, row=row, match=Match(bill, line.match_kind), biller=biller, pay=pay):
        raise Conflict("The UTR of this line already paid another bill", field="line_id", code="reference_reused")
    line.decided_at, line.decided_by = now, actor
    session.add(line)
    session.flush()
    return line


def reject_line(*, session: Session, line: StatementLine, actor: str, now: datetime) -> StatementLine:
    """A person says the suggestion is wrong: the line leaves the queue and nothing is recorded."""
    line.status, line.decided_at, line.decided_by = LineStatus.REJECTED, now, actor
    session.add(line)
    session.flush()
    return line
