"""The department's working clock: when a reminder may reach an officer.

Working minutes are the configured hours on the configured weekdays, minus the public
holidays of the configured country. Vietnam's Tết and Hùng Kings' day follow the lunar
calendar, so the maintained `holidays` package is used rather than a hand-kept list.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from bot.config import RemindersSettings, WorkingHours

# More than a year of consecutive days off would be a configuration mistake.
_MAX_DAYS_AHEAD = 400


class WorkingClock:
    def __init__(
        self,
        hours: WorkingHours,
        days: frozenset[int],
        timezone: ZoneInfo,
        holiday_country: str = "",
    ) -> None:
        if not days:
            raise ValueError("no working days")
        self.hours = hours
        self.days = days
        self.timezone = timezone
        self.holiday_country = holiday_country

    @classmethod
    def from_settings(cls, settings: RemindersSettings) -> WorkingClock:
        return cls(
            settings.working_hours, settings.working_days, settings.timezone, settings.holidays
        )

    @cached_property
    def _holidays(self) -> Any:
        if not self.holiday_country:
            return {}
        import holidays  # local: the package is large and only needed when holidays are on

        return holidays.country_holidays(self.holiday_country)

    def holiday_name(self, day: date) -> str | None:
        name = self._holidays.get(day)
        return None if name is None else str(name)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.days and day not in self._holidays

    def _window(self, day: date) -> tuple[datetime, datetime]:
        start = datetime.combine(day, self.hours.start, self.timezone)
        end = (
            datetime.combine(day + timedelta(days=1), time(0), self.timezone)
            if self.hours.end is None
            else datetime.combine(day, self.hours.end, self.timezone)
        )
        return start, end

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
