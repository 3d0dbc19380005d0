"""A biller's collection figures for the dashboard: totals, the reminder funnel, apps, failures, trends.

Keyword-only reads over a session; no Flask, no commit. Every funnel stage counts distinct bills.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, exists, literal
from sqlmodel import Session, func, or_, select

from billing.billers import biller_today
from billing.checkout import ANY_APP
from models import Bill, Biller, LinkEvent, OutboundMessage, Payment
from models.vocab import BillStatus

SENT = ("sent", "delivered", "read")
DELIVERED = ("delivered", "read")
FAILED = ("failed", "undelivered")


@dataclass(frozen=True)
class Stage:
    """One step of the funnel: its name, what it counts, and how many bills reached it."""

    label: str
    caption: str
    bills: int


@dataclass(frozen=True)
class Totals:
    outstanding: int
    collected: int
    rate: float


def totals(*, session: Session, biller: Biller) -> Totals:
    """What is still due on open bills, what was received, and the share of the two collected."""
    due = dict(
        session.exec(
            select(Bill.status, func.sum(Bill.amount_due_paise))
            .where(Bill.biller_id == biller.id)
            .group_by(Bill.status)
        ).all()
    )
    collected = session.exec(
        select(func.coalesce(func.sum(Payment.amount_paise), 0)).where(Payment.biller_id == biller.id)
    ).one()
    outstanding = sum(due.get(status, 0) or 0 for status in (BillStatus.OPEN, BillStatus.PARTIALLY_PAID))
    rate = collected / (collected + outstanding) if collected + outstanding else 0.0
    return Totals(outstanding=outstanding, collected=collected, rate=rate)


def _chosen_app():
    """A customer picking an app (a desktop QR render is not a choice)."""
    return (LinkEvent.kind == "app_chosen") & (LinkEvent.app != ANY_APP)


def _reminders():
    """Messages that ask for payment (reminders and links sent on request), not receipts or chat replies."""
    template = OutboundMessage.template_key
    return or_(template.startswith("reminder", autoescape=True), template == "notify")


def funnel(*, session: Session, biller: Biller) -> list[Stage]:
    """Distinct bills reminded, then how far each got. Delivery stages count a bill that reached a later one
    (an opened link proves the message arrived and was read); paid counts every reminded bill paid in full,
    by whatever route, so it may exceed 'app chosen'."""
    reminded = select(OutboundMessage.bill_id).where(
        OutboundMessage.biller_id == biller.id, OutboundMessage.bill_id.is_not(None), _reminders()
    )

    def message_in(statuses):
        return exists().where(OutboundMessage.bill_id == Bill.id, _reminders(), OutboundMessage.status.in_(statuses))

    def link(condition):
        return exists().where(LinkEvent.bill_id == Bill.id, condition)

    chosen = link(_chosen_app())
    opened = or_(link(LinkEvent.kind == "opened"), chosen)
    read = or_(message_in(("read",)), opened)
    delivered = or_(message_in(DELIVERED), read)
    sent = or_(message_in(SENT), delivered)

    def bills_where(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    row = session.exec(
        select(
            func.count(),
            bills_where(sent),
            bills_where(delivered),
            bills_where(read),
            bills_where(opened),
            bills_where(chosen),
            bills_where(Bill.status == BillStatus.PAID),
        ).where(Bill.biller_id == biller.id, Bill.id.in_(reminded))
    ).one()
    captions = (
        ("Reminded", "bills sent at least one reminder or payment link"),
        ("Sent", "bills whose reminder a provider accepted"),
        ("Delivered", "bills whose reminder was confirmed delivered, or whose link was opened"),
        ("Read", "bills whose reminder was read (WhatsApp), or whose link was opened"),
        ("Link opened", "bills whose payment link was opened"),
        ("App chosen", "bills where the customer picked a payment app (QR views not counted)"),
        ("Paid", "reminded bills now paid in full, by any route"),
    )
    return [Stage(label, caption, int(count or 0)) for (label, caption), count in zip(captions, row, strict=True)]


def paid_without_reminder(*, session: Session, biller: Biller) -> int:
    """Bills paid that were never sent a message (outside the funnel)."""
    reminded = select(OutboundMessage.bill_id).where(OutboundMessage.bill_id.is_not(None), _reminders())
    return session.exec(
        select(func.count()).where(
            Bill.biller_id == biller.id, Bill.status == BillStatus.PAID, Bill.id.not_in(reminded)
        )
    ).one()


def apps_chosen(*, session: Session, biller: Biller) -> tuple[list[tuple[str, int]], int]:
    """Distinct bills per payment app chosen, most first; and the bills whose QR code was shown on a computer."""
    bill_ids = select(Bill.id).where(Bill.biller_id == biller.id)
    apps = session.exec(
        select(LinkEvent.app, func.count(func.distinct(LinkEvent.bill_id)))
        .where(_chosen_app(), LinkEvent.bill_id.in_(bill_ids))
        .group_by(LinkEvent.app)
        .order_by(func.count(func.distinct(LinkEvent.bill_id)).desc(), LinkEvent.app)
    ).all()
    qr = session.exec(
        select(func.count(func.distinct(LinkEvent.bill_id))).where(
            LinkEvent.kind == "app_chosen", LinkEvent.app == ANY_APP, LinkEvent.bill_id.in_(bill_ids)
        )
    ).one()
    return [(app, count) for app, count in apps], qr


def failures(*, session: Session, biller: Biller) -> list[tuple[str | None, int]]:
    """Failed or undelivered messages per error code, most first."""
    return session.exec(
        select(OutboundMessage.error_code, func.count())
        .where(OutboundMessage.biller_id == biller.id, OutboundMessage.status.in_(FAILED))
        .group_by(OutboundMessage.error_code)
        .order_by(func.count().desc())
    ).all()


def collected_by_day(*, session: Session, biller: Biller, now: datetime, days: int = 30) -> list[tuple[date, int]]:
    """Money received per day over the last `days` days, in the biller's time zone (empty days included)."""
    zone = ZoneInfo(biller.timezone)
    today = now.astimezone(zone).date()
    since = datetime.combine(today - timedelta(days=days - 1), datetime.min.time(), tzinfo=zone)
    received: dict[date, int] = {}
    for paid_at, amount in session.exec(
        select(Payment.paid_at, Payment.amount_paise).where(Payment.biller_id == biller.id, Payment.paid_at >= since)
    ).all():
        day = paid_at.astimezone(zone).date()
        received[day] = received.get(day, 0) + amount
    return [(day, received.get(day, 0)) for day in (today - timedelta(days=n) for n in range(days - 1, -1, -1))]


