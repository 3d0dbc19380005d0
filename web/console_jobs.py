"""Console page for a background import: its progress, refreshing itself, then the line-by-line report."""

from __future__ import annotations

from flask import abort, make_response

from billing.importer import ImportReport
from errors import NotFound
from jobs.store import get_job
from models.db import get_session
from models.jobs import JobStatus
from web.console import bp, render
from web.console_admin import biller_admin_only, managed_biller

REFRESH_SECONDS = 2  # a Refresh header, not JavaScript: the console runs none and its CSP allows none


@bp.get("/bills/import/jobs/<int:job_id>")
@biller_admin_only
def upload_job(job_id: int):
    """Show how far a large upload has got; once finished, the same report a small upload shows at once."""
    biller = managed_biller()
    try:
        job = get_job(session=get_session(), biller_id=biller.id, job_id=job_id)
    except NotFound:
        abort(404)
    finished = job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)
    report = ImportReport.from_dict(job.report) if finished and "rows" in (job.report or {}) else None
    response = make_response(render("upload_job.html", job=job, report=report, biller=biller))
    if not finished:
        response.headers["Refresh"] = str(REFRESH_SECONDS)
    return response
