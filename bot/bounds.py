"""How far dates and durations typed by people may reach.

A deadline of 31/12/9999 or 01/01/0001 is a valid `date`, but the reminder clock adds days
to it and Python's dates stop at year 9999 and start at year 1: the OverflowError stopped
every tick for every letter. So dates and reminder intervals are bounded where they are read,
and the clock skips (and logs) a row that got past anyway.
"""

from __future__ import annotations

from datetime import date, timedelta

FIRST_YEAR = 2000
LAST_YEAR = 2100
# A letter chased less often than every 90 days is not chased.
MAX_REMINDER_INTERVAL = timedelta(days=90)
# As `[reminders] max_count` in the config: a letter's own count cannot chase an agency more.
MAX_REMINDER_COUNT = 100


def plausible_date(value: date) -> bool:
    """A date a letter's deadline can be: between FIRST_YEAR and LAST_YEAR."""
    return FIRST_YEAR <= value.year <= LAST_YEAR


def plausible_interval(value: timedelta) -> bool:
    return value <= MAX_REMINDER_INTERVAL
