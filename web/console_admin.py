"""Console pages for biller admins: dashboard, CSV upload, cadences with a preview, API keys, audit log."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import wraps
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from pydantic import ValidationError
from sqlalchemy import case, exists
from sqlmodel import func, select
from wtforms import FileField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from billing.billers import biller_today, issue_api_key, revoke_api_key
from billing.importer import ImportReport
from billing.text import check_date_window
from config import current_settings
from errors import InvalidInput
from errors.http import validation_error
from jobs.bulk import IMPORT, runs_in_background
from jobs.store import queue_job
from models import ApiKey, AuditEvent, Bill, Biller, Cadence, LinkEvent, OutboundMessage, Payment
from models.db import get_session, utcnow
from models.vocab import BillStatus, Role
from scheduler.cadences import REMINDER_TEMPLATES, CadenceIn, cadence_public, save_cadence
from scheduler.calendar import ContactCalendar
from scheduler.plan import plan_steps
from web.console import ActionForm, ConsoleForm, audit, bp, render, staff_only
from workflows import user
from workflows.bills import import_bills

FUNNEL = ("queued", "sent", "delivered", "read", "link opened", "app chosen", "paid")


def biller_admin_only(view):
    """Biller admins (for their biller) and admins (for the biller they pick); support staff get 403."""

    @wraps(view)
    @staff_only
    def wrapped(*args, **kwargs):
        if current_user.role not in (Role.ADMIN, Role.BILLER_ADMIN):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def managed_biller() -> Biller:
    """The biller these pages act on: the user's own, or for admins the one named by ?biller=."""
    biller_id = current_user.biller_id
    if current_user.role == Role.ADMIN:
        biller_id = request.args.get("biller", type=int) or request.form.get("biller", type=int)
    biller = get_session().get(Biller, biller_id) if biller_id else None
    if biller is None:
        abort(404)
    return biller


class UploadForm(ConsoleForm):
    file = FileField("CSV file", validators=[DataRequired()])
    partial = SelectField(
        "If some rows are bad",
        choices=[SelectChoice("no", "import nothing"), SelectChoice("yes", "import the good rows")],
    )


class CadenceForm(ConsoleForm):
    """Only the CSRF token and the sample date: the steps are plain rows (step-N-…), as many as needed."""

    sample_due_date = StringField("Sample due date")


STEP_ROWS = 12  # the most steps a cadence may have


def cadence_from_form(form) -> dict:
    """The cadence the form rows describe (blank rows skipped), ready for CadenceIn to validate."""
    steps = []
    for row in range(STEP_ROWS):
        offset = (form.get(f"step-{row}-offset") or "").strip()
        if not offset:
            continue
        steps.append(
            {
                "day_offset": offset,
                "send_at": form.get(f"step-{row}-time") or "10:00",
                "channels": [
                    c.strip().lower() for c in (form.get(f"step-{row}-channels") or "").split(",") if c.strip()
                ],
                "template": form.get(f"step-{row}-template") or "reminder_due_today",
                "condition": "link_not_opened" if form.get(f"step-{row}-unopened") else None,
            }
        )
    cadence = {"name": form.get("name", ""), "steps": steps, "default": bool(form.get("default"))}
    for field in ("repeat_every_days", "repeat_max_times"):
        if (form.get(field) or "").strip():
            cadence[field] = form.get(field).strip()
    return cadence


def form_rows(cadence: dict | None) -> list[dict]:
    """Rows for the editor: the cadence's steps, then blank rows to add more."""
    steps = list((cadence or {}).get("steps", []))
    blank = {
        "day_offset": "",
        "send_at": "10:00",
        "channels": ["whatsapp", "sms", "email"],
        "template": "reminder_due_today",
        "condition": None,
    }
    return (steps + [blank] * max(4 - len(steps), 3))[:STEP_ROWS]


def _row_message(message: str) -> str:
    return re.sub(r"steps\.(\d+)", lambda m: f"step {int(m.group(1)) + 1}", message)


