"""The bulk actions, answered the same way whether they run in the request or as a background job."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session

from accounts.audit import record_audit
from billing.importer import Progress, import_bills_csv
from config import Settings
from models import Biller
from models.jobs import Job
from workflows.notify import notify_bills_csv

IMPORT = "bills.import"
NOTIFY = "bills.notify"


@dataclass(frozen=True)
class BulkAnswer:
    """What the synchronous request answers: its HTTP status and JSON body (a job's report is the body)."""

    status: int
    body: dict

    @property
    def ok(self) -> bool:
        return self.status < 400


def runs_in_background(data: bytes, *, settings: Settings) -> bool:
    """Whether an upload is too big to answer within about a second, so it becomes a job."""
    return len(data) > settings.bulk_sync_max_bytes or data.count(b"\n") > settings.bulk_sync_max_rows


def import_answer(
    *,
    session: Session,
    biller: Biller,
    data: bytes,
    partial: bool,
    actor: str,
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
        actor=actor,
        action="bills.import",
        detail={"imported": report.imported, "rejected": len(report.errors)},
    )
    return BulkAnswer(200, report.as_dict())


def notify_answer(*, session: Session, biller: Biller, data: bytes, on_progress: Progress | None = None) -> BulkAnswer:
    """Notify the bills a CSV lists by reference (a CSV without that column raises InvalidInput)."""
    return BulkAnswer(200, notify_bills_csv(session=session, biller=biller, data=data, on_progress=on_progress))


def _run_import(*, session: Session, job: Job, biller: Biller, settings: Settings, on_progress: Progress) -> BulkAnswer:
    return import_answer(
        session=session,
        biller=biller,
        data=job.payload,
        partial=bool(job.params.get("partial")),
        actor=job.params.get("actor", "job"),
        settings=settings,
        on_progress=on_progress,
    )


def _run_notify(*, session: Session, job: Job, biller: Biller, settings: Settings, on_progress: Progress) -> BulkAnswer:
    return notify_answer(session=session, biller=biller, data=job.payload, on_progress=on_progress)


# What each kind of job runs; the same functions answer small requests synchronously.
KINDS: dict[str, Callable[..., BulkAnswer]] = {IMPORT: _run_import, NOTIFY: _run_notify}
