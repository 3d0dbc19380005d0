"""The common path of the dunning pass on PostgreSQL, decided in one INSERT … SELECT per batch.

Due bills fall into few groups (biller, cadence, due date, position in the plan); Python decides each group
once (scheduler/decide.py) and the groups travel as arrays. One statement then picks the group's plain bills
(not paused, not handed over, under the biller's maximum, a step without a condition), chooses each one's
first reachable channel from its customer row and opt-outs, queues the reminders and moves the bills on
(found again by their row address, ctid, which the row locks keep in place until the commit).
Whatever it leaves due (the rare cases) the row-by-row path decides.

The INSERT has no ON CONFLICT: a bill's steps only move forward and its row is locked while they move, so a
reminder of the step a bill is at cannot be in the outbox yet, and checking each row for one (speculative
insertion) cost the statement 0.1 s per 50,000. The unique idempotency key still guards it: should one be there,
the batch fails with ALREADY_QUEUED and runs again with ON CONFLICT DO NOTHING (SKIPPING_QUEUED), which moves
that bill on without queueing its reminder twice, as the row-by-row path does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from models.vocab import PAYABLE_STATUSES
from scheduler.decide import Decision
from scheduler.plan import PlannedStep


@dataclass(frozen=True)
class Group:
    """Due bills that share one decision."""

    biller_id: int
    cadence_id: int
    due_date: date
    next_step: int
    max_reminders: int
    channels: tuple[str, ...]  # the step's order before the customer's preference
    decision: Decision


ALREADY_QUEUED = "uq_outbound_messages_idempotency_key"  # the constraint a reminder queued twice would break

DUE_GROUPS = text("""
    SELECT biller_id, cadence_id, due_date, next_step
    FROM bills
    WHERE next_reminder_at <= :now AND status = ANY(CAST(:statuses AS text[])) AND cadence_id IS NOT NULL
    GROUP BY biller_id, cadence_id, due_date, next_step
""")

# A channel reaches the customer when its address is known and valid and the customer has not opted out.
# Each of the step's (at most four) channels in order, kept when it reaches the customer; the preferred one then
# goes first, as decide.channel_order and decide.reachable_channels do.
REACHES = """CASE WHEN (CASE p.channel_order[{n}]
        WHEN 'whatsapp' THEN c.phone <> '' AND c.phone_invalid_at IS NULL
        WHEN 'sms' THEN c.phone <> '' AND c.phone_invalid_at IS NULL
        WHEN 'email' THEN c.email <> ''
        WHEN 'telegram' THEN c.telegram_chat_id <> 0
        ELSE false END) AND NOT (p.channel_order[{n}] = ANY(COALESCE(opted.channels, '{{}}')))
    THEN p.channel_order[{n}] END"""
MAX_CHANNELS = 4

COMMON_PATH = """
WITH decided AS (
    SELECT * FROM unnest(CAST(:biller_ids AS int[]), CAST(:cadence_ids AS int[]), CAST(:due_dates AS date[]),
                         CAST(:from_steps AS int[]), CAST(:max_reminders AS int[]), CAST(:step_indexes AS int[]),
                         CAST(:templates AS text[]), CAST(:orders AS text[]),
                         CAST(:next_steps AS int[]), CAST(:next_ats AS timestamptz[])) WITH ORDINALITY
        AS d(biller_id, cadence_id, due_date, from_step, max_reminders, step_index, template, channel_order,
             next_step, next_at, group_no)
),
picked AS (
    SELECT b.ctid AS row_at, b.id, b.biller_id, b.customer_id, b.reminders_sent, d.group_no, d.step_index, d.template,
           string_to_array(d.channel_order, ',') AS channel_order, d.next_step, d.next_at
    FROM bills b
    JOIN decided d ON d.biller_id = b.biller_id AND d.cadence_id = b.cadence_id AND d.due_date = b.due_date
                  AND d.from_step = b.next_step
    WHERE b.next_reminder_at <= :now AND b.status = ANY(CAST(:statuses AS text[]))
      AND (b.paused_until IS NULL OR b.paused_until <= :now) AND b.reminders_sent < d.max_reminders
      AND NOT EXISTS (SELECT 1 FROM conversations cv
                      WHERE cv.customer_id = b.customer_id AND cv.handed_over_at IS NOT NULL)
    ORDER BY b.next_reminder_at
    LIMIT :batch_size
    FOR UPDATE OF b SKIP LOCKED
),
reach AS (
    SELECT p.*, c.language, c.phone, c.email, c.telegram_chat_id, c.preferred_channel,
        array_remove(ARRAY[{candidates}], NULL) AS ordered
    FROM picked p JOIN customers c ON c.id = p.customer_id
    LEFT JOIN (SELECT customer_id, array_agg(channel) AS channels FROM customer_channels
               WHERE opted_out_at IS NOT NULL GROUP BY customer_id) AS opted ON opted.customer_id = c.id
    OFFSET 0  -- computes `ordered` here once: inlined, chosen would repeat its four CASEs three times per bill
),
chosen AS (
    SELECT reach.*, CASE WHEN preferred_channel = ANY(ordered)
                         THEN preferred_channel || array_remove(ordered, preferred_channel)
                         ELSE ordered END AS reachable
    FROM reach
),
queued AS (
    INSERT INTO outbound_messages (biller_id, customer_id, bill_id, channel, recipient, template_key, cadence_step,
        language, idempotency_key, fallback_channels, status, attempts, next_attempt_at, created_at, updated_at)
    SELECT biller_id, customer_id, id, reachable[1],
           CASE WHEN reachable[1] = 'email' THEN email
                WHEN reachable[1] = 'telegram' THEN telegram_chat_id::text ELSE phone END,
           template, step_index, language, 'reminder:bill:' || id || ':step:' || step_index || ':' || reachable[1],
           to_json(reachable[2:]), 'queued', 0, :now, :now, :now
    FROM chosen WHERE cardinality(reachable) > 0
    {on_conflict}
    RETURNING bill_id, channel
),
moved AS (
    UPDATE bills SET next_step = chosen.next_step, next_reminder_at = chosen.next_at,
        reminders_sent = chosen.reminders_sent + (cardinality(chosen.reachable) > 0)::int, updated_at = :now
    FROM chosen WHERE bills.ctid = ANY(ARRAY(SELECT row_at FROM chosen)) AND bills.id = chosen.id
    RETURNING bills.id
)
SELECT q.group_no, q.channel, q.bill_ids, m.moved
FROM (SELECT count(*) AS moved FROM moved) AS m
LEFT JOIN (SELECT group_no, reachable[1] AS channel, array_agg(id ORDER BY id) AS bill_ids
           FROM chosen WHERE id IN (SELECT bill_id FROM queued)
           GROUP BY group_no, reachable[1]) AS q ON true
