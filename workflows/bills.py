"""Bills in: one at a time (API, demo) or a CSV of them (API, console, background job); and a CSV to notify."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from accounts.audit import record_audit
from billing import bills
from billing.import_staging import Staging, publish_staged
from billing.importer import ImportReport, Progress, RowError, import_bills_csv
from billing.schemas import BillIn
from config import Settings
from jobs.store import mark_publishing
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
    staging: Staging | None = None,
) -> BulkAnswer:
    """Import a CSV of bills; a refused import wrote nothing, and the caller rolls back and answers 422.

    With staging (a background job on SQLite) the rows are staged in short transactions, the job passes to
    publishing with its report, and the rows are published batch by batch (billing/import_staging.py).
    """
    report = import_bills_csv(
        session=session,
        biller=biller,
        data=data,
        partial=partial,
        settings=settings,
        on_progress=on_progress,
        staging=staging,
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
    if staging is None:
        return BulkAnswer(200, report.as_dict())
    # The point of no return: from this commit on, the import is published to the end, never redone.
    mark_publishing(session=session, job_id=staging.job_id, report=report.as_dict(), now=now)
    staging.checkpoint()
    return publish_import(
        session=session, actor=actor, now=now, biller=biller, staging=staging, report=report.as_dict()
    )


def publish_import(
    *, session: Session, actor: Actor, now: datetime, biller: Biller, staging: Staging, report: dict
) -> BulkAnswer:
    """Publish a staged import (again, after a worker died while publishing); the caller commits the last batch.

    A reference another bill took after the file was checked is reported on its line and left out.
    """
    taken = publish_staged(session, staging, biller.id, now)
    if not taken:
        return BulkAnswer(200, report)
    final = ImportReport.from_dict(report)
    final.imported -= len(taken)
    final.errors += [
        RowError(line, "reference: a bill with this reference already exists", "reference") for line in taken
    ]
    final.errors.sort(key=lambda error: error.line)
    return BulkAnswer(200, final.as_dict())


def notify_bills(
    *,
    session: Session,
    actor: Actor,
    now: datetime,
    biller: Biller,
    data: bytes,
    on_progress: Callable[[int, int], None] | None = None,
    done: Sequence[dict] = (),
    checkpoint: Callable[[list[dict]], None] | None = None,
    checkpoint_rows: int = 1000,
) -> BulkAnswer:
    """Notify the bills a CSV lists by reference (a CSV without that column raises InvalidInput); a background
    job commits every checkpoint_rows rows and carries on after `done` (workflows.notify.notify_bills_csv)."""
    report = notify_bills_csv(
        session=session,
        actor=actor,
        now=now,
        biller=biller,
        data=data,
        on_progress=on_progress,
        done=done,
        checkpoint=checkpoint,
        checkpoint_rows=checkpoint_rows,
    )
    record_audit(
        session=session,
        biller_id=biller.id,
        actor=str(actor),
        action="bills.notify",
        detail={"queued": report["queued"], "refused": len(report["results"]) - report["queued"]},
    )
    return BulkAnswer(200, report)
