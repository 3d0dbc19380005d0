"""Bank-statement reconciliation in the console: upload a statement, read the report, decide suggested matches."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, request, url_for
from flask_login import current_user
from wtforms import FileField
from wtforms.validators import DataRequired

from config import current_settings
from errors import DomainError, NotFound
from jobs.bulk import RECONCILE, statement_runs_in_background
from jobs.store import get_job, queue_job
from models.db import get_session, utcnow
from models.jobs import JobStatus
from models.vocab import Role
from reconciliation.lines import review_queue
from reconciliation.statements import StatementError
from web.console.base import ActionForm, ConsoleForm, biller_admin_only, bp, managed_biller, render
from web.console.imports import REFRESH_SECONDS, upload_job
from workflows.reconciliation import confirm_suggestion, reconcile_statement, reject_suggestion


class StatementForm(ConsoleForm):
    file = FileField("Bank statement (CSV as your bank exports it)", validators=[DataRequired()])


def _actor() -> str:
    return f"user:{current_user.id}"


def _biller_arg(biller_id: int) -> dict:
    return {"biller": biller_id} if current_user.role == Role.ADMIN else {}


def _back(biller_id: int):
    return redirect(url_for("console.reconciliation", **_biller_arg(biller_id)))


@bp.route("/reconciliation", methods=["GET", "POST"])
@biller_admin_only
def reconciliation():
    """Upload a bank statement: certain matches are recorded at once, the rest are listed to confirm or reject."""
    session = get_session()
    biller = managed_biller()
    form = StatementForm()
    report = None
    if form.validate_on_submit():
        data = request.files["file"].read()
        if statement_runs_in_background(data, settings=current_settings()):
            params = {"actor": _actor()}
            job = queue_job(
                session=session, biller_id=biller.id, kind=RECONCILE, payload=data, params=params, now=utcnow()
            )
            session.commit()
            return redirect(url_for("console.reconciliation_job", job_id=job.id, **_biller_arg(biller.id)))
        try:
            report = reconcile_statement(session=session, biller=biller, data=data, actor=_actor(), now=utcnow())
        except StatementError as exc:
            session.rollback()
            flash(f"{exc.field}: {exc.message}")
        else:
            session.commit()
    queue = review_queue(session=session, biller_id=biller.id)
    return render("reconciliation.html", form=form, report=report, queue=queue, biller=biller, action=ActionForm())


@bp.get("/reconciliation/jobs/<int:job_id>")
@biller_admin_only
def reconciliation_job(job_id: int):
    """How far a long statement's matching has got; once finished, the report a short statement shows at once."""
    biller = managed_biller()
    try:
        job = get_job(session=get_session(), biller_id=biller.id, job_id=job_id)
    except NotFound:
        abort(404)
    if job.kind != RECONCILE:  # a bills upload's job: its own page shows it
        return upload_job(job_id)
    finished = job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)
    report = job.report if finished and "lines" in (job.report or {}) else None
    response = make_response(render("reconciliation_job.html", job=job, report=report, biller=biller))
    if not finished:
        response.headers["Refresh"] = str(REFRESH_SECONDS)
    return response


@bp.post("/reconciliation/lines/<int:line_id>/confirm")
@biller_admin_only
def confirm_line(line_id: int):
    """Confirm a suggested match: its payment is recorded as a certain match's would be."""
    return _decide(line_id, confirm_suggestion, done="Payment recorded.")


@bp.post("/reconciliation/lines/<int:line_id>/reject")
@biller_admin_only
def reject_line(line_id: int):
    """Reject a suggested match: nothing is recorded and the line leaves the queue."""
    return _decide(line_id, reject_suggestion, done="Suggestion rejected; nothing was recorded.")


def _decide(line_id: int, decide, *, done: str):
    session = get_session()
    biller = managed_biller()
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        decide(session=session, biller=biller, line_id=line_id, actor=_actor(), now=utcnow())
    except NotFound:
        abort(404)
    except DomainError as exc:
        session.rollback()
        flash(exc.message)
        return _back(biller.id)
    session.commit()
    flash(done)
    return _back(biller.id)
