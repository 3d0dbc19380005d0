"""Billers' cadences: validated shapes, saving, and a bill's plan for people to read."""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from sqlalchemy import delete, update
from sqlmodel import Session, select

from errors import InvalidInput
from models import Bill, Biller, Cadence, CadenceStep, OutboundMessage
from models.vocab import Channel
from scheduler.calendar import ContactCalendar
from scheduler.dunning import PlanCache

REMINDER_TEMPLATES = ("reminder_before_due", "reminder_due_today", "reminder_overdue", "notify")


class CadenceStepIn(BaseModel):
    """One reminder: days from the due date (negative = before), local time, channel order, words."""

    model_config = ConfigDict(extra="forbid")

    day_offset: Annotated[int, Field(ge=-60, le=180)]
    send_at: time = time(10, 0)
    channels: Annotated[list[Channel], Field(min_length=1, max_length=4)]
    template: Literal[REMINDER_TEMPLATES] = "reminder_due_today"
    condition: Literal["link_not_opened"] | None = None

    @field_validator("channels")
    @classmethod
    def _distinct(cls, channels: list[Channel]) -> list[Channel]:
        if len(set(channels)) != len(channels):
            raise ValueError("lists a channel twice")
        return channels


class CadenceIn(BaseModel):
    """A named cadence; steps run in order of day_offset."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
    steps: Annotated[list[CadenceStepIn], Field(min_length=1, max_length=12)]
    repeat_every_days: Annotated[int, Field(ge=1, le=60)] | None = None
    repeat_max_times: Annotated[int, Field(ge=1, le=20)] | None = None
    default: bool = False


class PlannedReminder(BaseModel):
    """A reminder of a bill's plan, past or to come."""

    step: int
    at: datetime
    channels: list[str]
    template: str
    status: str  # "sent", "queued", "failed", "skipped" or "upcoming"


class BillPlan(BaseModel):
    """What a bill has been sent and will be sent."""

    bill_id: int
    reminders_sent: int
    paused_until: datetime | None
    reminders: list[PlannedReminder]


def save_cadence(*, session: Session, biller_id: int, data: CadenceIn) -> Cadence:
    """Create or replace the biller's cadence of this name."""
    if (data.repeat_every_days is None) != (data.repeat_max_times is None):
        raise InvalidInput("repeat_every_days and repeat_max_times go together", field="repeat_max_times")
    cadence = session.exec(select(Cadence).where(Cadence.biller_id == biller_id, Cadence.name == data.name)).first()
    if cadence is None:
        cadence = Cadence(biller_id=biller_id, name=data.name)
    cadence.repeat_every_days, cadence.repeat_max_times = data.repeat_every_days, data.repeat_max_times
    if data.default:
        session.execute(update(Cadence).where(Cadence.biller_id == biller_id).values(is_default=False))
        cadence.is_default = True
    session.add(cadence)
    session.flush()
    session.execute(delete(CadenceStep).where(CadenceStep.cadence_id == cadence.id))
    for position, step in enumerate(sorted(data.steps, key=lambda s: s.day_offset)):
        session.add(
            CadenceStep(
                cadence_id=cadence.id,
                position=position,
                day_offset=step.day_offset,
                send_at=step.send_at,
                channels=[c.value for c in step.channels],
                template_key=step.template,
                condition=step.condition,
            )
        )
    session.flush()
    return cadence


def cadence_public(*, session: Session, cadence: Cadence) -> dict:
    """A cadence as the API shows it."""
    steps = session.exec(
        select(CadenceStep).where(CadenceStep.cadence_id == cadence.id).order_by(CadenceStep.position)
    ).all()
    return {
        "name": cadence.name,
        "default": cadence.is_default,
        "repeat_every_days": cadence.repeat_every_days,
        "repeat_max_times": cadence.repeat_max_times,
        "steps": [
            {
                "day_offset": s.day_offset,
                "send_at": s.send_at.strftime("%H:%M"),
                "channels": s.channels,
                "template": s.template_key,
                "condition": s.condition,
            }
            for s in steps
        ],
    }


def bill_plan(*, session: Session, bill: Bill) -> BillPlan:
    """Every step of the bill's plan with what became of it."""
    plan = PlanCache(session).plan(bill)
    sent = session.exec(
        select(OutboundMessage)
        .where(OutboundMessage.bill_id == bill.id, OutboundMessage.cadence_step.is_not(None))
        .order_by(OutboundMessage.id)
    ).all()
    by_step: dict[int, OutboundMessage] = {}
    for message in sent:
        # The step a reminder is, from its own column (rows from before the column: from its idempotency key).
        step = message.cadence_step if message.cadence_step is not None else int(message.idempotency_key.split(":")[4])
        by_step.setdefault(step, message)
    reminders = []
    for step in plan:
        message = by_step.get(step.index)
        status = message.status if message else ("upcoming" if step.index >= bill.next_step else "skipped")
        reminders.append(
            PlannedReminder(
                step=step.index, at=step.at, channels=list(step.channels), template=step.template_key, status=status
            )
        )
    return BillPlan(
        bill_id=bill.id, reminders_sent=bill.reminders_sent, paused_until=bill.paused_until, reminders=reminders
    )


def next_contact_moment(*, session: Session, biller_id: int, now: datetime) -> datetime:
    """Now, if the biller may contact customers now, else the next moment it may."""
    return ContactCalendar(session.get(Biller, biller_id)).next_allowed(now)