@bp.get("/dashboard")
@biller_admin_only
def dashboard():
    """What is outstanding and collected, and how reminders turn into payments."""
    session = get_session()
    biller = managed_biller()
    totals = dict(
        session.exec(
            select(Bill.status, func.sum(Bill.amount_due_paise))
            .where(Bill.biller_id == biller.id)
            .group_by(Bill.status)
        ).all()
    )
    collected = session.exec(
        select(func.coalesce(func.sum(Payment.amount_paise), 0)).where(Payment.biller_id == biller.id)
    ).one()
    outstanding = sum(totals.get(status, 0) or 0 for status in (BillStatus.OPEN, BillStatus.PARTIALLY_PAID))
    statuses = dict(
        session.exec(
            select(OutboundMessage.status, func.count())
            .where(OutboundMessage.biller_id == biller.id)
            .group_by(OutboundMessage.status)
        ).all()
    )
    reached = {
        "queued": sum(statuses.values()),
        "sent": sum(statuses.get(s, 0) for s in ("sent", "delivered", "read")),
        "delivered": statuses.get("delivered", 0) + statuses.get("read", 0),
        "read": statuses.get("read", 0),
    }
    bill_ids = select(Bill.id).where(Bill.biller_id == biller.id)
    for label, kind in (("link opened", "opened"), ("app chosen", "app_chosen")):
        reached[label] = session.exec(
            select(func.count(func.distinct(LinkEvent.bill_id))).where(
                LinkEvent.kind == kind, LinkEvent.bill_id.in_(bill_ids)
            )
        ).one()
    reached["paid"] = session.exec(
        select(func.count()).where(Bill.biller_id == biller.id, Bill.status == BillStatus.PAID)
    ).one()
    apps = session.exec(
        select(LinkEvent.app, func.count())
        .where(LinkEvent.kind == "app_chosen", LinkEvent.bill_id.in_(bill_ids))
        .group_by(LinkEvent.app)
    ).all()
    failures = session.exec(
        select(OutboundMessage.error_code, func.count())
        .where(OutboundMessage.biller_id == biller.id, OutboundMessage.status.in_(("failed", "undelivered")))
        .group_by(OutboundMessage.error_code)
    ).all()
    rate = collected / (collected + outstanding) if collected + outstanding else 0
    return render(
        "dashboard.html",
        biller=biller,
        outstanding=outstanding,
        collected=collected,
        rate=rate,
        funnel=[(label, reached.get(label, 0)) for label in FUNNEL],
        apps=apps,
        failures=failures,
        daily=_collected_by_day(session, biller),
        by_step=_funnel_by_step(session, biller),
        weekly_rate=_collection_rate_by_week(session, biller),
    )


def _collected_by_day(session, biller: Biller, days: int = 30) -> list[tuple[date, int]]:
    """Money received per day over the last `days` days, in the biller's time zone (empty days included)."""
    zone = ZoneInfo(biller.timezone)
    today = biller_today(biller, utcnow())
    since = datetime.combine(today - timedelta(days=days - 1), datetime.min.time(), tzinfo=zone)
    totals: dict[date, int] = {}
    for paid_at, amount in session.exec(
        select(Payment.paid_at, Payment.amount_paise).where(Payment.biller_id == biller.id, Payment.paid_at >= since)
    ).all():
        day = paid_at.astimezone(zone).date()
        totals[day] = totals.get(day, 0) + amount
    return [(day, totals.get(day, 0)) for day in (today - timedelta(days=n) for n in range(days - 1, -1, -1))]


def _collection_rate_by_week(session, biller: Biller, weeks: int = 8) -> list[tuple[date, int, float]]:
    """For bills due in each of the last `weeks` weeks: the amount billed and the share of it collected."""
    today = biller_today(biller, utcnow())
    first_monday = today - timedelta(days=today.weekday(), weeks=weeks - 1)
    rows = session.exec(
        select(Bill.due_date, func.sum(Bill.amount_paise), func.sum(Bill.amount_due_paise))
        .where(
            Bill.biller_id == biller.id,
            Bill.due_date >= first_monday,
            Bill.due_date <= today,
            Bill.status != BillStatus.CANCELLED,
        )
        .group_by(Bill.due_date)
    ).all()
    billed: dict[date, list[int]] = {first_monday + timedelta(weeks=n): [0, 0] for n in range(weeks)}
    for due_date, amount, still_due in rows:
        week = due_date - timedelta(days=due_date.weekday())
        billed[week][0] += amount or 0
        billed[week][1] += still_due or 0
    return [(week, total, (total - due) / total if total else 0.0) for week, (total, due) in sorted(billed.items())]


def _funnel_by_step(session, biller: Biller) -> list[tuple]:
    """Per cadence step and channel: queued, sent, delivered, read, then bills whose link was opened, whose
    app was chosen and which were paid after that reminder, and failures — one grouped query."""
    message = OutboundMessage
    status = message.status

    def after(model, *conditions):
        moment = model.paid_at if model is Payment else model.created_at
        return exists().where(model.bill_id == message.bill_id, moment >= message.created_at, *conditions)

    def bills_where(condition):
        return func.count(func.distinct(case((condition, message.bill_id))))

    def count_where(condition):
        return func.sum(case((condition, 1), else_=0))

    return session.exec(
        select(
            message.cadence_step,
            message.channel,
            func.count(),
            count_where(status.in_(("sent", "delivered", "read"))),
            count_where(status.in_(("delivered", "read"))),
            count_where(status == "read"),
            bills_where(after(LinkEvent, LinkEvent.kind == "opened")),
            bills_where(after(LinkEvent, LinkEvent.kind == "app_chosen")),
            bills_where(after(Payment)),
            count_where(status.in_(("failed", "undelivered"))),
        )
        .where(message.biller_id == biller.id, message.cadence_step.is_not(None))
        .group_by(message.cadence_step, message.channel)
        .order_by(message.cadence_step, message.channel)
    ).all()


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
        actor = str(user(current_user.id))
        if runs_in_background(data, settings=settings):
            params = {"partial": partial, "actor": actor}
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


