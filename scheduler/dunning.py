"""The dunning pass: pick due bills through the next_reminder_at index, in batches, and queue one reminder each.

On PostgreSQL the common path is decided in SQL (scheduler/dunning_sql.py): one INSERT … SELECT per batch for
bills sharing a plan position, several batches at once if asked (a statement runs on one core of the database; the
row locks each takes, SKIP LOCKED, keep their bills apart). Everything else — SQLite, and the rare cases there
(paused, handed over, at the maximum, a conditional step, a bill no group covers) — goes row by row
(scheduler/dunning_rows.py). Both paths take their decisions from scheduler/decide.py.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import NamedTuple

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from models import Bill, Biller, Cadence, CadenceStep
from models.db import utcnow
from models.reach import channel_addresses, reachable_in_order
from models.vocab import PAYABLE_STATUSES, MessageStatus
from scheduler import dunning_rows as rows
from scheduler.calendar import ContactCalendar
from scheduler.decide import decide_bill, decide_step
from scheduler.dunning_sql import Group, already_queued, due_groups, run_common_batch
from scheduler.plan import PlannedStep, plan_steps, step_at

log = logging.getLogger(__name__)

BATCH_SIZE = 5000
SQL_BATCH_SIZE = 25000  # bills per INSERT … SELECT: few, large statements; memory stays in the database
CLAIM_LEASE = timedelta(minutes=10)  # SQLite: a crashed planner's bills come due again after this


class QueuedReminder(NamedTuple):
    """One reminder a pass queued (a named tuple: a pass makes tens of thousands, a frozen dataclass costs twice)."""

    bill_id: int
    step: int
    channel: str
    at: datetime


@dataclass
class PlanCache:
    """Billers, their calendars and cadence plans, loaded once per pass (not once per bill)."""

    session: Session
    billers: dict[int, Biller] = field(default_factory=dict)
    calendars: dict[int, ContactCalendar] = field(default_factory=dict)
    cadences: dict[int, tuple[Cadence, list[CadenceStep]]] = field(default_factory=dict)
    plans: dict[tuple[int, object], list[PlannedStep]] = field(default_factory=dict)

    def biller(self, biller_id: int) -> Biller:
        if biller_id not in self.billers:
            self.billers[biller_id] = self.session.get(Biller, biller_id)
            self.calendars[biller_id] = ContactCalendar(self.billers[biller_id])
        return self.billers[biller_id]

    def calendar(self, biller_id: int) -> ContactCalendar:
        self.biller(biller_id)
        return self.calendars[biller_id]

    def plan(self, bill_row) -> list[PlannedStep]:
        """The plan of a bill; bills sharing a cadence and due date share one."""
        if bill_row.cadence_id is None:
            return []
        key = (bill_row.cadence_id, bill_row.due_date)
        if key not in self.plans:
            self.plans[key] = self._plan(bill_row)
        return self.plans[key]

    def _plan(self, bill_row) -> list[PlannedStep]:
        if bill_row.cadence_id not in self.cadences:
            cadence = self.session.get(Cadence, bill_row.cadence_id)
            steps = list(self.session.exec(select(CadenceStep).where(CadenceStep.cadence_id == cadence.id)).scalars())
            self.cadences[bill_row.cadence_id] = (cadence, steps)
        cadence, steps = self.cadences[bill_row.cadence_id]
        return plan_steps(
            cadence=cadence, steps=steps, due_date=bill_row.due_date, calendar=self.calendar(bill_row.biller_id)
        )


def initial_reminder(*, session: Session, bill: Bill) -> None:
    """Point a new bill at the first step of its plan (nothing is sent until a pass finds it due)."""
    plan = PlanCache(session).plan(bill)
    bill.next_step = 0
    bill.next_reminder_at = step_at(plan, 0)


def run_dunning_pass(
    *,
    session_factory: Callable[[], Session],
    now: datetime | None = None,
    batch_size: int = BATCH_SIZE,
    common_path: bool = True,
    connections: int = 1,
    sql_batch_size: int = SQL_BATCH_SIZE,
) -> list[QueuedReminder]:
    """Queue every reminder due at `now`; batches keep memory flat whatever the number of bills.

    connections: how many of PostgreSQL's INSERT … SELECT batches run at once (DUNNING_CONNECTIONS).
    common_path=False sends every bill down the row-by-row path (tests compare the two paths with it)."""
    now = now or utcnow()
    queued: list[QueuedReminder] = []
    session = session_factory()
    try:
        groups = common_groups(session, now) if common_path and session.get_bind().dialect.name == "postgresql" else []
    finally:
        session.close()
    if groups:
        queued += _common_path(session_factory, groups, now, sql_batch_size, connections)
    while True:
        session = session_factory()
        try:
            batch = _claim_batch(session, now, batch_size)
            if batch:
                queued += _plan_batch(session, batch, now)
            session.commit()
        finally:
            session.close()
        if len(batch) < batch_size:
            return queued


def common_groups(session: Session, now: datetime) -> list[Group]:
    """PostgreSQL: the groups of due bills the common path can queue, each decided once."""
    cache = PlanCache(session)
    groups = []
    for biller_id, cadence_id, due_date, next_step in due_groups(session, now):
        biller = cache.biller(biller_id)
        plan = cache.plan(SimpleNamespace(cadence_id=cadence_id, due_date=due_date, biller_id=biller_id))
        decision = decide_step(plan, from_index=next_step, now=now)
        if decision.step is None or decision.step.condition is not None:
            continue  # nothing due or a conditional step: the row-by-row path decides these
        order = tuple(decision.step.channels or biller.channels_in_order)
        groups.append(Group(biller_id, cadence_id, due_date, next_step, biller.max_reminders_per_bill, order, decision))
    session.commit()
    return groups


def _common_path(
    session_factory: Callable[[], Session], groups: list[Group], now: datetime, batch_size: int, connections: int
) -> list[QueuedReminder]:
    """Queue the groups' plain due bills in SQL, batch by batch, on `connections` connections at once."""
    if connections <= 1:
        return _common_batches(session_factory, groups, now, batch_size)
    with ThreadPoolExecutor(max_workers=connections, thread_name_prefix="dunning") as pool:
        runs = [pool.submit(_common_batches, session_factory, groups, now, batch_size) for _ in range(connections)]
        return [reminder for run in runs for reminder in run.result()]


