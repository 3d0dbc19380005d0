"""Bill uploads in the console: a CSV read line by line, or for a large file a job page refreshing itself."""

from __future__ import annotations

from flask import Response, abort, make_response, redirect, request, url_for
from flask_login import current_user
from wtforms import FileField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from billing.importer import ImportReport
from config import current_settings
from errors import NotFound
from jobs.bulk import IMPORT, runs_in_background
from jobs.store import get_job, queue_job
from models.db import get_session, utcnow
from models.jobs import JobStatus
from models.vocab import Role
from web.console.base import ConsoleForm, actor, biller_admin_only, bp, managed_biller, render
from workflows import user
from workflows.bills import import_bills

REFRESH_SECONDS = 2  # a Refresh header, not JavaScript: the console runs none and its CSP allows none
SAMPLE_CSV = (
    "reference,customer_reference,customer_name,amount,due_date,customer_phone,customer_email,customer_language\n"
    "INV-1001,CA-500001,Meera Iyer,125000,2026-12-10,+919800000001,meera@example.com,hi\n"
    "INV-1002,CA-500002,Arjun Sen,89900,2026-12-12,+919800000002,,en\n"
)


class UploadForm(ConsoleForm):
    file = FileField("CSV file", validators=[DataRequired()])
    partial = SelectField(
        "If some rows are bad",
        choices=[SelectChoice("no", "import nothing"), SelectChoice("yes", "import the good rows")],
    )


@bp.route("/bills/import", methods=["GET", "POST"])
@biller_admin_only
def upload_bills():
    """Upload a CSV and read the report line by line (a large file runs as a job with its own page)."""
    biller = managed_biller()
    form = UploadForm()
    report = None
    if form.validate_on_submit():
        session = get_session()
        partial = form.partial.data == "yes"
        data = request.files["file"].read()
        settings = current_settings()
        if runs_in_background(data, settings=settings):
            params = {"partial": partial, "actor": actor()}
            job = queue_job(
                session=session, biller_id=biller.id, kind=IMPORT, payload=data, params=params, now=utcnow()
            )
            session.commit()
            biller_arg = {"biller": biller.id} if current_user.role == Role.ADMIN else {}
            return redirect(url_for("console.upload_job", job_id=job.id, **biller_arg))
        answer = import_bills(
            session=session,
            actor=user(current_user.id),
            now=utcnow(),
            biller=biller,
            data=data,
            partial=partial,
            settings=settings,
        )
        report = ImportReport.from_dict(answer.body)
        if answer.ok:
            session.commit()
        else:
            session.rollback()
    return render("upload.html", form=form, report=report, biller=biller)


@bp.get("/bills/import/sample.csv")
@biller_admin_only
def sample_csv():
    """A small CSV with every column the upload reads, to start from."""
    managed_biller()
    return Response(
        SAMPLE_CSV, mimetype="text/csv", headers={"Content-Disposition": "attachment; filename=sample-bills.csv"}
    )


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
