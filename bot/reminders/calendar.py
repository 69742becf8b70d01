"""The department's working clock: when a reminder may reach an officer, and how long a
cadence lasts.

Working minutes are the configured hours on the configured weekdays, minus the public
holidays of the configured country, minus the days the province gives off
(`extra_holidays`), plus the days it works although they are off (`extra_working_days`,
the make-up Saturdays). Vietnam's Tết and Hùng Kings' day follow the lunar calendar, so
the maintained `holidays` package is used rather than a hand-kept list.

A cadence counts working time, as an office does: under a day it is working hours ("every
4 h" from 15:30, with 07:30–17:00 hours, falls at 10:00 the next working day); a day or
more is whole working days at the same time of day ("24h" from Friday 10:00 falls on
Monday 10:00), and what is left over beyond whole days is working hours again.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from bot.config import RemindersSettings, WorkingHours

# More than a year of consecutive days off would be a configuration mistake.
_MAX_DAYS_AHEAD = 400
ONE_DAY = timedelta(days=1)
# Longer cadences are counted on the calendar: stepping day by day through years of working
# days for every agency of a round would stall the reminder clock for nothing.
_MAX_WORKING_DAYS = 366
EXTRA_HOLIDAY = "extra_holidays"


class WorkingClock:
    def __init__(
        self,
        hours: WorkingHours,
        days: frozenset[int],
        timezone: ZoneInfo,
        holiday_country: str = "",
        *,
        extra_holidays: frozenset[date] = frozenset(),
        extra_working_days: frozenset[date] = frozenset(),
    ) -> None:
        if not days and not extra_working_days:
            raise ValueError("no working days")
        self.hours = hours
        self.days = days
        self.timezone = timezone
        self.holiday_country = holiday_country
        self.extra_holidays = extra_holidays
        self.extra_working_days = extra_working_days

    @classmethod
    def from_settings(cls, settings: RemindersSettings) -> WorkingClock:
        return cls(
            settings.working_hours,
            settings.working_days,
            settings.timezone,
            settings.holidays,
            extra_holidays=settings.extra_holidays,
            extra_working_days=settings.extra_working_days,
        )

    @cached_property
    def _holidays(self) -> Any:
        if not self.holiday_country:
            return {}
        import holidays  # local: the package is large and only needed when holidays are on

        return holidays.country_holidays(self.holiday_country)

    def warm(self, around: datetime) -> None:
        """Load the holiday calendar of `around`'s year and the next now: importing it takes
        a few tenths of a second, which must not fall in the middle of a broadcast (the
        dispatcher asks the clock when each agency's first reminder falls due)."""
        for year in (around.year, around.year + 1):
            self.is_working_day(date(year, 1, 1))

    def holiday_name(self, day: date) -> str | None:
        """The national holiday's name, EXTRA_HOLIDAY for a day the province gives off, or
        None for a day that is not off (a make-up working day included)."""
        if day in self.extra_working_days:
            return None
        if day in self.extra_holidays:
            return EXTRA_HOLIDAY
        name = self._holidays.get(day)
        return None if name is None else str(name)

    def is_working_day(self, day: date) -> bool:
        if day in self.extra_working_days:
            return True
        if day in self.extra_holidays:
            return False
        return day.weekday() in self.days and day not in self._holidays

    def _window(self, day: date) -> tuple[datetime, datetime]:
        start = datetime.combine(day, self.hours.start, self.timezone)
        end = (
            datetime.combine(day + timedelta(days=1), time(0), self.timezone)
            if self.hours.end is None
            else datetime.combine(day, self.hours.end, self.timezone)
        )
        return start, end

    def _day_length(self) -> timedelta:
        start = datetime.combine(date(2000, 1, 3), self.hours.start)
        end = datetime.combine(date(2000, 1, 3), self.hours.end or time(0))
        return (end - start) % ONE_DAY or ONE_DAY

    def is_working(self, moment: datetime) -> bool:
        local = moment.astimezone(self.timezone)
        if not self.is_working_day(local.date()):
            return False
        start, end = self._window(local.date())
        return start <= local < end

    def next_working(self, moment: datetime) -> datetime:
        """`moment` if it is a working minute, else the start of the next working period."""
        local = moment.astimezone(self.timezone)
        day = local.date()
        for _ in range(_MAX_DAYS_AHEAD):
            if self.is_working_day(day):
                start, end = self._window(day)
                if local < end:
                    return max(local, start).astimezone(moment.tzinfo)
            day += timedelta(days=1)
        raise ValueError("no working minute within a year: check working_days and holidays")

    def after(self, moment: datetime, duration: timedelta) -> datetime:
        """When a cadence of `duration` started at `moment` falls due, in working time."""
        if duration <= timedelta(0):
            return moment
        if duration < ONE_DAY:
            return self._plus_working_time(moment, duration)
        days, rest = divmod(duration, ONE_DAY)
        if days > _MAX_WORKING_DAYS:
            return self.next_working(moment + duration)
        due = self._plus_working_days(moment, days)
        return self._plus_working_time(due, rest) if rest else due

    def _plus_working_time(self, moment: datetime, duration: timedelta) -> datetime:
        """`duration` of working hours after `moment` (from the next working minute)."""
        local = self.next_working(moment).astimezone(self.timezone)
        remaining = duration
        # Each step but the last uses up one working day's whole window.
        for _ in range(int(duration / self._day_length()) + 2):
            end = self._window(local.date())[1]
            if remaining < end - local:
                return (local + remaining).astimezone(moment.tzinfo)
            remaining -= end - local
            local = self.next_working(end).astimezone(self.timezone)
        raise ValueError("no working minute within a year: check working_days and holidays")

    def _plus_working_days(self, moment: datetime, days: int) -> datetime:
        """`days` working days after `moment` (from the next working minute), same time."""
        start = self.next_working(moment).astimezone(self.timezone)
        day = start.date()
        for _ in range(days):
            day = self.working_day_after(day)
        due = datetime.combine(day, start.time(), self.timezone)
        return self.next_working(due).astimezone(moment.tzinfo)

    def working_day_after(self, day: date) -> date:
        """The first working day strictly after `day`."""
        for _ in range(_MAX_DAYS_AHEAD):
            day += timedelta(days=1)
            if self.is_working_day(day):
                return day
        raise ValueError("no working day within a year: check working_days and holidays")

    def working_day_before(self, day: date) -> date:
        """The last working day strictly before `day`."""
        for _ in range(_MAX_DAYS_AHEAD):
            day -= timedelta(days=1)
            if self.is_working_day(day):
                return day
        raise ValueError("no working day within a year: check working_days and holidays")

    def start_of(self, day: date) -> datetime:
        """When work starts on `day` (a working day)."""
        return self._window(day)[0]

    def end_of_day(self, day: date) -> datetime:
        """Midnight after `day`, local: the moment a deadline on `day` has passed."""
        return datetime.combine(day + timedelta(days=1), time(0), self.timezone)

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.timezone).date()

    def after_working(self, moment: datetime, duration: timedelta) -> datetime:
        """`duration` of working time after `moment`: whole days count working days (the
        same time on the Nth working day after), the rest counts working minutes. A moment
        outside working hours starts at the next working minute."""
        at = self.next_working(moment).astimezone(self.timezone)
        for _ in range(duration.days):
            day = at.date() + timedelta(days=1)
            for _ in range(_MAX_DAYS_AHEAD):
                if self.is_working_day(day):
                    break
                day += timedelta(days=1)
            else:
                raise ValueError("no working day within a year: check working_days and holidays")
            at = self.next_working(datetime.combine(day, at.time(), self.timezone))
        remaining = duration - timedelta(days=duration.days)
        for _ in range(_MAX_DAYS_AHEAD):
            at = self.next_working(at).astimezone(self.timezone)
            end = self._window(at.date())[1]
            if remaining <= end - at:
                return (at + remaining).astimezone(moment.tzinfo)
            remaining -= end - at
            at = end
        raise ValueError("no working minute within a year: check working_days and holidays")
