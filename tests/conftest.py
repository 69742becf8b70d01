"""Shared fixtures: real databases (SQLite always, PostgreSQL when configured), the sandbox,
and the real Application talking to it over HTTP."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.onboarding.roster import import_roster
from bot.runner import RunningBot, running_bot
from bot.sandbox import RateLimits, Sandbox
from db.migrate import upgrade
from db.session import make_engine, make_sessionmaker
from tests.helpers import EXAMPLE_ROSTER, Clock, make_settings

POSTGRES_ENV = "AGENCY_BOT_TEST_POSTGRES"


def _database_params() -> list[Any]:
    params: list[Any] = [pytest.param("sqlite", id="sqlite")]
    if os.environ.get(POSTGRES_ENV):
        params.append(pytest.param("postgresql", id="postgresql"))
    return params


@pytest.fixture(params=_database_params())
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, empty database: a SQLite file, or a new PostgreSQL database dropped after.

    When AGENCY_BOT_TEST_POSTGRES is set but unreachable, tests fail here: never a skip.
    """
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        return
    server = make_url(os.environ[POSTGRES_ENV])
    name = f"agency_bot_t_{uuid.uuid4().hex[:12]}"
    dsn = server.set(drivername="postgresql").render_as_string(hide_password=False)
    admin = await asyncpg.connect(dsn)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(db_url)
    await upgrade(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return make_sessionmaker(engine)


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    """The sandbox with Telegram's limits; a private chat may burst up to 10 messages.

    Tests converse faster than people do: a window of 10 s keeps the average of one message
    per second per chat without making every test wait out a 3-message burst.
    """
    async with Sandbox(limits=RateLimits(per_chat_per_second=1, per_chat_window=10)) as sandbox:
        yield sandbox


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def running(sandbox: Sandbox, db_url: str, clock: Clock) -> AsyncIterator[RunningBot]:
    """The real bot, polling the sandbox, on a database holding the example roster.

    Evidence checks may reach 127.0.0.1, where the tests serve the agencies' pages.
    """
    settings = make_settings(sandbox, db_url, evidence={"allow_private_addresses": True})
    async with running_bot(settings, clock=clock) as bot:
        await import_roster(bot.sessionmaker, EXAMPLE_ROSTER)
        yield bot
