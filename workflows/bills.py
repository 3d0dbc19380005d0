"""Bills in: one at a time (API, demo) or a CSV of them (API, console, background job); and a CSV to notify."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from accounts.audit import record_audit
from billing import bills
from billing.importer import Progress, import_bills_csv
from billing.schemas import BillIn
from config import Settings
from models import Bill, Biller
from workflows import Actor
from workflows.notify import notify_bills_csv


@dataclass(frozen=True)
class BulkAnswer:
    """What a bulk request answers: its HTTP status and JSON body (a background job's report is the body)."""

    status: int
    body: dict

    @property
    def ok(self) -> bool:
        return self.status < 400


def create_bill(
    *, session: Session, actor: Actor, now: datetime, biller: Biller, data: BillIn, settings: Settings
) -> Bill:
    """Create a bill, its customer (upserted) and its payment link, on the biller's default cadence unless named."""
    bill = bills.create_bill(session=session, biller=biller, data=data, settings=settings)
    record_audit(
        session=session,
        biller_id=biller.id,
        actor=str(actor),
        action="bill.create",
        subject_type="bill",
        subject_id=bill.id,
        detail={"customer_id": bill.customer_id},
    )
    return bill


def close_expired_bills(*, session: Session, actor: Actor, now: datetime) -> int:
    """The nightly pass: bills whose every link has expired close (no more reminders or payments); how many."""
    return bills.expire_bills(session=session, now=now)


def import_bills(
    *,
    session: Session,
    actor: Actor,
    now: datetime,
    biller: Biller,
    data: bytes,
    partial: bool,
    settings: Settings,
    on_progress: Progress | None = None,
) -> BulkAnswer:
    """Import a CSV of bills; a refused import wrote nothing, and the caller rolls back and answers 422."""
    report = import_bills_csv(
        session=session, biller=biller, data=data, partial=partial, settings=settings, on_progress=on_progress
    )
    if not report.ok and not partial:
        error = {
            "code": "invalid_rows",
            "message": f"{len(report.errors)} row(s) have errors; nothing was imported",
            "field": "file",
        }
        return BulkAnswer(422, {"error": error, **report.as_dict()})
    record_audit(
        session=session,
        biller_id=biller.id,
        actor=str(actor),
        action="bills.import",
        detail={"imported": report.imported, "rejected": len(report.errors)},
    )
    return BulkAnswer(200, report.as_dict())


def notify_bills(
    *,
    session: Session,
    actor: Actor,
    now: datetime,
    biller: Biller,
    data: bytes,
    on_progress: Callable[[int, int], None] | None = None,
) -> BulkAnswer:
    """Notify the bills a CSV lists by reference (a CSV without that column raises InvalidInput)."""
    report = notify_bills_csv(session=session, actor=actor, now=now, biller=biller, data=data, on_progress=on_progress)
    record_audit(
        session=session,
        biller_id=biller.id,
        actor=str(actor),
        action="bills.notify",
        detail={"queued": report["queued"], "refused": len(report["results"]) - report["queued"]},
    )
    return BulkAnswer(200, report)
