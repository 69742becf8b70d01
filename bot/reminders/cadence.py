"""How often a directive's agencies are chased, and when the next round falls.

Cadences count working time (`WorkingClock.after`): "every 4 h" is four working hours,
"24h" one working day. The reminder tick only sends during working minutes, so a round due
outside them (a deadline's midnight) goes out at the next working minute, and one that fell
due while the bot was down goes out once when it is back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.config import RemindersSettings
from bot.reminders.calendar import WorkingClock
from db.models import Directive, Urgency


@dataclass(frozen=True)
class Cadence:
    first_after: timedelta
    every: timedelta
    max_count: int
    escalate_after: int


def cadence_for(directive: Directive, settings: RemindersSettings) -> Cadence:
    """The urgency's preset (`[reminders]`, `.khan`, `.hoa-toc`), then the letter's own keys."""
    first_after, every, max_count = settings.first_after, settings.every, settings.max_count
    preset = {Urgency.KHAN: settings.khan, Urgency.HOA_TOC: settings.hoa_toc}.get(directive.urgency)
    if preset is not None:
        first_after, every = preset.first_after, preset.every
        if preset.max_count is not None:
            max_count = preset.max_count
    if directive.reminder_first_after_s is not None:
        first_after = timedelta(seconds=directive.reminder_first_after_s)
    if directive.reminder_every_s is not None:
        every = timedelta(seconds=directive.reminder_every_s)
    if directive.reminder_max_count is not None:
        max_count = directive.reminder_max_count
    return Cadence(first_after, every, max_count, settings.escalate_after)


def requires_report(
    directive: Directive, items_mask: int | None = None, own_deadline: date | None = None
) -> bool:
    """Receiving is not doing: a letter with requested actions, items or a deadline wants a
    report; of an agency (`items_mask` given), unless the letter's items ask nothing of it
    (sent for information), or when it has a deadline of its own."""
    if own_deadline is not None:
        return True
    if directive.items and items_mask == 0:
        return False
    return bool(directive.actions) or bool(directive.items) or directive.deadline is not None


def completion_due(
    clock: WorkingClock, deadline: date | None, cadence: Cadence, at: datetime, *, first: bool
) -> datetime:
    """When an acknowledged agency that has not reported is next chased for its report.

    With a deadline: one working day before it, then from the day after it every `every`.
    Without one (only requested actions): `first_after` after the acknowledgement, then
    every `every`. Both in working time.
    """
    if deadline is None:
        return clock.after(at, cadence.first_after if first else cadence.every)
    day_before = clock.start_of(clock.working_day_before(deadline))
    overdue_from = clock.end_of_day(deadline)
    if at < day_before:
        return day_before
    if at < overdue_from:
        return overdue_from
    return clock.after(at, cadence.every)
