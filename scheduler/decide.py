"""What a due bill does now, decided without the database: which step is due, when the next one is, which
channel reaches the customer. The pass (scheduler/dunning.py) feeds these from rows; tests feed them directly.

Contact-hour clamping happens when the plan is made (scheduler/plan.py through ContactCalendar), so every
moment a decision returns is already an allowed one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from scheduler.plan import PlannedStep, latest_due, step_at

HANDOVER_RECHECK = timedelta(hours=6)
NEVER_DUE_AGAIN = timedelta(minutes=1)  # a bill is never left due: the pass must end


@dataclass(frozen=True)
class Decision:
    """A due bill's outcome: the step to send now (None: nothing now), then its next step and that step's moment."""

    step: PlannedStep | None
    next_index: int
    next_at: datetime | None


def decide_step(plan: Sequence[PlannedStep], *, from_index: int, now: datetime) -> Decision:
    """The latest step due at `now` (missed earlier ones are skipped) and the step after it.

    Bills sharing a plan and a position share this decision, so the pass makes it once per group.
    """
    step = latest_due(list(plan), from_index=from_index, now=now)
    next_index = step.index + 1 if step else from_index
    next_at = step_at(list(plan), next_index)
    if next_at is not None and next_at <= now:
        next_at = now + NEVER_DUE_AGAIN
    return Decision(step, next_index, next_at)


def decide_bill(
    *,
    plan: Sequence[PlannedStep],
    next_step: int,
    reminders_sent: int,
    max_reminders: int,
    paused_until: datetime | None,
    handed_over: bool,
    link_opened: bool,
    now: datetime,
) -> Decision:
    """A due bill's outcome: held (paused, handed over to a person, at the biller's maximum) or its step."""
    if paused_until and paused_until > now:
        return Decision(None, next_step, paused_until)
    if handed_over:
        return Decision(None, next_step, now + HANDOVER_RECHECK)
    if reminders_sent >= max_reminders:
        return Decision(None, next_step, None)
    decided = decide_step(plan, from_index=next_step, now=now)
    step = decided.step
    if step is not None and step.condition == "link_not_opened" and link_opened:
        step = None  # the step is passed over, not sent
    return Decision(step, decided.next_index, decided.next_at)
