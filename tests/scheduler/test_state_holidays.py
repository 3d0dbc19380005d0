"""A biller's state: its own holidays (not India's national ones) hold that biller's reminders, and no one else's.

12 January 2027 (a Tuesday) is Swami Vivekananda's birthday, a West Bengal holiday that is neither national nor
Maharashtra's. Both paths of the pass (SQL on PostgreSQL, row by row) must agree; SQLite always runs the row path.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from billing.billers import update_biller_profile
from errors import InvalidInput
from models import Biller, OutboundMessage
from models.db import current_db
from scheduler.calendar import ContactCalendar, indian_holidays
from scheduler.dunning import run_dunning_pass
from tests.builders import make_bill

IST = ZoneInfo("Asia/Kolkata")
WB_HOLIDAY = "2027-01-12"


def ist(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=IST)


def place(session, biller: Biller, state: str) -> None:
    biller.skip_public_holidays, biller.holiday_state = True, state
    session.add(biller)
    session.commit()


def test_the_holiday_is_west_bengals_alone():
    day = datetime.fromisoformat(WB_HOLIDAY).date()
    assert day in indian_holidays(2027, "WB")
    assert day not in indian_holidays(2027) and day not in indian_holidays(2027, "MH")


@pytest.mark.parametrize("state_set", ["before the bills", "after the bills"])
@pytest.mark.parametrize("common_path", [True, False], ids=["sql-path", "row-path"])
def test_a_state_holiday_holds_reminders_in_that_state_only(app, session, api, other_api, common_path, state_set):
    if state_set == "before the bills":
        place(session, api.biller, "WB")
        place(session, other_api.biller, "MH")
    kolkata = make_bill(session, api.biller, due_date=WB_HOLIDAY)
    pune = make_bill(session, other_api.biller, due_date=WB_HOLIDAY)
    if state_set == "after the bills":  # bills already planned: the pass decides from the calendar as it is now
        place(session, api.biller, "WB")
        place(session, other_api.biller, "MH")

    def run(at: str) -> dict[int, list[int]]:
        with app.app_context():
            queued = run_dunning_pass(session_factory=current_db().new_session, now=ist(at), common_path=common_path)
        found: dict[int, list[int]] = {}
        for reminder in queued:
            found.setdefault(reminder.bill_id, []).append(reminder.step)
        return found

    assert run("2027-01-09T10:30") == {kolkata.id: [0], pune.id: [0]}  # 3 days before: a Saturday in both states
    assert run("2027-01-12T10:30") == {pune.id: [1]}  # due day: Maharashtra works, West Bengal is on holiday
    assert run("2027-01-13T09:30") == {kolkata.id: [1]}  # the next working day, at the start of contact hours
    session.expire_all()
    due_today = session.exec(select(OutboundMessage).where(OutboundMessage.template_key == "reminder_due_today")).all()
    assert sorted(message.bill_id for message in due_today) == sorted([kolkata.id, pune.id])


def test_without_holidays_skipped_the_state_changes_nothing(session, api):
    place(session, api.biller, "WB")
    api.biller.skip_public_holidays = False
    assert ContactCalendar(api.biller).allowed_day(datetime.fromisoformat(WB_HOLIDAY).date())


def test_the_state_must_be_one_the_holidays_package_knows(session, api):
    biller = api.biller
    profile = {
        "session": session,
        "biller": biller,
        "name": biller.name,
        "upi_vpa": biller.upi_vpa,
        "payee_name": biller.payee_name,
        "merchant_category_code": biller.merchant_category_code,
        "default_amount_exactness": biller.default_amount_exactness,
        "payment_apps": biller.payment_apps,
        "contact_hours_start": biller.contact_hours_start,
        "contact_hours_end": biller.contact_hours_end,
        "skip_sundays": False,
        "skip_public_holidays": True,
        "timezone": biller.timezone,
    }
    with pytest.raises(InvalidInput) as refused:
        update_biller_profile(**profile, holiday_state="XX")
    assert refused.value.field == "holiday_state"
    assert update_biller_profile(**profile, holiday_state="MH").holiday_state == "MH"
    assert update_biller_profile(**profile, holiday_state="").holiday_state is None
