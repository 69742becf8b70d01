"""What handlers and jobs need, passed in by the factory rather than imported as globals."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram.ext import CallbackContext, ExtBot

from bot.config import Settings

DEPS_KEY = "deps"


@dataclass(frozen=True)
class Deps:
    settings: Settings
    sessionmaker: async_sessionmaker[AsyncSession]
    clock: Callable[[], datetime]


Context = CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]


def get_deps(context: Context) -> Deps:
    deps = context.bot_data[DEPS_KEY]
    assert isinstance(deps, Deps)
    return deps
