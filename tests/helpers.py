"""Helpers shared by the tests: settings pointing at the sandbox, a settable clock, waiting."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import OffsetClock
from bot.config import Settings, settings_from_mapping
from bot.onboarding.invites import create_invite
from bot.onboarding.joining import Joiner, JoinResult, redeem_invite
from bot.sandbox import Sandbox, SentMessage, SimUser

EXAMPLE_ROSTER = Path(__file__).parent.parent / "examples" / "agencies.csv"
ADMIN_ID = 900001


def make_settings(sandbox: Sandbox, db_url: str, **overrides: Any) -> Settings:
    data: dict[str, Any] = {
        "telegram": {"token": sandbox.token, "api_base_url": sandbox.base_url},
        "database": {"url": db_url},
        "staff": {"admins": [ADMIN_ID]},
        # No daily digest unless a test asks: it would depend on the time of day the suite runs.
        "reminders": {"staff_digest_at": ""},
    }
    for section, values in overrides.items():
        data.setdefault(section, {}).update(values)
    return settings_from_mapping(data, "test")


# The bot's clock: real time, which a test can move forward instead of waiting.
Clock = OffsetClock


async def eventually(
    probe: Callable[[], Awaitable[object]], expected: object, timeout: float = 5.0
) -> None:
    """Wait until `probe()` returns `expected`, with a deadline.

    For state the bot changes without answering (a my_chat_member update): there is no
    message to wait for, so the database is read until it shows the change.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while (value := await probe()) != expected:
        if loop.time() > deadline:
            raise TimeoutError(f"still {value!r} after {timeout}s, expected {expected!r}")
        await asyncio.sleep(0.02)


async def join_officers(
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox: Sandbox,
    codes: list[str],
    *,
    per_agency: int = 1,
) -> dict[str, list[SimUser]]:
    """Officers for these agencies, joined through real invites (without the chat round trip)."""
    officers: dict[str, list[SimUser]] = {}
    now = datetime.now(UTC)
    for code in codes:
        for n in range(per_agency):
            user = sandbox.add_user(f"Cán bộ {code} {n + 1}")
            async with sessionmaker.begin() as session:
                invite = await create_invite(session, agency_code=code, now=now)
                outcome = await redeem_invite(
                    session, invite.token, Joiner(user.id, user.first_name, None), now
                )
            assert outcome.result == JoinResult.JOINED, outcome
            officers.setdefault(code, []).append(user)
    return officers


def directive_messages(user: SimUser, number: str) -> list[SentMessage]:
    """The messages of directive `number` in a user's chat (every part of it)."""
    return [m for m in user.inbox if number in m.shown_text or "(tiếp theo" in m.shown_text]
