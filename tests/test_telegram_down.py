"""Telegram itself failing for a while (5xx): the bot probes instead of hammering, gives no
message up for it, and sends everything once Telegram answers again."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from bot.sandbox import Sandbox
from db.models import OutboundMessage
from tests.helpers import FAST, NUMBER, StartBot, eventually, join_officers, queue_letter

CODES = ["so-y-te", "dai-ptth", "bao-soc-trang", "hoi-vhnt", "so-khcn", "so-gddt"]
# How long Telegram answers 502: a fault's duration, scaled down from minutes with the
# bot's probes (a quarter second, doubling) and each message's own retries (see the test).
DOWN_SECONDS = 1.5


@pytest.mark.one_database
async def test_a_telegram_outage_loses_nothing(
    start_bot: StartBot, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A message's own retries, 80 times faster: six attempts (0.8 s at most) fit inside
    # the outage, as they fit inside a two-minute one at full scale.
    monkeypatch.setattr("bot.delivery.dispatcher.BACKOFF_BASE_SECONDS", 0.0125)
    bot = await start_bot(tuning=replace(FAST, telegram_probe=0.25))
    officers = await join_officers(bot.sessionmaker, sandbox, CODES)
    sandbox.faults.add("sendMessage", status=502, times=1_000_000)
    await queue_letter(bot, to=tuple(CODES))
    await sandbox.wait_for("sendMessage", count=len(CODES), timeout=10)
    await asyncio.sleep(DOWN_SECONDS)  # Telegram stays down (see DOWN_SECONDS)
    during = len([c for c in sandbox.calls if c.method == "sendMessage"])
    sandbox.faults.clear()

    for users in officers.values():
        await users[0].wait_for_message(NUMBER, timeout=60)

    async def failed() -> int:
        async with bot.sessionmaker() as session:
            count = await session.scalar(
                select(func.count(OutboundMessage.id)).where(OutboundMessage.status == "failed")
            )
        return int(count or 0)

    assert await failed() == 0
    # One try each, then a probe at a time (1 s, 2 s, 4 s apart): not every message's
    # retries over and over.
    assert during <= len(CODES) + 6
    await eventually(failed, 0)
