"""The bulk actions as background jobs: the same workflows (workflows.bills) answer small uploads in the request."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session

from billing.import_staging import Staging, clear_staged
from billing.importer import Progress
from config import Settings
from models import Biller
from models.db import utcnow
from models.jobs import Job
from workflows import Actor
from workflows.bills import BulkAnswer, import_bills, notify_bills, publish_import

IMPORT = "bills.import"
NOTIFY = "bills.notify"


def runs_in_background(data: bytes, *, settings: Settings) -> bool:
    """Whether an upload is too big to answer within about a second, so it becomes a job."""
    return len(data) > settings.bulk_sync_max_bytes or data.count(b"\n") > settings.bulk_sync_max_rows


Checkpoint = Callable[[], None]  # commit the job's work so far while the job is still this worker's


def _run_import(
    *, session: Session, job: Job, biller: Biller, settings: Settings, on_progress: Progress, checkpoint: Checkpoint
) -> BulkAnswer:
    actor = Actor.parse(job.params.get("actor", "job"))
    # SQLite has one writer at a time: the import writes in short transactions there (billing/import_staging.py).
    # PostgreSQL keeps one transaction, written by COPY: its writes make no one else wait.
    sqlite = session.get_bind().dialect.name == "sqlite"
    staging = Staging(job.id, checkpoint, settings.import_batch_rows) if sqlite else None
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
    return notify_bills(
        session=session, actor=Actor("job"), now=utcnow(), biller=biller, data=job.payload, on_progress=on_progress
    )


def clean_up(*, session: Session, job: Job, checkpoint: Checkpoint) -> None:
    """Delete what a failed job staged; an import already publishing is left to be published by the next try."""
    if job.kind == IMPORT and job.stage != "publishing" and session.get_bind().dialect.name == "sqlite":
        clear_staged(session, Staging(job.id, checkpoint))


# What each kind of job runs; the same functions answer small requests synchronously.
KINDS: dict[str, Callable[..., BulkAnswer]] = {IMPORT: _run_import, NOTIFY: _run_notify}