@bp.route("/cadences", methods=["GET", "POST"])
@biller_admin_only
def cadences():
    """The biller's cadences in a plain form; preview the reminders on a sample due date before saving."""
    session = get_session()
    biller = managed_biller()
    form = CadenceForm()
    preview, error, editing = None, None, None
    if request.method == "GET" and request.args.get("edit"):
        cadence = session.exec(
            select(Cadence).where(Cadence.biller_id == biller.id, Cadence.name == request.args["edit"])
        ).first()
        editing = cadence_public(session=session, cadence=cadence) if cadence else None
    if form.validate_on_submit():
        editing = cadence_from_form(request.form)
        try:
            data = CadenceIn.model_validate(editing)
            sample = date.fromisoformat(
                form.sample_due_date.data or (biller_today(biller, utcnow()) + timedelta(days=10)).isoformat()
            )
            check_date_window(sample, field="sample_due_date")
        except ValidationError as exc:
            error = _row_message(validation_error(exc).message)
        except ValueError:
            error = "The sample due date must look like 2026-12-10."
        except InvalidInput as exc:
            error = f"The sample due date {exc.message}."
        else:
            if request.form.get("save") == "yes":
                cadence = save_cadence(session=session, biller_id=biller.id, data=data)
                audit(
                    session,
                    biller.id,
                    action="cadence.save",
                    subject_type="cadence",
                    subject_id=cadence.id,
                )
                session.commit()
                flash(f"Cadence “{data.name}” saved.")
                return redirect(url_for("console.cadences", biller=biller.id))
            preview = _preview(data, biller, sample)
    saved = [
        cadence_public(session=session, cadence=c)
        for c in session.exec(select(Cadence).where(Cadence.biller_id == biller.id).order_by(Cadence.name)).all()
    ]
    return render(
        "cadences.html",
        form=form,
        saved=saved,
        preview=preview,
        error=error,
        biller=biller,
        editing=editing or {},
        rows=form_rows(editing),
        templates=REMINDER_TEMPLATES,
    ), 422 if error else 200


def _preview(data: CadenceIn, biller: Biller, due: date) -> list[dict]:
    cadence = Cadence(
        biller_id=biller.id,
        name=data.name,
        repeat_every_days=data.repeat_every_days,
        repeat_max_times=data.repeat_max_times,
    )
    from models import CadenceStep

    steps = [
        CadenceStep(
            cadence_id=0,
            position=i,
            day_offset=s.day_offset,
            send_at=s.send_at,
            channels=[c.value for c in s.channels],
            template_key=s.template,
            condition=s.condition,
        )
        for i, s in enumerate(sorted(data.steps, key=lambda s: s.day_offset))
    ]
    calendar = ContactCalendar(biller)
    return [
        {
            "at": step.at.astimezone(calendar.zone),
            "channels": " → ".join(step.channels),
            "template": step.template_key,
            "condition": step.condition,
        }
        for step in plan_steps(cadence=cadence, steps=steps, due_date=due, calendar=calendar)
    ]


@bp.get("/api-keys")
@biller_admin_only
def api_keys():
    """The biller's API keys (never their secrets)."""
    biller = managed_biller()
    keys = get_session().exec(select(ApiKey).where(ApiKey.biller_id == biller.id).order_by(ApiKey.id)).all()
    return render("api_keys.html", keys=keys, biller=biller, action_form=ActionForm(), new_key=None)


@bp.post("/api-keys")
@biller_admin_only
def create_api_key():
    """Create a key and show it this once."""
    biller = managed_biller()
    if not ActionForm().validate_on_submit():
        abort(400)
    session = get_session()
    plain = issue_api_key(session=session, biller_id=biller.id, name=request.form.get("name", "console")[:80])
    audit(session, biller.id, action="api_key.create")
    session.commit()
    keys = session.exec(select(ApiKey).where(ApiKey.biller_id == biller.id).order_by(ApiKey.id)).all()
    return render("api_keys.html", keys=keys, biller=biller, action_form=ActionForm(), new_key=plain)


@bp.post("/api-keys/<int:key_id>/revoke")
@biller_admin_only
def revoke_key(key_id: int):
    """Stop a key working at once."""
    biller = managed_biller()
    if not ActionForm().validate_on_submit():
        abort(400)
    session = get_session()
    key = session.get(ApiKey, key_id)
    if key is None or key.biller_id != biller.id:
        abort(404)
    revoke_api_key(session=session, api_key=key)
    audit(
        session,
        biller.id,
        action="api_key.revoke",
        subject_type="api_key",
        subject_id=key.id,
    )
    session.commit()
    return redirect(url_for("console.api_keys", biller=biller.id))


@bp.get("/audit")
@biller_admin_only
def audit_log():
    """Every admin, agent and integration action on this biller, newest first."""
    biller = managed_biller()
    events = (
        get_session()
        .exec(select(AuditEvent).where(AuditEvent.biller_id == biller.id).order_by(AuditEvent.id.desc()).limit(500))
        .all()
    )
    return render("audit.html", events=events, biller=biller)
