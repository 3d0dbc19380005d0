"""The dunning engine under a controlled clock: the right reminders at the right local times, and no others."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from billing.payments import record_payment
from channels.worker import OutboxWorker
from models import Bill, Conversation, CustomerChannel, OutboundMessage
from models.db import current_db
from scheduler.dunning import run_dunning_pass
from tests.builders import make_bill

IST = ZoneInfo("Asia/Kolkata")
DUE = "2026-12-10"  # a Thursday


def ist(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=IST)


def run_pass(app, now: datetime):
    with app.app_context():
        return run_dunning_pass(session_factory=current_db().new_session, now=now)


def simulate(app, start: datetime, days: int, *, step=timedelta(hours=1), before_each=None):
    """Run a pass every `step` for `days`; returns every reminder queued, in order."""
    queued, now = [], start
    while now < start + timedelta(days=days):
        if before_each:
            before_each(now)
        queued += run_pass(app, now)
        now += step
    return queued


@pytest.fixture
def bill(session, api):
    return make_bill(session, api.biller, due_date=DUE, amount=124550)


def local_times(queued) -> list[str]:
    return [reminder.at.astimezone(IST).strftime("%Y-%m-%d %H:%M") for reminder in queued]


def test_default_cadence_sends_exactly_four_reminders_at_ten_local(app, bill):
    queued = simulate(app, ist("2026-12-05T00:00"), 20)
    assert local_times(queued) == ["2026-12-07 10:00", "2026-12-10 10:00", "2026-12-13 10:00", "2026-12-17 10:00"]
    assert [r.step for r in queued] == [0, 1, 2, 3]
    assert {r.channel for r in queued} == {"whatsapp"}


def test_each_reminder_is_queued_once_at_the_first_pass_after_its_time(app, session, bill):
    simulate(app, ist("2026-12-05T00:00"), 20, step=timedelta(minutes=30))
    session.expire_all()
    rows = session.exec(select(OutboundMessage).order_by(OutboundMessage.id)).all()
    assert [row.template_key for row in rows] == [
        "reminder_before_due",
        "reminder_due_today",
        "reminder_overdue",
        "reminder_overdue",
    ]
    assert [row.created_at.astimezone(IST).strftime("%d %H:%M") for row in rows] == [
        "07 10:00",
        "10 10:00",
        "13 10:00",
        "17 10:00",
    ]


def test_sunday_reminder_moves_to_monday_morning_when_sundays_are_skipped(app, session, api, bill):
    api.biller.skip_sundays = True
    session.add(api.biller)
    session.commit()
    queued = simulate(app, ist("2026-12-05T00:00"), 20)
    assert local_times(queued)[2] == "2026-12-14 09:00"  # 13 Dec 2026 is a Sunday


def test_public_holiday_is_skipped_when_asked(app, session, api):
    api.biller.skip_public_holidays = True
    session.add(api.biller)
    session.commit()
    make_bill(session, api.biller, due_date="2027-01-26")  # Republic Day
    queued = simulate(app, ist("2027-01-20T00:00"), 9)
    assert local_times(queued) == ["2027-01-23 10:00", "2027-01-27 09:00"]


def test_contact_hours_never_go_outside_eight_to_seven(app, session, api):
    api.biller.contact_hours_start, api.biller.contact_hours_end = time(6, 0), time(22, 0)
    session.add(api.biller)
    session.commit()
    client_cadence = {
        "name": "edges",
        "default": True,
        "steps": [
            {"day_offset": 0, "send_at": "07:00", "channels": ["sms"]},
            {"day_offset": 1, "send_at": "21:30", "channels": ["sms"]},
        ],
    }
    from api.dunning import CadenceIn
    from scheduler.cadences import save_cadence

    save_cadence(session=session, biller_id=api.biller.id, data=CadenceIn.model_validate(client_cadence))
    session.commit()
    make_bill(session, api.biller, due_date=DUE)
    queued = simulate(app, ist("2026-12-09T00:00"), 4, step=timedelta(minutes=15))
    assert local_times(queued) == ["2026-12-10 08:00", "2026-12-12 08:00"]


def test_paid_bill_gets_no_more_reminders(app, session, bill):
    def pay_after_first(now):
        if now == ist("2026-12-08T12:00"):
            record_payment(
                session=session, bill=session.get(Bill, bill.id), amount_paise=124550, reference="UTR1", source="api"
            )
            session.commit()

    queued = simulate(app, ist("2026-12-05T00:00"), 20, before_each=pay_after_first)
    assert local_times(queued) == ["2026-12-07 10:00"]


def test_payment_landing_after_planning_stops_the_queued_reminder(app, session, bill):
    run_pass(app, ist("2026-12-07T10:00"))
    record_payment(
        session=session, bill=session.get(Bill, bill.id), amount_paise=124550, reference="UTR2", source="webhook"
    )
    session.commit()
    OutboxWorker(app, clock=lambda: ist("2026-12-07T10:01").astimezone(UTC)).run(once=True)
    session.expire_all()
    reminder = session.exec(select(OutboundMessage).where(OutboundMessage.template_key.startswith("reminder"))).one()
    assert reminder.status == "cancelled"


def test_reminder_claimed_after_payment_is_withdrawn_by_the_worker(app, session, bill):
    run_pass(app, ist("2026-12-07T10:00"))
    stored = session.get(Bill, bill.id)
    stored.status = "paid"  # as if paid between the planner's queueing and the worker's claim
    session.commit()
    OutboxWorker(app, clock=lambda: ist("2026-12-07T10:01").astimezone(UTC)).run(once=True)
    session.expire_all()
    message = session.exec(select(OutboundMessage)).one()
    assert (message.status, message.error_code) == ("cancelled", "bill_settled")


def test_snooze_pauses_then_sends_only_the_latest_due_step(app, session, bill):
    stored = session.get(Bill, bill.id)
    stored.paused_until = ist("2026-12-14T12:00").astimezone(UTC)
    session.commit()
    queued = simulate(app, ist("2026-12-05T00:00"), 20)
    assert local_times(queued) == ["2026-12-13 10:00", "2026-12-17 10:00"]


def test_opted_out_channel_falls_to_the_next_in_the_order(app, session, bill):
    session.add(CustomerChannel(customer_id=bill.customer_id, channel="whatsapp", opted_out_at=bill.created_at))
    session.commit()
    [first] = run_pass(app, ist("2026-12-07T10:00"))
    assert first.channel == "sms"
    message = session.exec(select(OutboundMessage)).one()
    assert message.fallback_channels == ["email"]


def test_handover_pauses_until_handed_back(app, session, bill):
    conversation = Conversation(
        biller_id=bill.biller_id,
        customer_id=bill.customer_id,
        channel="whatsapp",
        address="+919810000001",
        handed_over_at=bill.created_at,
    )
    session.add(conversation)
    session.commit()

    def hand_back(now):
        if now == ist("2026-12-12T00:00"):
            conversation.handed_over_at = None
            session.add(conversation)
            session.commit()

    queued = simulate(app, ist("2026-12-05T00:00"), 20, before_each=hand_back)
    assert local_times(queued) == ["2026-12-10 10:00", "2026-12-13 10:00", "2026-12-17 10:00"]


def test_maximum_reminders_per_bill(app, session, api, bill):
    api.biller.max_reminders_per_bill = 2
    session.add(api.biller)
    session.commit()
    queued = simulate(app, ist("2026-12-05T00:00"), 20)
    assert len(queued) == 2


def test_scheduler_down_for_days_catches_up_with_one_message(app, bill):
    assert local_times(run_pass(app, ist("2026-12-16T09:00"))) == ["2026-12-13 10:00"]
    assert run_pass(app, ist("2026-12-16T09:05")) == []
    assert local_times(run_pass(app, ist("2026-12-17T10:00"))) == ["2026-12-17 10:00"]


def test_repeating_tail_runs_its_count(app, session, api):
    from api.dunning import CadenceIn
    from scheduler.cadences import save_cadence

    save_cadence(
        session=session,
        biller_id=api.biller.id,
        data=CadenceIn.model_validate(
            {
                "name": "nag",
                "repeat_every_days": 2,
                "repeat_max_times": 3,
                "steps": [{"day_offset": 0, "send_at": "11:00", "channels": ["sms"]}],
            }
        ),
    )
    session.commit()
    make_bill(session, api.biller, due_date=DUE, cadence="nag")
    queued = simulate(app, ist("2026-12-09T00:00"), 12)
    assert local_times(queued) == ["2026-12-10 11:00", "2026-12-12 11:00", "2026-12-14 11:00", "2026-12-16 11:00"]


def test_link_not_opened_condition_skips_the_step_once_opened(app, client, session, api):
    from api.dunning import CadenceIn
    from billing.bills import current_link
    from scheduler.cadences import save_cadence

    save_cadence(
        session=session,
        biller_id=api.biller.id,
        data=CadenceIn.model_validate(
            {
                "name": "gentle",
                "steps": [
                    {"day_offset": 0, "channels": ["sms"]},
                    {"day_offset": 2, "channels": ["sms"], "condition": "link_not_opened"},
                ],
            }
        ),
    )
    session.commit()
    opened = make_bill(session, api.biller, due_date=DUE, cadence="gentle")
    ignored = make_bill(session, api.biller, due_date=DUE, cadence="gentle")
    client.get(f"/p/{current_link(session=session, bill_id=opened.id).token}")
    queued = simulate(app, ist("2026-12-09T00:00"), 5)
    assert sorted((r.bill_id, r.step) for r in queued) == sorted([(opened.id, 0), (ignored.id, 0), (ignored.id, 1)])


def test_worker_keeps_reminders_inside_contact_hours(app, session, bill):
    run_pass(app, ist("2026-12-07T10:00"))
    OutboxWorker(app, clock=lambda: ist("2026-12-07T22:30").astimezone(UTC)).run(once=True)
    session.expire_all()
    message = session.exec(select(OutboundMessage)).one()
    assert message.status == "queued"
    assert message.next_attempt_at.astimezone(IST) == ist("2026-12-08T09:00")
