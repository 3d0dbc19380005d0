"""When a reminder may go: a biller's contact hours (never before 08:00 or after 19:00), Sundays, holidays."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays

from models import Biller

EARLIEST = time(8, 0)  # RBI fair practices: no contact before 08:00 …
LATEST = time(19, 0)  # … or after 19:00, whatever the biller configures


@cache
def indian_holidays(year: int, state: str | None = None) -> holidays.HolidayBase:
    """India's public holidays for a year, with a state's or union territory's own when one is named
    (the `holidays` package's subdivision codes: "WB", "MH"…)."""
    return holidays.country_holidays("IN", subdiv=state or None, years=year)


def indian_states() -> dict[str, str]:
    """The states and union territories the `holidays` package knows, code → English name, by name."""
    names: dict[str, str] = {}
    for name, code in holidays.India.subdivisions_aliases.items():
        if code in holidays.India.subdivisions and name.isascii() and not name.isupper():
            names.setdefault(code, name)
    return dict(sorted(names.items(), key=lambda item: item[1]))


class ContactCalendar:
    """One biller's allowed contact moments, in its own time zone."""

    def __init__(self, biller: Biller) -> None:
        self.zone = ZoneInfo(biller.timezone)
        self.start = max(biller.contact_hours_start, EARLIEST)
        self.end = min(biller.contact_hours_end, LATEST)
        if self.start >= self.end:
            self.start, self.end = EARLIEST, LATEST
        self.skip_sundays = biller.skip_sundays
        self.skip_holidays = biller.skip_public_holidays
        self.state = biller.holiday_state

    def allowed_day(self, day: date) -> bool:
        """Whether reminders may go on this day at all."""
        if self.skip_sundays and day.weekday() == 6:
            return False
        return not (self.skip_holidays and day in indian_holidays(day.year, self.state))

    def next_allowed(self, moment: datetime) -> datetime:
        """The moment itself if it is allowed, else the next allowed moment (never dropped)."""
        local = moment.astimezone(self.zone)
        day, clock = local.date(), local.time().replace(tzinfo=None)
        if clock < self.start:
            clock = self.start
        elif clock >= self.end:
            day, clock = day + timedelta(days=1), self.start
        for _ in range(60):
            if self.allowed_day(day):
                return datetime.combine(day, clock, tzinfo=self.zone).astimezone(UTC)
            day, clock = day + timedelta(days=1), self.start
        raise ValueError("no allowed contact day within 60 days")

    def is_allowed(self, moment: datetime) -> bool:
        """Whether a message may go at this moment."""
        return self.next_allowed(moment) == moment.astimezone(UTC)

    def at(self, day: date, clock: time) -> datetime:
        """A local wall-clock time on a day, as UTC, moved into the allowed hours."""
        return self.next_allowed(datetime.combine(day, clock, tzinfo=self.zone))
