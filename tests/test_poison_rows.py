"""Poison rows: dates and durations nobody can compute with never stop the clock (issue 12).

A deadline of 31/12/9999 or 01/01/0001 made the reminder clock raise OverflowError on every
tick, so no letter was reminded any more. Such dates are now refused where they are read;
one that is in the database anyway (written before, or by hand) is logged and skipped.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bot.delivery.directive_input import (
    DirectiveInputError,
    parse_broadcast_text,
    parse_relay_text,
    read_directive_file,
)
from bot.durations import parse_duration
from bot.runner import RunningBot
from bot.sandbox import Sandbox
from bot.telegram.arguments import parse_date
from db.models import Agency, Delivery, DeliveryStatus, Directive, ReminderPhase
from tests.helpers import Clock, eventually, join_officers, queue_letter
from tests.hourly_reminders import HOUR, reminding_bot, schedule

POISON_DATES = ["31/12/9999", "01/01/0001", "9999-12-31", "0001-01-01", "31/12/1999", "1/1/2101"]


async def test_a_row_the_clock_cannot_compute_is_skipped_and_the_others_are_reminded(
    sandbox: Sandbox, db_url: str, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    async with reminding_bot(sandbox, db_url, clock) as bot:
        officers = await join_officers(bot.sessionmaker, sandbox, ["so-y-te", "so-tai-chinh"])
        [poisoned], [healthy] = officers["so-y-te"], officers["so-tai-chinh"]
        acked = await queue_letter(
            bot,
            to=("so-y-te",),
            number="1/POISON",
            actions=("Đăng tin",),
            deadline=date(2030, 1, 10),
        )
        overdue = await queue_letter(
            bot,
            to=("so-y-te",),
            number="2/POISON",
            actions=("Đăng tin",),
            deadline=date(2030, 1, 10),
        )
        await queue_letter(bot, to=("so-tai-chinh",))
        await eventually(lambda: scheduled_count(bot), 3, timeout=10)
        letter = await poisoned.wait_for_message("1/POISON", where=lambda m: bool(m.buttons()))
        await poisoned.wait_for_message("2/POISON", where=lambda m: bool(m.buttons()))
        async with bot.sessionmaker.begin() as session:
            # Rows written before dates were bounded: the letter's deadline in year 9999, and
            # an agency chased for its report whose own deadline is in year 1.
            await session.execute(
                update(Directive).where(Directive.id == acked).values(deadline=date(9999, 12, 31))
            )
            await session.execute(
                update(Delivery)
                .where(Delivery.directive_id == overdue)
                .values(
                    status=DeliveryStatus.ACKNOWLEDGED,
                    acknowledged_at=clock() - HOUR,
                    reminder_phase=ReminderPhase.COMPLETION,
                    deadline=date(1, 1, 1),
                    next_reminder_at=clock() - timedelta(minutes=1),
                )
            )
        await poisoned.press(letter, "Đã nhận")
        await poisoned.wait_for_message("Đã nhận bởi")
        with caplog.at_level(logging.ERROR, logger="bot.reminders.rounds"):
            clock.advance(HOUR)
            await healthy.wait_for_message("Nhắc lần 1", timeout=10)
            assert (await schedule(bot, "so-tai-chinh"))[:2] == (1, 1)
            # Both poisoned rows were parked: no more reminders, and no error on every tick.
            await eventually(lambda: next_reminders(bot, "so-y-te"), [None, None], timeout=10)
        parked = [r for r in caplog.records if "cannot be scheduled" in r.getMessage()]
        assert len(parked) == 2
        assert not [m for m in poisoned.inbox if "Nhắc" in m.shown_text]


async def scheduled_count(bot: RunningBot) -> int:
    async with bot.sessionmaker() as session:
        rows = await session.scalars(
            select(Delivery.id).where(Delivery.next_reminder_at.is_not(None))
        )
        return len(rows.all())


async def next_reminders(bot: RunningBot, code: str) -> list[object]:
    async with bot.sessionmaker() as session:
        rows = await session.scalars(
            select(Delivery.next_reminder_at)
            .join(Agency, Agency.id == Delivery.agency_id)
            .where(Agency.code == code)
            .order_by(Delivery.id)
        )
        return list(rows.all())


@pytest.mark.parametrize("text", POISON_DATES)
def test_a_deadline_outside_2000_2100_is_refused_with_the_reason(text: str) -> None:
    with pytest.raises(DirectiveInputError) as refused:
        parse_broadcast_text(f"V/v thử\nHạn: {text}\nNội dung")
    assert refused.value.reason == "bad_deadline"
    with pytest.raises(DirectiveInputError):
        parse_relay_text(f"Hạn: {text}")
    assert parse_date(text) is None  # /deadline and Xin gia hạn


def test_dates_inside_the_bounds_are_read() -> None:
    assert parse_date("31/12/2100") == date(2100, 12, 31)
    assert parse_broadcast_text("V/v thử\nHạn: 01/01/2000\nx").deadline == date(2000, 1, 1)


@pytest.mark.parametrize("every", ["3000000d", "91d", "99999999999999999999w", "1" * 400 + "s"])
def test_a_reminder_interval_over_90_days_is_refused(every: str) -> None:
    with pytest.raises(DirectiveInputError) as refused:
        parse_broadcast_text(f"V/v thử\nNhắc lại: {every}\nNội dung")
    assert refused.value.reason == "bad_every"


def test_ninety_days_is_the_longest_interval() -> None:
    draft = parse_broadcast_text("V/v thử\nNhắc lại: 90d\nNội dung")
    assert draft.reminders.every == timedelta(days=90)


@pytest.mark.parametrize("text", ["99999999999999999999d", "1" * 400 + "s", "3651d"])
def test_a_huge_duration_is_a_value_error_not_an_overflow(text: str) -> None:
    with pytest.raises(ValueError, match="too long"):
        parse_duration(text)


@pytest.mark.parametrize(
    ("table", "error"),
    [
        ('deadline = "9999-12-31"', "deadline = '9999-12-31': not between the years 2000 and 2100"),
        ("deadline = 0001-01-01", "deadline = 0001-01-01: not between the years 2000 and 2100"),
        ('[reminders]\nevery = "3000000d"', "reminders.every = '3000000d'"),
        ("[reminders]\nmax_count = 1000000", "reminders.max_count = 1000000: not a whole number"),
    ],
)
def test_a_directive_file_out_of_bounds_is_refused(tmp_path: Path, table: str, error: str) -> None:
    path = tmp_path / "letter.toml"
    path.write_text(f'subject = "x"\n{table}\n', encoding="utf-8")
    with pytest.raises(DirectiveInputError) as refused:
        read_directive_file(path)
    assert any(e.startswith(error) for e in refused.value.errors), refused.value.errors
