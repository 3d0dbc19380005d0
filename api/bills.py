"""Bill endpoints: create with the customer inline, read, cancel, and bulk CSV import."""

from __future__ import annotations

from flask import g, jsonify, request

from accounts.audit import record_audit
from api import route
from api.auth import current_biller
from api.errors import parse_json_body
from api.jobs import accepted
from api.retry import commit_as_retry_would
from billing.bills import bill_public, cancel_bill, get_bill
from billing.schemas import BillIn, BillPublic
from config import current_settings
from errors.http import ApiError
from jobs.bulk import IMPORT, runs_in_background
from models.db import get_session, utcnow
from workflows import Actor, api_key
from workflows.bills import create_bill, import_bills


@route("POST", "/bills", summary="Create a bill and its payment link", request=BillIn, response=BillPublic, status=201)
def post_bill():
    """Create a bill; a repeated reference is refused with 409 and changes nothing."""
    data = parse_json_body(BillIn)
    session = get_session()
    settings = current_settings()
    bill = commit_as_retry_would(
        lambda: create_bill(
            session=session, actor=_actor(), now=utcnow(), biller=current_biller(), data=data, settings=settings
        )
    )
    return jsonify(bill_public(session=session, bill=bill, settings=settings).model_dump(mode="json")), 201


@route("GET", "/bills/<int:bill_id>", summary="Read a bill", response=BillPublic)
def read_bill(bill_id: int):
    """The bill with its status, amount due and link."""
    session = get_session()
    bill = get_bill(session=session, biller_id=current_biller().id, bill_id=bill_id)
    return jsonify(bill_public(session=session, bill=bill, settings=current_settings()).model_dump(mode="json"))


@route("POST", "/bills/<int:bill_id>/cancel", summary="Cancel an unpaid bill", response=BillPublic)
def post_cancel(bill_id: int):
    """Cancel the bill: its link stops taking payment and reminders stop."""
    session = get_session()
    biller = current_biller()
    bill = cancel_bill(session=session, bill=get_bill(session=session, biller_id=biller.id, bill_id=bill_id))
    record_audit(
        session=session,
        biller_id=biller.id,
        actor=str(_actor()),
        action="bill.cancel",
        subject_type="bill",
        subject_id=bill.id,
    )
    session.commit()
    return jsonify(bill_public(session=session, bill=bill, settings=current_settings()).model_dump(mode="json"))


@route(
    "POST",
    "/bills/import",
    summary="Import bills from CSV (add ?partial=true to keep good rows); large files answer 202 with a job",
    request_content_type="text/csv",
    background=True,
)
def post_import():
    """Import a CSV (raw text/csv body or a multipart 'file'); any bad row refuses all unless partial."""
    upload = request.files.get("file")
    if upload is not None:
        data = upload.read()
    elif request.mimetype in ("text/csv", "text/plain", "application/csv"):
        data = request.get_data()
    else:
        raise ApiError(
            415, "unsupported_media_type", "Send text/csv, or multipart/form-data with a 'file'", field="file"
        )
    partial = request.args.get("partial", "").lower() in ("1", "true", "yes")
    settings = current_settings()
    if runs_in_background(data, settings=settings):
        return accepted(kind=IMPORT, payload=data, params={"partial": partial, "actor": str(_actor())})
    session = get_session()
    answer = import_bills(
        session=session,
        actor=_actor(),
        now=utcnow(),
        biller=current_biller(),
        data=data,
        partial=partial,
        settings=settings,
    )
    if answer.ok:
        session.commit()
    else:
        session.rollback()
    return jsonify(answer.body), answer.status


def _actor() -> Actor:
    return api_key(g.api_key_id)
