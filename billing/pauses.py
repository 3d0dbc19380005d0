"""When a paused bill's reminders resume: the one rule for the bot's "later", the console's pause and a claim."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from billing.billers import biller_today
from models import Bill, Biller

PAID_CLAIM_PAUSE = timedelta(hours=48)  # "I paid" without a payment we hold: time for the money to arrive


def pause_day(*, biller: Biller, day: date, now: datetime, by_customer: bool) -> date:
    """The day reminders resume: the day asked for; a customer may put them off at most max_snooze_days."""
    if by_customer:
        return min(day, biller_today(biller, now) + timedelta(days=biller.max_snooze_days))
    return day


def resume_at(*, biller: Biller, day: date) -> datetime:
    """Reminders resume at the start of the biller's contact hours on that day, in the biller's time zone."""
    return datetime.combine(day, biller.contact_hours_start, tzinfo=ZoneInfo(biller.timezone))


def pause_bills(*, session: Session, bills: list[Bill], until: datetime, extend_only: bool = False) -> None:
    """Hold the bills' reminders until then; with extend_only, a pause already longer is kept."""
    for bill in bills:
        bill.paused_until = max(bill.paused_until or until, until) if extend_only else until
        session.add(bill)