def collection_rate_by_week(
    *, session: Session, biller: Biller, now: datetime, weeks: int = 8
) -> list[tuple[date, int, float]]:
    """For bills due in each of the last `weeks` weeks: the amount billed and the share of it collected."""
    today = biller_today(biller, now)
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


def funnel_by_step(*, session: Session, biller: Biller) -> list[tuple]:
    """Per cadence step (numbered from 0, as the API and CLI do) and channel: messages queued, sent, delivered,
    read; then bills whose link was opened, whose app was chosen and which were paid after that reminder;
    and failed messages — one grouped query."""
    message = OutboundMessage
    status = message.status

    def after(model, *conditions):
        moment = model.paid_at if model is Payment else model.created_at
        return exists().where(model.bill_id == message.bill_id, moment >= message.created_at, *conditions)

    def bills_where(condition):
        return func.count(func.distinct(case((condition, message.bill_id))))

    def count_where(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), literal(0))

    return session.exec(
        select(
            message.cadence_step,
            message.channel,
            func.count(),
            count_where(status.in_(SENT)),
            count_where(status.in_(DELIVERED)),
            count_where(status == "read"),
            bills_where(after(LinkEvent, LinkEvent.kind == "opened")),
            bills_where(after(LinkEvent, _chosen_app())),
            bills_where(after(Payment)),
            count_where(status.in_(FAILED)),
        )
        .where(message.biller_id == biller.id, message.cadence_step.is_not(None))
        .group_by(message.cadence_step, message.channel)
        .order_by(message.cadence_step, message.channel)
    ).all()


@dataclass(frozen=True)
class BillActivity:
    """What the latest message about a bill did, and what the customer did with its link."""

    last_channel: str | None = None
    last_status: str | None = None
    last_error: str | None = None
    link_opened: bool = False
    app: str | None = None


def bill_activity(*, session: Session, bill_ids: list[int]) -> dict[int, BillActivity]:
    """For a page of bills: each one's latest message and its delivery state, whether the link was opened, and
    the app last chosen (QR views aside). Three queries, whatever the page size."""
    if not bill_ids:
        return {}
    latest = (
        select(func.max(OutboundMessage.id))
        .where(OutboundMessage.bill_id.in_(bill_ids))
        .group_by(OutboundMessage.bill_id)
    )
    messages = {
        bill_id: (channel, status, error)
        for bill_id, channel, status, error in session.exec(
            select(
                OutboundMessage.bill_id, OutboundMessage.channel, OutboundMessage.status, OutboundMessage.error_code
            ).where(OutboundMessage.id.in_(latest))
        ).all()
    }
    opened = set(
        session.exec(
            select(LinkEvent.bill_id).where(LinkEvent.bill_id.in_(bill_ids), LinkEvent.kind == "opened").distinct()
        ).all()
    )
    apps: dict[int, str] = {}
    for bill_id, app in session.exec(
        select(LinkEvent.bill_id, LinkEvent.app)
        .where(LinkEvent.bill_id.in_(bill_ids), _chosen_app())
        .order_by(LinkEvent.id)
    ).all():
        apps[bill_id] = app
    return {
        bill_id: BillActivity(
            *(messages.get(bill_id) or (None, None, None)), link_opened=bill_id in opened, app=apps.get(bill_id)
        )
        for bill_id in bill_ids
    }