"""
COMMON_PATH = COMMON_PATH.replace("{candidates}", ", ".join(REACHES.format(n=n) for n in range(1, MAX_CHANNELS + 1)))
SKIPPING_QUEUED = text(COMMON_PATH.replace("{on_conflict}", "ON CONFLICT (idempotency_key) DO NOTHING"))
COMMON_PATH = text(COMMON_PATH.replace("{on_conflict}", ""))


def due_groups(session: Session, now: datetime) -> list[tuple[int, int, date, int]]:
    """(biller, cadence, due date, next step) of the bills due now."""
    statuses = [status.value for status in PAYABLE_STATUSES]
    return [tuple(row) for row in session.execute(DUE_GROUPS, {"now": now, "statuses": statuses})]


def already_queued(error: IntegrityError) -> bool:
    """Whether a batch failed on a reminder that was in the outbox before it."""
    diagnostics = getattr(error.orig, "diag", None)  # psycopg's account of the failure
    return diagnostics is not None and diagnostics.constraint_name == ALREADY_QUEUED


def batch_parameters(groups: list[Group], now: datetime, batch_size: int) -> tuple[list[Group], dict]:
    """The groups a batch can queue (in the order its group_no counts them) and the statement's parameters."""
    sendable = [
        g
        for g in groups
        if g.decision.step is not None and g.decision.step.condition is None and 0 < len(g.channels) <= MAX_CHANNELS
    ]
    params = {
        "biller_ids": [g.biller_id for g in sendable],
        "cadence_ids": [g.cadence_id for g in sendable],
        "due_dates": [g.due_date for g in sendable],
        "from_steps": [g.next_step for g in sendable],
        "max_reminders": [g.max_reminders for g in sendable],
        "step_indexes": [g.decision.step.index for g in sendable],
        "templates": [g.decision.step.template_key for g in sendable],
        "orders": [",".join(g.channels) for g in sendable],
        "next_steps": [g.decision.next_index for g in sendable],
        "next_ats": [g.decision.next_at for g in sendable],
        "statuses": [status.value for status in PAYABLE_STATUSES],
        "now": now,
        "batch_size": batch_size,
    }
    return sendable, params


def batch_settings(session: Session) -> None:
    """How the batch's transaction runs its statement.

    The batch sorts in memory, not on disk. It joins by hashing, never a nested loop: the planner estimates the
    bills of several groups (billers, cadences, due dates, steps) as one or two, multiplying the four columns'
    selectivities, and then ran a part of the statement once per bill (the queued bills found among the chosen,
    the bills found again by ctid): a batch of 25,000 bills in 40 groups took 75 s instead of 2. With nested loops
    off the statement's cost is beyond JIT's threshold, and compiling it cost seconds: JIT is off too."""
    session.execute(text("SET LOCAL work_mem = '64MB'"))
    session.execute(text("SET LOCAL enable_nestloop = off"))
    session.execute(text("SET LOCAL jit = off"))


def run_common_batch(
    session: Session, groups: list[Group], now: datetime, batch_size: int, *, skipping_queued: bool = False
) -> tuple[int, list[tuple[PlannedStep, str, list[int]]]]:
    """Queue one batch of plain due bills; returns (bills moved on, (step, channel, bills) of what was queued).

    skipping_queued: after the batch failed on ALREADY_QUEUED, leave out the reminders already in the outbox."""
    sendable, params = batch_parameters(groups, now, batch_size)
    if not sendable:
        return 0, []
    batch_settings(session)
    rows = session.execute(SKIPPING_QUEUED if skipping_queued else COMMON_PATH, params).all()
    moved = rows[0].moved if rows else 0
    # The queued bills come back as one array per group and channel: a row per bill cost the pass a tenth of its
    # time converting 50,000 rows in Python. The group's decision gives its bills' step.
    queued = [
        (sendable[row.group_no - 1].decision.step, row.channel, row.bill_ids)
        for row in rows
        if row.group_no is not None
    ]
    return moved, queued
