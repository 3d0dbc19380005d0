"""The cadence editor: a biller's reminder schedules in a plain form, previewed on a sample due date."""

from __future__ import annotations

import re
from datetime import date, timedelta

from flask import flash, redirect, request, url_for
from pydantic import ValidationError
from sqlmodel import select
from wtforms import StringField

from billing.billers import biller_today
from billing.text import check_date_window
from errors import InvalidInput
from models import Biller, Cadence, CadenceStep
from models.db import get_session, utcnow
from scheduler.cadences import REMINDER_TEMPLATES, CadenceIn, cadence_public, save_cadence
from scheduler.calendar import ContactCalendar
from scheduler.plan import plan_steps
from web.console.base import ConsoleForm, audit, biller_admin_only, bp, managed_biller, render

STEP_ROWS = 12  # the most steps a cadence may have
SAMPLE_DAYS_AHEAD = 10  # the preview's due date when none is given: shown in the field, never silently


class CadenceForm(ConsoleForm):
    """Only the CSRF token and the sample date: the steps are plain rows (step-N-…), as many as needed."""

    sample_due_date = StringField("Sample due date")


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


def _first_problem(exc: ValidationError) -> str:
    """Pydantic's first complaint, its field named as the form shows it ('steps.1.channels' → 'step 1 channels')."""
    first = exc.errors(include_url=False)[0]
    field = ".".join(str(part) for part in first["loc"])
    field = re.sub(r"steps\.(\d+)\.?", lambda m: f"step {int(m.group(1))} ", field).strip().replace("_", " ")
    message = first["msg"].removeprefix("Value error, ")
    return f"{field}: {message}" if field else message


@bp.route("/cadences", methods=["GET", "POST"])
@biller_admin_only
def cadences():
    """The biller's cadences in a plain form; preview the reminders on a sample due date before saving."""
    session = get_session()
    biller = managed_biller()
    form = CadenceForm()
    preview, error, editing, sample = None, None, None, None
    if not form.sample_due_date.data:
        form.sample_due_date.data = (biller_today(biller, utcnow()) + timedelta(days=SAMPLE_DAYS_AHEAD)).isoformat()
    if request.method == "GET" and request.args.get("edit"):
        cadence = session.exec(
            select(Cadence).where(Cadence.biller_id == biller.id, Cadence.name == request.args["edit"])
        ).first()
        editing = cadence_public(session=session, cadence=cadence) if cadence else None
    if form.validate_on_submit():
        editing = cadence_from_form(request.form)
        try:
            data = CadenceIn.model_validate(editing)
            sample = date.fromisoformat(form.sample_due_date.data.strip())
            check_date_window(sample, field="sample_due_date")
        except ValidationError as exc:
            error = _first_problem(exc)
        except ValueError:
            error = "The sample due date must look like 2026-12-10."
        except InvalidInput as exc:
            error = f"The sample due date {exc.message}."
        else:
            if request.form.get("save") == "yes":
                cadence = save_cadence(session=session, biller_id=biller.id, data=data)
                audit(session, biller.id, action="cadence.save", subject_type="cadence", subject_id=cadence.id)
                session.commit()
                flash(f"Cadence “{data.name}” saved.", "success")
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
        sample=sample,
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
            "at": step.at,
            "channels": " → ".join(step.channels),
            "template": step.template_key,
            "condition": step.condition,
        }
        for step in plan_steps(cadence=cadence, steps=steps, due_date=due, calendar=calendar)
    ]
