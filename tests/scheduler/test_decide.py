"""The dunning decisions on their own, without a database: which step is due, when, and on which channel."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from models import Biller, Cadence, CadenceStep
from models.reach import channel_addresses, reachable_in_order
from scheduler.calendar import ContactCalendar
from scheduler.decide import HANDOVER_RECHECK, decide_bill, decide_step
from scheduler.plan import plan_steps

IST = ZoneInfo("Asia/Kolkata")
DUE = date(2026, 12, 10)  # a Thursday


def ist(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=IST).astimezone(UTC)


def make_plan(*, offsets=(-3, 0, 3), send_at=time(10, 0), condition=None, **biller_fields):
    biller = Biller(name="B", upi_vpa="b@icici", **biller_fields)
    cadence = Cadence(biller_id=1, name="c", repeat_every_days=None, repeat_max_times=None)
    steps = [
        CadenceStep(
            cadence_id=1,
            position=position,
            day_offset=offset,
            send_at=send_at,
            channels=["whatsapp", "sms"],
            template_key="reminder_due_today",
            condition=condition if position == 1 else None,
        )
        for position, offset in enumerate(offsets)
    ]
    return plan_steps(cadence=cadence, steps=steps, due_date=DUE, calendar=ContactCalendar(biller))


def bill_decision(plan, now, **fields):
    state = {
        "next_step": 0,
        "reminders_sent": 0,
        "max_reminders": 8,
        "paused_until": None,
        "handed_over": False,
        "link_opened": False,
    }
    return decide_bill(plan=plan, now=now, **{**state, **fields})


def test_the_latest_due_step_is_chosen_and_missed_ones_are_skipped():
    plan = make_plan()
    decision = decide_step(plan, from_index=0, now=ist("2026-12-10T12:00"))
    assert decision.step.index == 1
    assert decision.next_index == 2
    assert decision.next_at == ist("2026-12-13T10:00")


def test_nothing_is_due_before_the_first_step():
    plan = make_plan()
    decision = decide_step(plan, from_index=0, now=ist("2026-12-07T09:59"))
    assert decision.step is None
    assert (decision.next_index, decision.next_at) == (0, ist("2026-12-07T10:00"))


def test_the_last_step_leaves_no_next_moment():
    plan = make_plan()
    decision = decide_step(plan, from_index=2, now=ist("2026-12-14T10:00"))
    assert decision.step.index == 2
    assert decision.next_at is None


def test_steps_are_clamped_into_contact_hours_and_off_sundays():
    late = make_plan(send_at=time(21, 30), contact_hours_start=time(6, 0), contact_hours_end=time(22, 0))
    assert [step.at.astimezone(IST).time() for step in late] == [time(8, 0)] * 3  # next morning at 08:00
    assert late[0].at == ist("2026-12-08T08:00")
    sundays = make_plan(offsets=(3,), skip_sundays=True)  # 13 December 2026 is a Sunday
    assert sundays[0].at == ist("2026-12-14T09:00")  # the next allowed day, from its first contact hour


def test_held_bills_send_nothing_and_say_when_to_look_again():
    plan, now = make_plan(), ist("2026-12-10T12:00")
    paused = bill_decision(plan, now, paused_until=now + timedelta(days=2))
    assert (paused.step, paused.next_index, paused.next_at) == (None, 0, now + timedelta(days=2))
    handed = bill_decision(plan, now, handed_over=True)
    assert (handed.step, handed.next_at) == (None, now + HANDOVER_RECHECK)
    at_maximum = bill_decision(plan, now, reminders_sent=8)
    assert (at_maximum.step, at_maximum.next_at) == (None, None)
    a_past_pause = bill_decision(plan, now, paused_until=now - timedelta(minutes=1))
    assert a_past_pause.step.index == 1


def test_a_link_not_opened_step_is_passed_over_once_the_link_was_opened():
    plan, now = make_plan(condition="link_not_opened"), ist("2026-12-10T12:00")
    opened = bill_decision(plan, now, link_opened=True)
    assert opened.step is None and opened.next_index == 2
    unopened = bill_decision(plan, now, link_opened=False)
    assert unopened.step.index == 1


def test_the_preferred_channel_goes_first_and_unreachable_or_opted_out_ones_drop():
    def reachable(order, *, preferred=None, opted_out=(), **customer):
        addresses = channel_addresses(**{"phone_invalid_at": None, "email": None, "telegram_chat_id": None, **customer})
        pairs = reachable_in_order(order=order, preferred=preferred, addresses=addresses, opted_out=opted_out)
        return [channel.value for channel, _ in pairs]

    phone = "+919812345678"
    assert reachable(["whatsapp", "sms"], preferred="sms", phone=phone) == ["sms", "whatsapp"]
    assert reachable(["whatsapp", "sms"], preferred="telegram", phone=phone, telegram_chat_id=42) == ["whatsapp", "sms"]
    order = ["email", "whatsapp", "telegram", "sms"]
    assert reachable(order, opted_out={"whatsapp"}, phone=phone, telegram_chat_id=42) == ["telegram", "sms"]
    invalid = ist("2026-12-01T00:00")
    assert reachable(order, phone=phone, phone_invalid_at=invalid, telegram_chat_id=42) == ["telegram"]
    assert reachable(["sms"], phone=phone, phone_invalid_at=invalid) == []
