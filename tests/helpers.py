"""Helpers shared by the tests: settings pointing at the sandbox, a settable clock, waiting."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.config import Settings, settings_from_mapping
from bot.sandbox import Sandbox

EXAMPLE_ROSTER = Path(__file__).parent.parent / "examples" / "agencies.csv"
ADMIN_ID = 900001


def make_settings(sandbox: Sandbox, db_url: str, **overrides: Any) -> Settings:
    data: dict[str, Any] = {
        "telegram": {"token": sandbox.token, "api_base_url": sandbox.base_url},
        "database": {"url": db_url},
        "staff": {"admins": [ADMIN_ID]},
    }
    for section, values in overrides.items():
        data.setdefault(section, {}).update(values)
    return settings_from_mapping(data, "test")


class Clock:
    """A settable clock for the bot: tests move time instead of waiting for it."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


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
