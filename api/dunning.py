"""Cadences, need-based notifications and reminder plans."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from flask import g, jsonify, request
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import select

from accounts.audit import record_audit
from api import route
from api.auth import current_biller
from api.errors import parse_json_body
from api.jobs import accepted
from billing.bills import get_bill
from billing.text import check_date_window
from config import current_settings
from errors.http import ApiError
from jobs.bulk import NOTIFY, runs_in_background
from models import Bill, Cadence
from models.db import get_session, utcnow
from models.vocab import Channel
from scheduler.cadences import BillPlan, CadenceIn, bill_plan, cadence_public, save_cadence
from workflows import api_key
from workflows.bills import notify_bills
from workflows.notify import notify_bill
from workflows.reminders import pause_reminders


class NotifyIn(BaseModel):
    """A message to send now (or at the next allowed moment): optional channel order and template."""

    model_config = ConfigDict(extra="forbid")

    channels: Annotated[list[Channel], Field(min_length=1, max_length=4)] | None = None
    template: str = "notify"


class PauseIn(BaseModel):
    """Hold a bill's reminders until a day (they resume at the start of the biller's contact hours that day)."""

    model_config = ConfigDict(extra="forbid")

    until: date


class NotifyOut(BaseModel):
    """Where and when the notification will go."""

    bill_id: int
    message_id: int
    channel: str
    scheduled_for: str


@route("GET", "/cadences", summary="List the biller's cadences")
def list_cadences():
    """Every cadence with its steps."""
    session = get_session()
    cadences = session.exec(
        select(Cadence).where(Cadence.biller_id == current_biller().id).order_by(Cadence.name)
    ).all()
    return jsonify({"cadences": [cadence_public(session=session, cadence=c) for c in cadences]})


@route("POST", "/cadences", summary="Create or replace a cadence", request=CadenceIn)
def put_cadence():
    """Save a cadence by name; bills using it follow the new steps from their next reminder on."""
    data = parse_json_body(CadenceIn)
    session = get_session()
    biller = current_biller()
    cadence = save_cadence(session=session, biller_id=biller.id, data=data)
    record_audit(
        session=session,
        biller_id=biller.id,
        actor=f"api_key:{g.api_key_id}",
        action="cadence.save",
        subject_type="cadence",
        subject_id=cadence.id,
        detail={"steps": len(data.steps)},
    )
    session.commit()
    return jsonify(cadence_public(session=session, cadence=cadence))


@route("GET", "/bills/<int:bill_id>/plan", summary="A bill's reminders: sent, skipped and to come", response=BillPlan)
def read_plan(bill_id: int):
    """The reminder plan of a bill."""
    session = get_session()
    bill = get_bill(session=session, biller_id=current_biller().id, bill_id=bill_id)
    return jsonify(bill_plan(session=session, bill=bill).model_dump(mode="json"))


@route(
    "POST",
    "/bills/<int:bill_id>/pause",
    summary="Pause a bill's reminders until a day",
    request=PauseIn,
    response=BillPlan,
)
def pause_bill(bill_id: int):
    """Pause reminders by the same rule as the console and the bot's "later"; answers the bill's plan."""
    data = parse_json_body(PauseIn)
    session = get_session()
    biller = current_biller()
    bill = get_bill(session=session, biller_id=biller.id, bill_id=bill_id)
    day = check_date_window(data.until, field="until")
    pause_reminders(session=session, actor=api_key(g.api_key_id), now=utcnow(), biller=biller, bills=[bill], day=day)
    record_audit(
        session=session,
        biller_id=biller.id,
        actor=str(api_key(g.api_key_id)),
        action="bill.pause",
        subject_type="bill",
        subject_id=bill.id,
    )
    session.commit()
    return jsonify(bill_plan(session=session, bill=bill).model_dump(mode="json"))


@route(
    "POST",
    "/bills/<int:bill_id>/notify",
    summary="Send a need-based notification",
    request=NotifyIn,
    response=NotifyOut,
    status=202,
    headers=("Idempotency-Key",),
)
def notify_one(bill_id: int):
    """Queue one message now (or at the next allowed contact moment), honouring opt-outs."""
    data = parse_json_body(NotifyIn) if request.content_length else NotifyIn()
    session = get_session()
    bill = get_bill(session=session, biller_id=current_biller().id, bill_id=bill_id)
    out = notify_out(session, bill, data, key=request.headers.get("Idempotency-Key"))
    session.commit()
    return jsonify(out.model_dump()), 202


@route(
    "POST",
    "/bills/notify",
    summary="Notify the bills listed in a CSV with a 'reference' column; large files answer 202 with a job",
    request_content_type="text/csv",
    background=True,
)
def notify_many():
    """Notify every bill of the CSV; each reference gets a result line."""
    if request.mimetype not in ("text/csv", "text/plain"):
        raise ApiError(415, "unsupported_media_type", "Send text/csv with a 'reference' column", field="file")
    data = request.get_data()
    if runs_in_background(data, settings=current_settings()):
        return accepted(kind=NOTIFY, payload=data, params={"actor": str(api_key(g.api_key_id))})
    session = get_session()
    answer = notify_bills(
        session=session, actor=api_key(g.api_key_id), now=utcnow(), biller=current_biller(), data=data
    )
    session.commit()
    return jsonify(answer.body), answer.status


def notify_out(session, bill: Bill, data: NotifyIn, *, key: str | None) -> NotifyOut:
    """Queue the notification and describe it for the API."""
    channels = [channel.value for channel in data.channels] if data.channels else None
    message, when = notify_bill(
        session=session,
        actor=api_key(g.api_key_id),
        now=utcnow(),
        bill=bill,
        channels=channels,
        template=data.template,
        key=key,
    )
    return NotifyOut(bill_id=bill.id, message_id=message.id, channel=message.channel, scheduled_for=when.isoformat())
