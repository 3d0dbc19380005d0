"""Bank-statement reconciliation in the console: upload a statement, read the report, decide suggested matches."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from wtforms import FileField
from wtforms.validators import DataRequired

from errors import DomainError, NotFound
from models.db import get_session, utcnow
from models.vocab import Role
from reconciliation.lines import review_queue
from reconciliation.statements import StatementError
from web.console.base import ActionForm, ConsoleForm, biller_admin_only, bp, managed_biller, render
from workflows.reconciliation import confirm_suggestion, reconcile_statement, reject_suggestion


class StatementForm(ConsoleForm):
    file = FileField("Bank statement (CSV as your bank exports it)", validators=[DataRequired()])


def _actor() -> str:
    return f"user:{current_user.id}"


def _back(biller_id: int):
    biller_arg = {"biller": biller_id} if current_user.role == Role.ADMIN else {}
    return redirect(url_for("console.reconciliation", **biller_arg))


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
        try:
            report = reconcile_statement(session=session, biller=biller, data=data, actor=_actor(), now=utcnow())
        except StatementError as exc:
            session.rollback()
            flash(f"{exc.field}: {exc.message}")
        else:
            session.commit()
    queue = review_queue(session=session, biller_id=biller.id)
    return render("reconciliation.html", form=form, report=report, queue=queue, biller=biller, action=ActionForm())


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
