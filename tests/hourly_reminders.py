"""A bot that reminds on an hourly cadence, shared by test_reminders.py and test_poison_rows.py:
`reminding_bot` (the bot on the example roster, first reminder an hour after a letter, then
one an hour, at most three, escalating after the first, working hours all day every day),
HOUR (the step the tests move its clock by) and `schedule` (an agency's reminders sent,
reminders scheduled and next reminder time). Both modules drive the reminder clock this way,
so these live here rather than in either test module."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.onboarding.roster import import_roster
from bot.runner import RunningBot, running_bot
from bot.sandbox import Sandbox
from db.models import Agency, Delivery
from tests.helpers import EXAMPLE_ROSTER, FAST, Clock, make_settings

HOUR = timedelta(hours=1)
CADENCE = {
    "first_after": "1h",
    "every": "1h",
    "max_count": 3,
    "escalate_after": 1,
    "working_hours": "00:00-24:00",
    "working_days": "mon-sun",
    "holidays": "",
    "staff_digest_at": "",
}


@asynccontextmanager
async def reminding_bot(
    sandbox: Sandbox, db_url: str, clock: Clock, **reminders: Any
) -> AsyncIterator[RunningBot]:
    settings = make_settings(sandbox, db_url, reminders={**CADENCE, **reminders})
    async with running_bot(settings, clock=clock, tuning=FAST) as bot:
        await import_roster(bot.sessionmaker, EXAMPLE_ROSTER)
        yield bot


async def schedule(bot: RunningBot, code: str) -> tuple[int, int, object]:
    """(reminders_sent, scheduled_reminders, next_reminder_at) of the agency's delivery."""
    async with bot.sessionmaker() as session:
        row = (
            await session.execute(
                select(
                    Delivery.reminders_sent, Delivery.scheduled_reminders, Delivery.next_reminder_at
                )
                .join(Agency, Agency.id == Delivery.agency_id)
                .where(Agency.code == code)
            )
        ).one()
        return row[0], row[1], row[2]
