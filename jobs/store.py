"""Jobs in the database: queue one, claim one under a lease, renew it, finish it — every write fenced."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel
from sqlalchemy import select, update
from sqlalchemy.orm import defer
from sqlmodel import Session

from errors import NotFound
from models.jobs import Job, JobStatus


class JobProgressPublic(BaseModel):
    """How far a job has got, in rows."""

    done: int
    total: int


class JobPublic(BaseModel):
    """A background job as the API shows it; report is the synchronous answer's body once it has finished."""

    id: int
    kind: str
    status: Literal["queued", "running", "succeeded", "failed"]
    progress: JobProgressPublic
    report: dict | None
    created_at: datetime
    finished_at: datetime | None


def queue_job(*, session: Session, biller_id: int, kind: str, payload: bytes, params: dict, now: datetime) -> Job:
    """Store a bulk request for the worker; its progress total starts as the file's line count."""
    job = Job(
        biller_id=biller_id,
        kind=kind,
        payload=payload,
        params=params,
        progress_total=max(payload.count(b"\n") - 1, 0),
        created_at=now,
        updated_at=now,
    )
    session.add(job)
    session.flush()
    return job


def get_job(*, session: Session, biller_id: int, job_id: int) -> Job:
    """The biller's job with this id, or NotFound (also when it belongs to another biller)."""
    job = session.get(Job, job_id, options=[defer(Job.payload)])  # polled often; the upload may be megabytes
    if job is None or job.biller_id != biller_id:
        raise NotFound("No job with that id", field="id")
    return job


def job_public(job: Job) -> dict:
    """A job in its public JSON shape."""
    return JobPublic(
        id=job.id,
        kind=job.kind,
        status=job.status,
        progress=JobProgressPublic(done=job.progress_done, total=job.progress_total),
        report=job.report if job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED) else None,
        created_at=job.created_at,
        finished_at=job.finished_at,
    ).model_dump(mode="json")


def job_error(code: str, message: str, field: str | None = None) -> dict:
    """A failed job's report when there is no synchronous answer to copy: the API's error shape."""
    return {"error": {"code": code, "message": message, "field": field}}


def claim_job(
    *, session: Session, now: datetime, lease: timedelta, job_id: int | None = None
) -> tuple[int, int] | None:
    """Take the oldest waiting job, or one whose worker's lease ran out; returns (job id, attempt number).

    With job_id, that job only (a command running its own job): None while another worker holds it or once done."""
    claimable = (Job.status == JobStatus.QUEUED.value) | (
        (Job.status == JobStatus.RUNNING.value) & (Job.lease_expires_at < now)
    )
    if job_id is not None:
        claimable &= Job.id == job_id
    claim = {
        "status": JobStatus.RUNNING.value,
        "attempts": Job.attempts + 1,
        "lease_expires_at": now + lease,
        "updated_at": now,
    }
    oldest = select(Job.id).where(claimable).order_by(Job.id).limit(1)
    if session.get_bind().dialect.name == "postgresql":
        oldest_id = session.execute(oldest.with_for_update(skip_locked=True)).scalar()
        if oldest_id is None:
            return None
        row = session.execute(update(Job).where(Job.id == oldest_id).values(**claim).returning(Job.id, Job.attempts))
    else:
        # SQLite has one writer at a time, so a single UPDATE … RETURNING is already exclusive.
        row = session.execute(update(Job).where(Job.id.in_(oldest)).values(**claim).returning(Job.id, Job.attempts))
    claimed = row.first()
    return (claimed.id, claimed.attempts) if claimed else None


def _held(job_id: int, attempt: int):
    # A worker may write only while the job is still its own: running, under the attempt it claimed.
    return (Job.id == job_id) & (Job.attempts == attempt) & (Job.status == JobStatus.RUNNING.value)


def renew_lease(
    *, session: Session, job_id: int, attempt: int, now: datetime, lease: timedelta, done: int, total: int
) -> bool:
    """Extend the lease and record progress; False when another worker has taken the job over."""
    values = {"lease_expires_at": now + lease, "updated_at": now, "progress_done": done}
    if total:
        values["progress_total"] = total
    return session.execute(update(Job).where(_held(job_id, attempt)).values(**values)).rowcount == 1


def finish_job(
    *, session: Session, job_id: int, attempt: int, status: JobStatus, report: dict, now: datetime, total: int | None
) -> bool:
    """Record the outcome and drop the upload; in the job's own transaction, so the work and this commit as one."""
    values = {
        "status": status.value,
        "report": report,
        "payload": b"",
        "lease_expires_at": None,
        "finished_at": now,
        "updated_at": now,
    }
    if total is not None:
        values["progress_done"] = values["progress_total"] = total
    return session.execute(update(Job).where(_held(job_id, attempt)).values(**values)).rowcount == 1


def mark_publishing(*, session: Session, job_id: int, report: dict, now: datetime) -> None:
    """A staged import's point of no return: its report is kept and the rows are published to the end."""
    values = {"stage": "publishing", "report": report, "updated_at": now}
    session.execute(update(Job).where(Job.id == job_id).values(**values))


def keep_partial_report(*, session: Session, job_id: int, report: dict, now: datetime) -> None:
    """What a running job has done so far, committed with that work: a rerun carries on from there.

    Not shown until the job finishes (job_public)."""
    session.execute(update(Job).where(Job.id == job_id).values(report=report, updated_at=now))


def release_job(*, session: Session, job_id: int, attempt: int, now: datetime) -> bool:
    """Put a job that raised back in the queue for another attempt."""
    values = {"status": JobStatus.QUEUED.value, "lease_expires_at": None, "updated_at": now}
    return session.execute(update(Job).where(_held(job_id, attempt)).values(**values)).rowcount == 1
