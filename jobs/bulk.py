"""The bulk actions as background jobs: the same workflows answer small uploads in the request.

Kinds: a CSV of bills imported, a CSV of bills notified, a bank statement reconciled.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session

from billing.import_staging import Staging, clear_staged
from billing.importer import Progress
from config import Settings
from jobs.store import keep_partial_report
from models import Biller
from models.db import utcnow
from models.jobs import Job
from workflows import Actor
from workflows.bills import BulkAnswer, import_bills, notify_bills, publish_import
from workflows.reconciliation import reconcile_statement

IMPORT = "bills.import"
NOTIFY = "bills.notify"
RECONCILE = "statements.reconcile"


def runs_in_background(data: bytes, *, settings: Settings) -> bool:
    """Whether an upload is too big to answer within about a second, so it becomes a job."""
    return len(data) > settings.bulk_sync_max_bytes or data.count(b"\n") > settings.bulk_sync_max_rows


Checkpoint = Callable[[], None]  # commit the job's work so far while the job is still this worker's


def import_is_staged(session: Session) -> bool:
    """Whether an import job writes in short transactions (billing/import_staging.py): on SQLite, where one writer
    at a time would otherwise hold the write lock for the whole file. PostgreSQL keeps one transaction, written by
    COPY: its writes make no one else wait."""
    return session.get_bind().dialect.name == "sqlite"


def statement_runs_in_background(data: bytes, *, settings: Settings) -> bool:
    """Whether a bank statement has too many lines to match within about a second, so it becomes a job."""
    return len(data) > settings.bulk_sync_max_bytes or data.count(b"\n") > settings.statement_sync_max_lines


def _run_import(
    *, session: Session, job: Job, biller: Biller, settings: Settings, on_progress: Progress, checkpoint: Checkpoint
) -> BulkAnswer:
    actor = Actor.parse(job.params.get("actor", "job"))
    staging = Staging(job.id, checkpoint, settings.import_batch_rows) if import_is_staged(session) else None
    if staging is not None and job.stage == "publishing":  # a worker died while publishing: finish it
        return publish_import(
            session=session, actor=actor, now=utcnow(), biller=biller, staging=staging, report=job.report
        )
    return import_bills(
        session=session,
        actor=actor,
        now=utcnow(),
        biller=biller,
        data=job.payload,
        partial=bool(job.params.get("partial")),
        settings=settings,
        on_progress=on_progress,
        staging=staging,
    )


def _run_notify(
    *, session: Session, job: Job, biller: Biller, settings: Settings, on_progress: Progress, checkpoint: Checkpoint
) -> BulkAnswer:
    def keep(results: list[dict]) -> None:
        # The messages queued so far commit with their results (SQLite's write lock is held one batch at a time);
        # a rerun after a worker died carries on after them instead of messaging those customers twice.
        keep_partial_report(session=session, job_id=job.id, report={"results": results}, now=utcnow())
        checkpoint()

    return notify_bills(
        session=session,
        actor=Actor.parse(job.params.get("actor", "job")),
        now=utcnow(),
        biller=biller,
        data=job.payload,
        on_progress=on_progress,
        done=(job.report or {}).get("results", []),
        checkpoint=keep,
        checkpoint_rows=settings.import_batch_rows,
    )


def clean_up(*, session: Session, job: Job, checkpoint: Checkpoint) -> None:
    """Delete what a failed job staged; an import already publishing is left to be published by the next try."""
    if job.kind == IMPORT and job.stage != "publishing" and import_is_staged(session):
        clear_staged(session, Staging(job.id, checkpoint))


def _run_reconcile(
    *, session: Session, job: Job, biller: Biller, settings: Settings, on_progress: Progress, checkpoint: Checkpoint
) -> BulkAnswer:
    def keep(lines: list[dict]) -> None:
        # Each batch of lines commits with the outcomes so far (SQLite's write lock is held one batch at a time);
        # a rerun after a worker died carries on after them instead of reporting its own payments as duplicates.
        keep_partial_report(session=session, job_id=job.id, report={"lines": lines}, now=utcnow())
        checkpoint()

    report = reconcile_statement(
        session=session,
        biller=biller,
        data=job.payload,
        actor=job.params.get("actor", "job"),
        now=utcnow(),
        on_progress=on_progress,
        done=(job.report or {}).get("lines", []),
        checkpoint=keep,
    )
    return BulkAnswer(200, report)


# What each kind of job runs; the same functions answer small requests synchronously.
KINDS: dict[str, Callable[..., BulkAnswer]] = {IMPORT: _run_import, NOTIFY: _run_notify, RECONCILE: _run_reconcile}
