"""PostgreSQL going away under a running bot: the bot pauses, never stops.

The same bot process, never restarted, finishes what it was sending once the database is
back; what Telegram had already answered is recorded, not sent again; an officer who presses
a button meanwhile is asked to try again and nothing is claimed as recorded.
"""

from __future__ import annotations

import asyncio
import logging
import time

import httpx
import pytest
from sqlalchemy import select

from bot.runner import RunningBot
from bot.sandbox import Sandbox, SimUser
from db.models import Delivery
from tests.helpers import (
    NUMBER,
    TOP_LEVEL,
    DatabaseOutage,
    StartBot,
    answer_to,
    copies_per_chat,
    eventually,
    join_officers,
    letter,
    message_statuses,
    ok_sends,
    queue_letter,
)

pytestmark = pytest.mark.postgresql_only

# How long the database stays away: long enough for every lease and every backoff to run
# out at least once. The fault's duration, not a wait for the bot.
OUTAGE_SECONDS = 8.0


async def _officers(bot: RunningBot, sandbox: Sandbox, per_agency: int = 2) -> list[SimUser]:
    joined = await join_officers(bot.sessionmaker, sandbox, TOP_LEVEL, per_agency=per_agency)
    return [user for users in joined.values() for user in users]


def _outage_lines(caplog: pytest.LogCaptureFixture) -> tuple[int, int]:
    messages = [r.getMessage() for r in caplog.records if r.name == "bot.resilience"]
    return (
        sum("database unavailable" in m for m in messages),
        sum("database available again" in m for m in messages),
    )


async def test_a_broadcast_goes_on_after_a_database_outage(
    start_bot: StartBot, sandbox: Sandbox, db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    sandbox.latency = 0.05
    # At Telegram's rate: the outage falls mid-broadcast.
    bot = await start_bot(broadcast={"rate_per_second": 30})
    officers = await _officers(bot, sandbox)
    await queue_letter(bot)
    await sandbox.wait_for("sendMessage", count=20, ok=True, timeout=15)
    early = next(user for user in officers if user.inbox)
    its_letter = await letter(early)

    outage = DatabaseOutage(db_url)
    await outage.start()
    began = time.monotonic()
    try:
        press = await early.press(its_letter, "Đã nhận")
        assert "thử lại sau ít phút" in await answer_to(sandbox, press)
        async with httpx.AsyncClient(base_url=bot.web_url) as client:
            ready = await client.get("/readyz")
            alive = await client.get("/healthz")
        assert (ready.status_code, alive.status_code) == (503, 200)
        assert ready.text.startswith("database unavailable")
        await asyncio.sleep(OUTAGE_SECONDS)  # the outage itself (see OUTAGE_SECONDS)
    finally:
        await outage.end()
    ended = time.monotonic()

    for user in officers:
        await user.wait_for_message(NUMBER, timeout=60)
    await eventually(
        lambda: message_statuses(bot.sessionmaker), {"sent": len(officers)}, timeout=30
    )
    answered_meanwhile = len(ok_sends(sandbox, until=ended)) - len(ok_sends(sandbox, until=began))
    copies = copies_per_chat(officers, NUMBER)
    duplicates = sum(n - 1 for n in copies.values())
    assert min(copies.values()) == 1
    assert duplicates <= answered_meanwhile
    assert len(ok_sends(sandbox, until=began)) < len(officers)  # the outage fell mid-broadcast

    # The press in the outage recorded nothing; pressed again, it counts.
    async with bot.sessionmaker() as session:
        acknowledged = (await session.scalars(select(Delivery.acknowledged_at))).all()
    assert set(acknowledged) == {None}
    again = await early.press(its_letter, "Đã nhận")
    assert "Đã ghi nhận" in await answer_to(sandbox, again)
    unavailable, available = _outage_lines(caplog)
    assert unavailable >= 1
    assert unavailable == available  # each outage: one line when it starts, one when it ends


async def test_the_leader_lock_connection_cut_alone_sends_nothing_twice(
    start_bot: StartBot, sandbox: Sandbox, db_url: str
) -> None:
    """The connection holding the leader lock dies (its backend is terminated) while the
    others live: the bot takes the lock again and goes on; what it had claimed is still
    its own to send, so nothing goes twice."""
    sandbox.latency = 0.05
    # Slow enough that the broadcast is still going when the cut is noticed.
    bot = await start_bot(broadcast={"rate_per_second": 10})
    officers = await _officers(bot, sandbox, per_agency=1)
    await queue_letter(bot)
    await sandbox.wait_for("sendMessage", count=20, ok=True, timeout=15)
    leadership = bot.deps.leadership
    first_pid = leadership.lock_pid
    assert first_pid is not None
    await DatabaseOutage(db_url).terminate(first_pid)

    for user in officers:
        await user.wait_for_message(NUMBER, timeout=60)
    await eventually(
        lambda: message_statuses(bot.sessionmaker), {"sent": len(officers)}, timeout=30
    )
    assert set(copies_per_chat(officers, NUMBER).values()) == {1}
    assert leadership.is_leader
    assert leadership.lock_pid not in (None, first_pid)
