"""A bill's reminder plan: every step of its cadence (and the repeating tail) as an allowed moment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from models import Cadence, CadenceStep
from models.vocab import known_channels
from scheduler.calendar import ContactCalendar


@dataclass(frozen=True)
class PlannedStep:
    """One reminder of a bill's plan."""

    index: int
    at: datetime
    channels: tuple[str, ...]
    template_key: str
    condition: str | None


def plan_steps(
    *, cadence: Cadence, steps: list[CadenceStep], due_date: date, calendar: ContactCalendar
) -> list[PlannedStep]:
    """Every reminder of the plan in order, each at its first allowed moment."""
    ordered = sorted(steps, key=lambda step: step.position)
    plan = [
        PlannedStep(
            index,
            calendar.at(due_date + timedelta(days=step.day_offset), step.send_at),
            tuple(known_channels(step.channels)),
            step.template_key,
            step.condition,
        )
        for index, step in enumerate(ordered)
    ]
    if ordered and cadence.repeat_every_days and cadence.repeat_max_times:
        last = ordered[-1]
        for repeat in range(1, cadence.repeat_max_times + 1):
            day = due_date + timedelta(days=last.day_offset + repeat * cadence.repeat_every_days)
            plan.append(
                PlannedStep(
                    len(plan),
                    calendar.at(day, last.send_at),
                    tuple(known_channels(last.channels)),
                    last.template_key,
                    last.condition,
                )
            )
    return plan


def latest_due(plan: list[PlannedStep], *, from_index: int, now: datetime) -> PlannedStep | None:
    """The last step at or after from_index whose moment has come (earlier missed ones are skipped)."""
    due = [step for step in plan[from_index:] if step.at <= now]
    return due[-1] if due else None


def step_at(plan: list[PlannedStep], index: int) -> datetime | None:
    """When the step with this index is planned, or None past the end of the plan."""
    return plan[index].at if index < len(plan) else None
