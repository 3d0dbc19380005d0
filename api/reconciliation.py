"""POST /api/v1/reconciliation/statements: a bank statement in, a report of what each credit matched out."""

from __future__ import annotations

from typing import Literal

from flask import g, jsonify, request
from pydantic import BaseModel

from api import route
from api.auth import current_biller
from api.jobs import accepted
from config import current_settings
from errors.http import ApiError
from jobs.bulk import RECONCILE, statement_runs_in_background
from models.db import get_session, utcnow
from workflows.reconciliation import reconcile_statement

CSV_TYPES = ("text/csv", "text/plain", "application/csv", "application/vnd.ms-excel")


class StatementLineReport(BaseModel):
    """What one transaction line of the statement came to."""

    line: int
    status: Literal["matched", "suggested", "unmatched", "ignored", "duplicate"]
    bill_id: int | None
    payment_id: int | None


class StatementReport(BaseModel):
    """The answer to an uploaded statement: a line per transaction and the counts."""

    lines: list[StatementLineReport]
    matched: int
    suggested: int
    unmatched: int
    ignored: int
    duplicate: int


@route(
    "POST",
    "/reconciliation/statements",
    summary="Reconcile a bank statement (CSV as the bank exports it); uploading it again records nothing new; "
    "a long statement answers 202 with a job",
    request_content_type="text/csv",
    response=StatementReport,
    background=True,
)
def post_statement():
    """Match each credit of the statement to a bill: certain matches are recorded, others wait for review."""
    upload = request.files.get("file")
    if upload is not None:
        data = upload.read()
    elif request.mimetype in CSV_TYPES:
        data = request.get_data()
    else:
        raise ApiError(
            415, "unsupported_media_type", "Send text/csv, or multipart/form-data with a 'file'", field="file"
        )
    actor = f"api_key:{g.api_key_id}"
    if statement_runs_in_background(data, settings=current_settings()):
        return accepted(kind=RECONCILE, payload=data, params={"actor": actor})
    session = get_session()
    report = reconcile_statement(session=session, biller=current_biller(), data=data, actor=actor, now=utcnow())
    session.commit()
    return jsonify(report)
