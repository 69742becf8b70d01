"""What handlers and jobs need, passed in by the factory rather than imported as globals."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram.ext import CallbackContext, ExtBot

from bot.config import Settings

if TYPE_CHECKING:
    from bot.answers.acknowledge import AckBatcher
    from bot.answers.notices import AllAcknowledgedWatch
    from bot.reminders.rounds import Reminders

DEPS_KEY = "deps"


@dataclass(frozen=True)
class Deps:
    settings: Settings
    sessionmaker: async_sessionmaker[AsyncSession]
    clock: Callable[[], datetime]
    # Set when messages were queued: the dispatcher looks at once instead of at its next poll.
    outbox_wake: asyncio.Event
    # Đã nhận presses grouped into transactions, and the all-acknowledged check after them.
    acks: AckBatcher
    all_acknowledged: AllAcknowledgedWatch
    reminders: Reminders


Context = CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]


def get_deps(context: Context) -> Deps:
    return get_deps_from_app(context.bot_data)


def get_deps_from_app(bot_data: dict[Any, Any]) -> Deps:
    deps = bot_data[DEPS_KEY]
    assert isinstance(deps, Deps)
    return deps
