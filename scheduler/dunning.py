"""The dunning pass: pick due bills through the next_reminder_at index, in batches, and queue one reminder each."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ARRAY, Integer, any_, bindparam, select, text, update
from sqlalchemy.dialects import sqlite
from sqlmodel import Session

from models import (
    Bill,
    Biller,
    Cadence,
    CadenceStep,
    Conversation,
    Customer,
    CustomerChannel,
    OutboundMessage,
    PaymentLink,
)
from models.db import utcnow
from models.reach import channel_addresses, reachable_in_order
from models.vocab import PAYABLE_STATUSES, MessageStatus
from scheduler.calendar import ContactCalendar
from scheduler.plan import PlannedStep, latest_due, plan_steps, step_at

BATCH_SIZE = 5000
HANDOVER_RECHECK = timedelta(hours=6)
CLAIM_LEASE = timedelta(minutes=10)  # SQLite: a crashed planner's bills come due again after this


@dataclass(frozen=True)
class QueuedReminder:
    """One reminder a pass queued."""

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
    *, session_factory: Callable[[], Session], now: datetime | None = None, batch_size: int = BATCH_SIZE
) -> list[QueuedReminder]:
    """Queue every reminder due at `now`; batches keep memory flat whatever the number of bills."""
    now = now or utcnow()
    queued: list[QueuedReminder] = []
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
    customers = _customers(session, {row.customer_id for row in batch})
    opted_out = _opted_out(session, set(customers))
    handed_over = _handed_over(session, set(customers))
    unopened = _unopened_bills(session, [row.id for row in batch])
    messages, updates, queued = [], [], []
    for row in batch:
        biller = cache.biller(row.biller_id)
        plan = cache.plan(row)
        change = {"b_id": row.id, "b_step": row.next_step, "b_sent": row.reminders_sent}
        if row.paused_until and row.paused_until > now:
            change["b_next"] = row.paused_until
        elif row.customer_id in handed_over:
            change["b_next"] = now + HANDOVER_RECHECK
        elif row.reminders_sent >= biller.max_reminders_per_bill:
            change["b_next"] = None
        else:
            step = latest_due(plan, from_index=row.next_step, now=now)
            if step is not None and not (step.condition == "link_not_opened" and row.id not in unopened):
                message = _reminder_row(
                    row, step, customers[row.customer_id], biller, opted_out.get(row.customer_id, set()), now
                )
                if message:
                    messages.append(message)
                    change["b_sent"] = row.reminders_sent + 1
                    queued.append(QueuedReminder(row.id, step.index, message["channel"], step.at))
            next_index = step.index + 1 if step else row.next_step
            change["b_step"], change["b_next"] = next_index, step_at(plan, next_index)
            if change["b_next"] is not None and change["b_next"] <= now:
                change["b_next"] = now + timedelta(minutes=1)  # never leave a bill due: the pass must end
        updates.append(change)
    if messages:
        inserted = _insert_reminders(session, messages, now)
        queued = [reminder for reminder in queued if reminder.bill_id in inserted]  # another planner's are not ours
    _move_bills_on(session, updates, now)
    return queued


UNNEST_INSERT = text("""
    INSERT INTO outbound_messages (biller_id, customer_id, bill_id, channel, recipient, template_key, cadence_step,
        language,
        idempotency_key, fallback_channels, status, attempts, next_attempt_at, created_at, updated_at)
    SELECT biller_id, customer_id, bill_id, channel, recipient, template_key, cadence_step, language, idempotency_key,
        fallback::json, 'queued', 0, :now, :now, :now
    FROM unnest(CAST(:biller_ids AS int[]), CAST(:customer_ids AS int[]), CAST(:bill_ids AS int[]),
                CAST(:channels AS text[]), CAST(:recipients AS text[]), CAST(:templates AS text[]),
                CAST(:steps AS int[]), CAST(:languages AS text[]), CAST(:keys AS text[]), CAST(:fallbacks AS text[]))
        AS r(biller_id, customer_id, bill_id, channel, recipient, template_key, cadence_step, language,
             idempotency_key, fallback)
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING bill_id
""")
UNNEST_UPDATE = text("""
    UPDATE bills SET next_step = m.step, next_reminder_at = m.next, reminders_sent = m.sent, updated_at = :now
    FROM unnest(CAST(:ids AS int[]), CAST(:steps AS int[]), CAST(:nexts AS timestamptz[]), CAST(:sents AS int[]))
        AS m(id, step, next, sent)
    WHERE bills.id = m.id
