"""The bulk actions as background jobs: the same workflows (workflows.bills) answer small uploads in the request."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session

from billing.importer import Progress
from config import Settings
from models import Biller
from models.db import utcnow
from models.jobs import Job
from workflows import Actor
from workflows.bills import BulkAnswer, import_bills, notify_bills

IMPORT = "bills.import"
NOTIFY = "bills.notify"


def runs_in_background(data: bytes, *, settings: Settings) -> bool:
    """Whether an upload is too big to answer within about a second, so it becomes a job."""
    return len(data) > settings.bulk_sync_max_bytes or data.count(b"\n") > settings.bulk_sync_max_rows


def _run_import(*, session: Session, job: Job, biller: Biller, settings: Settings, on_progress: Progress) -> BulkAnswer:
    return import_bills(
        session=session,
        actor=Actor.parse(job.params.get("actor", "job")),
        now=utcnow(),
        biller=biller,
        data=job.payload,
        partial=bool(job.params.get("partial")),
        settings=settings,
        on_progress=on_progress,
    )


def _run_notify(*, session: Session, job: Job, biller: Biller, settings: Settings, on_progress: Progress) -> BulkAnswer:
    return notify_bills(
        session=session,
        actor=Actor.parse(job.params.get("actor", "job")),
        now=utcnow(),
        biller=biller,
        data=job.payload,
        on_progress=on_progress,
    )


# What each kind of job runs; the same functions answer small requests synchronously.
KINDS: dict[str, Callable[..., BulkAnswer]] = {IMPORT: _run_import, NOTIFY: _run_notify}
