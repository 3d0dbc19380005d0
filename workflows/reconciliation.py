"""Use cases of reconciliation: a bank statement uploaded, a suggestion decided, a provider's payment notice.

Each function flushes; the entry point that called it commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import partial

from sqlmodel import Session

from accounts.audit import record_audit
from billing.billers import biller_today
from billing.checkout import find_attempt
from errors import Conflict
from models import Bill, Biller
from reconciliation.lines import (
    Checkpoint,
    LineStatus,
    Progress,
    confirm_line,
    reconcile_rows,
    reject_line,
    suggested_line,
)
from reconciliation.providers import ProviderNotice
from reconciliation.statements import parse_statement
from workflows import Actor
from workflows.payments import record_payment

REPORT_COUNTS = (LineStatus.MATCHED, LineStatus.SUGGESTED, LineStatus.UNMATCHED, LineStatus.IGNORED, "duplicate")


def reconcile_statement(
    *,
    session: Session,
    biller: Biller,
    data: bytes,
    actor: str,
    now: datetime,
    on_progress: Progress | None = None,
    done: Sequence[dict] = (),
    checkpoint: Checkpoint | None = None,
) -> dict:
    """Read a bank statement and match each credit; the report has a line per transaction and the counts.

    A StatementError (naming line and column) refuses the whole file before anything is recorded; a line dated
    after the biller's tomorrow is one. Each payment goes through the one payment path: a receipt, events. A background
    job passes on_progress (lines done, lines in all), checkpoint (commits each batch of lines with the
    outcomes so far) and, when run again, done (the outcomes it kept): reconciliation.lines.reconcile_rows.
    """
    rows = parse_statement(data, latest=biller_today(biller, now) + timedelta(days=1))
    pay = partial(record_payment, session=session, actor=Actor.parse(actor))
    outcomes = reconcile_rows(
        session=session,
        biller=biller,
        rows=rows,
        actor=actor,
        now=now,
        pay=pay,
        on_progress=on_progress,
        done=done,
        checkpoint=checkpoint,
    )
    report: dict = {"lines": [outcome.as_dict() for outcome in outcomes]}
    for status in REPORT_COUNTS:
        report[status] = sum(outcome.status == status for outcome in outcomes)
    record_audit(
        session=session,
        biller_id=biller.id,
        actor=actor,
        action="statement.reconcile",
        detail={status: report[status] for status in REPORT_COUNTS},
    )
    return report


def confirm_suggestion(*, session: Session, biller: Biller, line_id: int, actor: str, now: datetime) -> int:
    """Confirm a suggested match: its payment is recorded; returns the payment id."""
    line = confirm_line(
        session=session,
        line=suggested_line(session=session, biller_id=biller.id, line_id=line_id),
        biller=biller,
        actor=actor,
        now=now,
        pay=partial(record_payment, session=session, actor=Actor.parse(actor)),
    )
    record_audit(
        session=session,
        biller_id=biller.id,
        actor=actor,
        action="statement.confirm",
        subject_type="bill",
        subject_id=line.bill_id,
        detail={"line_id": line.id, "payment_id": line.payment_id},
    )
    return line.payment_id


def reject_suggestion(*, session: Session, biller: Biller, line_id: int, actor: str, now: datetime) -> None:
    """Reject a suggested match: nothing is recorded and the line leaves the queue."""
    line = reject_line(
        session=session,
        line=suggested_line(session=session, biller_id=biller.id, line_id=line_id),
        actor=actor,
        now=now,
    )
    record_audit(
        session=session,
        biller_id=biller.id,
        actor=actor,
        action="statement.reject",
        subject_type="bill",
        subject_id=line.bill_id,
        detail={"line_id": line.id},
    )


def accept_provider_notice(
    *, session: Session, biller: Biller, provider: str, notice: ProviderNotice, now: datetime
) -> dict:
    """Record the payment a provider reports against the biller's bill its `tr` names; replays change nothing.

    The payment goes through the one payment path, so the customer is thanked with a receipt as at every door.
    """
    attempt = find_attempt(session=session, transaction_reference=notice.transaction_reference or "")
    bill = session.get(Bill, attempt.bill_id) if attempt else None
    detail = {"provider": provider, "utr": notice.utr, "amount": notice.amount_paise}
    if bill is None or bill.biller_id != biller.id or notice.currency != "INR":
        status = "unmatched" if notice.currency == "INR" else "unsupported_currency"
        record_audit(session=session, biller_id=biller.id, actor=provider, action=f"payment.{status}", detail=detail)
        return {"status": status}
    try:
        result = record_payment(
            session=session,
            actor=Actor(provider),
            now=now,
            bill=bill,
            amount_paise=notice.amount_paise,
            reference=notice.utr,
            source=provider,
            app=attempt.app,
        )
    except Conflict:
        record_audit(session=session, biller_id=biller.id, actor=provider, action="payment.conflict", detail=detail)
        return {"status": "conflict", "bill_id": bill.id}
    return {
        "status": "duplicate" if result.duplicate else "recorded",
        "bill_id": bill.id,
        "payment_id": result.payment.id,
        "bill_status": bill.status,
    }