def _common_batches(
    session_factory: Callable[[], Session], groups: list[Group], now: datetime, batch_size: int
) -> list[QueuedReminder]:
    """One connection's share: batches until one comes back short (the rest are done or another's)."""
    queued: list[QueuedReminder] = []
    session = session_factory()
    try:
        while True:
            try:
                moved, batch = run_common_batch(session, groups, now, batch_size)
            except IntegrityError as error:
                if not already_queued(error):
                    raise
                session.rollback()
                log.info("dunning: a reminder of this batch was queued before; the batch runs again without it")
                moved, batch = run_common_batch(session, groups, now, batch_size, skipping_queued=True)
            session.commit()
            queued += [
                QueuedReminder(bill_id, step.index, channel, step.at)
                for step, channel, bills in batch
                for bill_id in bills
            ]
            if moved < batch_size:
                return queued
    finally:
        session.close()


def _claim_batch(session: Session, now: datetime, batch_size: int) -> list:
    """Due bills for this planner alone: SKIP LOCKED on PostgreSQL; on SQLite an UPDATE … RETURNING that
    leases them (moves next_reminder_at past now) while holding SQLite's single write lock."""
    columns = (
        Bill.id,
        Bill.biller_id,
        Bill.customer_id,
        Bill.cadence_id,
        Bill.due_date,
        Bill.next_step,
        Bill.reminders_sent,
        Bill.paused_until,
    )
    due = (Bill.next_reminder_at <= now) & Bill.status.in_([status.value for status in PAYABLE_STATUSES])
    if session.get_bind().dialect.name == "postgresql":
        statement = select(*columns).where(due).order_by(Bill.next_reminder_at).limit(batch_size)
        return list(session.execute(statement.with_for_update(skip_locked=True, of=Bill)).all())
    batch = select(Bill.id).where(due).order_by(Bill.next_reminder_at).limit(batch_size)
    statement = update(Bill).where(Bill.id.in_(batch)).values(next_reminder_at=now + CLAIM_LEASE).returning(*columns)
    return list(session.execute(statement).all())


def _plan_batch(session: Session, batch: list, now: datetime) -> list[QueuedReminder]:
    cache = PlanCache(session)
    customers = rows.customers_of(session, {row.customer_id for row in batch})
    opted_out = rows.opted_out_of(session, set(customers))
    handed_over = rows.handed_over_of(session, set(customers))
    unopened = rows.unopened_bills(session, [row.id for row in batch])
    messages, updates, queued = [], [], []
    for row in batch:
        biller = cache.biller(row.biller_id)
        decision = decide_bill(
            plan=cache.plan(row),
            next_step=row.next_step,
            reminders_sent=row.reminders_sent,
            max_reminders=biller.max_reminders_per_bill,
            paused_until=row.paused_until,
            handed_over=row.customer_id in handed_over,
            link_opened=row.id not in unopened,
            now=now,
        )
        change = {"b_id": row.id, "b_step": decision.next_index, "b_next": decision.next_at}
        change["b_sent"] = row.reminders_sent
        if decision.step is not None:
            customer = customers[row.customer_id]
            message = _reminder_row(row, decision.step, customer, biller, opted_out.get(row.customer_id, set()), now)
            if message:
                messages.append(message)
                change["b_sent"] = row.reminders_sent + 1
                queued.append(QueuedReminder(row.id, decision.step.index, message["channel"], decision.step.at))
        updates.append(change)
    if messages:
        inserted = rows.insert_reminders(session, messages, now)
        queued = [reminder for reminder in queued if reminder.bill_id in inserted]  # another planner's are not ours
    rows.move_bills_on(session, updates, now)
    return queued


def _reminder_row(
    row, step: PlannedStep, customer: dict, biller: Biller, opted_out: set[str], now: datetime
) -> dict | None:
    addresses = channel_addresses(
        phone=customer["phone"],
        phone_invalid_at=customer["phone_invalid_at"],
        email=customer["email"],
        telegram_chat_id=customer["telegram_chat_id"],
    )
    reachable = [
        channel.value
        for channel, _ in reachable_in_order(
            order=step.channels or biller.channels_in_order,
            preferred=customer["preferred_channel"],
            addresses=addresses,
            opted_out=opted_out,
        )
    ]
    if not reachable:
        return None
    channel = reachable[0]
    return {
        "biller_id": row.biller_id,
        "customer_id": row.customer_id,
        "bill_id": row.id,
        "channel": channel,
        "recipient": addresses[channel],
        "cadence_step": step.index,
        "template_key": step.template_key,
        "language": customer["language"],
        "idempotency_key": f"reminder:bill:{row.id}:step:{step.index}:{channel}",
        "fallback_channels": reachable[1:],
        "status": MessageStatus.QUEUED.value,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
        "updated_at": now,
        "content_variables": None,
    }