""")
UNNEST_COLUMNS = {
    "biller_ids": "biller_id",
    "customer_ids": "customer_id",
    "bill_ids": "bill_id",
    "channels": "channel",
    "recipients": "recipient",
    "templates": "template_key",
    "steps": "cadence_step",
    "languages": "language",
    "keys": "idempotency_key",
}


def _insert_reminders(session: Session, messages: list[dict], now: datetime) -> set[int]:
    """Insert reminders, skipping any another planner already queued; returns the bills that got one."""
    if session.get_bind().dialect.name != "postgresql":
        statement = sqlite.insert(OutboundMessage).on_conflict_do_nothing(index_elements=["idempotency_key"])
        return set(session.execute(statement.returning(OutboundMessage.bill_id), messages).scalars())
    # PostgreSQL: the rows travel as nine array parameters, not a statement with 70,000 placeholders.
    params = {name: [message[key] for message in messages] for name, key in UNNEST_COLUMNS.items()}
    params["fallbacks"] = [json.dumps(message["fallback_channels"]) for message in messages]
    return set(session.execute(UNNEST_INSERT, {**params, "now": now}).scalars())


def _move_bills_on(session: Session, updates: list[dict], now: datetime) -> None:
    """Write every bill's next step: one UPDATE … FROM unnest(arrays) on PostgreSQL, executemany on SQLite."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            UNNEST_UPDATE,
            {
                "ids": [u["b_id"] for u in updates],
                "steps": [u["b_step"] for u in updates],
                "nexts": [u["b_next"] for u in updates],
                "sents": [u["b_sent"] for u in updates],
                "now": now,
            },
        )
        return
    session.connection().execute(
        update(Bill)
        .where(Bill.id == bindparam("b_id"))
        .values(
            next_step=bindparam("b_step"),
            next_reminder_at=bindparam("b_next"),
            reminders_sent=bindparam("b_sent"),
            updated_at=now,
        ),
        updates,
    )


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
            order=step.channels or biller.channel_order,
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


def _among(session: Session, column, ids) -> object:
    """column IN ids; on PostgreSQL as = ANY(array), one parameter instead of thousands to parse."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(f"{column.key}_ids", list(ids), type_=ARRAY(Integer)))
    return column.in_(ids)


def _customers(session: Session, ids: set[int]) -> dict[int, dict]:
    columns = (
        Customer.id,
        Customer.phone,
        Customer.email,
        Customer.telegram_chat_id,
        Customer.language,
        Customer.preferred_channel,
        Customer.phone_invalid_at,
    )
    rows = session.execute(select(*columns).where(_among(session, Customer.id, ids))).mappings().all()
    return {row["id"]: dict(row) for row in rows}


def _opted_out(session: Session, customer_ids: set[int]) -> dict[int, set[str]]:
    rows = session.execute(
        select(CustomerChannel.customer_id, CustomerChannel.channel).where(
            _among(session, CustomerChannel.customer_id, customer_ids), CustomerChannel.opted_out_at.is_not(None)
        )
    ).all()
    found: dict[int, set[str]] = {}
    for customer_id, channel in rows:
        found.setdefault(customer_id, set()).add(channel)
    return found


def _handed_over(session: Session, customer_ids: set[int]) -> set[int]:
    return set(
        session.execute(
            select(Conversation.customer_id).where(
                _among(session, Conversation.customer_id, customer_ids), Conversation.handed_over_at.is_not(None)
            )
        ).scalars()
    )


def _unopened_bills(session: Session, bill_ids: list[int]) -> set[int]:
    return set(
        session.execute(
            select(PaymentLink.bill_id).where(
                _among(session, PaymentLink.bill_id, bill_ids), PaymentLink.open_count == 0
            )
        ).scalars()
    )
