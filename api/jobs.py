"""Background jobs: a bulk request too big to answer at once is queued, and its progress and report read here."""

from __future__ import annotations

from flask import jsonify

from api import route
from api.auth import current_biller
from jobs.store import JobPublic, get_job, job_public, queue_job
from models.db import get_session, utcnow


def accepted(*, kind: str, payload: bytes, params: dict):
    """Queue the upload as a job for the worker and answer 202 with where to follow it."""
    session = get_session()
    job = queue_job(
        session=session, biller_id=current_biller().id, kind=kind, payload=payload, params=params, now=utcnow()
    )
    session.commit()
    return jsonify(job_public(job)), 202, {"Location": f"/api/v1/jobs/{job.id}"}


@route("GET", "/jobs/<int:job_id>", summary="A background job's status, progress and final report", response=JobPublic)
def read_job(job_id: int):
    """The job's status and progress; once finished, report is what the synchronous request would have answered."""
    job = get_job(session=get_session(), biller_id=current_biller().id, job_id=job_id)
    return jsonify(job_public(job))
