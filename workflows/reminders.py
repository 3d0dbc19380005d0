"""Pausing a bill's reminders: the same rule whether the customer asks the bot or support pauses them."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session

from accounts.audit import record_audit
from billing.pauses import PAID_CLAIM_PAUSE, pause_bills, pause_day, resume_at
from models import Bill, Biller
from workflows import CUSTOMER, Actor


def pause_reminders(
    *, session: Session, actor: Actor, now: datetime, biller: Biller, bills: list[Bill], day: date
) -> date:
    """Pause the biller's bills until the start of contact hours on `day`; returns the day they resume.

    A customer may put reminders off at most the biller's max_snooze_days; support may choose any day.
    """
    day = pause_day(biller=biller, day=day, now=now, by_customer=actor == CUSTOMER)
    pause_bills(session=session, bills=bills, until=resume_at(biller=biller, day=day))
    return day


def pause_for_payment_claim(
    *, session: Session, actor: Actor, now: datetime, bills: list[Bill], utr: str | None, channel: str
) -> None:
    """The customer says they paid and we hold no such payment: reminders wait 48 hours, and the audit says so."""
    pause_bills(session=session, bills=bills, until=now + PAID_CLAIM_PAUSE, extend_only=True)
    for bill in bills:
        record_audit(
            session=session,
            biller_id=bill.biller_id,
            actor=str(actor),
            action="payment.claimed",
            subject_type="bill",
            subject_id=bill.id,
            detail={"utr": utr, "channel": channel},
        )
