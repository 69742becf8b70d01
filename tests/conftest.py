"""Shared fixtures: real databases (SQLite always, PostgreSQL when configured), the sandbox,
and the real Application talking to it over HTTP.

Databases are migrated once per test worker into a template (a SQLite file; a PostgreSQL
template database) and each test gets a copy: a migration costs a second, a copy a few
milliseconds.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.deps import Tuning
from bot.onboarding.roster import import_roster
from bot.runner import RunningBot, running_bot
from bot.sandbox import Sandbox
from db.migrate import upgrade
from db.session import make_engine, make_sessionmaker
from tests.helpers import (
    EXAMPLE_ROSTER,
    FAST,
    FAST_LIMITS,
    Clock,
    StartBot,
    make_settings,
    serve_website,
)

POSTGRES_ENV = "AGENCY_BOT_TEST_POSTGRES"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test marked `postgresql_only` (leadership, several instances, server outages) runs
    on PostgreSQL alone: its SQLite variant is deselected (and it does not run at all when
    the suite runs without PostgreSQL). One marked `one_database` is about what the
    database does not change (Telegram's pacing or failures, the browser's side of the
    dashboard): it runs once, on PostgreSQL when the suite has it, else on SQLite."""
    with_postgres = bool(os.environ.get(POSTGRES_ENV))
    keep: list[pytest.Item] = []
    drop: list[pytest.Item] = []
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_sqlite = callspec is not None and callspec.params.get("db_url") == "sqlite"
        once = with_postgres and item.get_closest_marker("one_database") is not None
        only_postgres = item.get_closest_marker("postgresql_only") is not None
        (drop if on_sqlite and (only_postgres or once) else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def _database_params() -> list[Any]:
    params: list[Any] = [pytest.param("sqlite", id="sqlite")]
    if os.environ.get(POSTGRES_ENV):
        params.append(pytest.param("postgresql", id="postgresql"))
    return params


def _server_dsn() -> str:
    server = make_url(os.environ[POSTGRES_ENV])
    return server.set(drivername="postgresql").render_as_string(hide_password=False)


def _database_url(name: str) -> str:
    return (
        make_url(os.environ[POSTGRES_ENV]).set(database=name).render_as_string(hide_password=False)
    )


async def _admin(sql: str) -> None:
    connection = await asyncpg.connect(_server_dsn())
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def _migrate(url: str) -> None:
    engine = make_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file at the newest migration, copied for each test."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    asyncio.run(_migrate(f"sqlite+aiosqlite:///{path}"))
    return path


class PostgresDatabases:
    """Each test's PostgreSQL database, a copy of the template made one test ahead in a
    thread of its own, and dropped there after the test: the test waits for neither
    (together about 70 ms a test)."""

    def __init__(self, template: str) -> None:
        self._template = template
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="databases")
        self._next = self._thread.submit(self._create)

    def _create(self) -> str:
        name = f"agency_bot_t_{uuid.uuid4().hex[:12]}"
        asyncio.run(_admin(f'CREATE DATABASE "{name}" TEMPLATE "{self._template}"'))
        return name

    @staticmethod
    def _drop(name: str) -> None:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    async def take(self) -> str:
        name = await asyncio.wrap_future(self._next)
        self._next = self._thread.submit(self._create)
        return name

    def give_back(self, name: str) -> None:
        self._thread.submit(self._drop, name)

    def close(self) -> None:
        self._thread.submit(self._drop, self._next.result())
        self._thread.shutdown(wait=True)


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[PostgresDatabases | None]:
    """Copies of a PostgreSQL database at the newest migration (None when the suite runs
    without PostgreSQL).

    When AGENCY_BOT_TEST_POSTGRES is set but unreachable, tests fail here: never a skip.
    """
    if not os.environ.get(POSTGRES_ENV):
        yield None
        return
    name = f"agency_bot_tmpl_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    try:
        asyncio.run(_migrate(_database_url(name)))
        databases = PostgresDatabases(name)
        try:
            yield databases
        finally:
            databases.close()
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=_database_params())
async def db_url(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    sqlite_template: Path,
    postgres_databases: PostgresDatabases | None,
) -> AsyncIterator[str]:
    """A fresh database at the newest migration: a SQLite file, or a PostgreSQL database
    (dropped after the test)."""
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copyfile(sqlite_template, path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    assert postgres_databases is not None
    name = await postgres_databases.take()
    try:
        yield _database_url(name)
    finally:
        postgres_databases.give_back(name)


@pytest.fixture(params=_database_params())
async def blank_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, empty database (no schema): for the tests of the migrations themselves."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'blank.db'}"
        return
    name = f"agency_bot_t_{uuid.uuid4().hex[:12]}"
    await _admin(f'CREATE DATABASE "{name}"')
    try:
        yield _database_url(name)
    finally:
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(db_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return make_sessionmaker(engine)


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    """The sandbox with Telegram's global limit and a per-chat limit that fits FAST."""
    async with Sandbox(limits=FAST_LIMITS) as sandbox:
        yield sandbox


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def start_bot(sandbox: Sandbox, db_url: str, clock: Clock) -> AsyncIterator[StartBot]:
    """Start the real bot, polling the sandbox, on this test's database; stopped after it.

    `start_bot(**sections)` overrides config sections (`reminders={...}`); `roster=False`
    leaves the database without the example roster; `tuning=` and `clock=` replace the
    FAST loops and the test's movable clock.
    """
    stack = AsyncExitStack()
    try:

        async def start(
            *,
            roster: bool = True,
            tuning: Tuning = FAST,
            bot_clock: Clock | None = None,
            **sections: Any,
        ) -> RunningBot:
            settings = make_settings(sandbox, db_url, **sections)
            bot = await stack.enter_async_context(
                running_bot(settings, clock=bot_clock or clock, tuning=tuning)
            )
            if roster:
                await import_roster(bot.sessionmaker, EXAMPLE_ROSTER)
            return bot

        yield start
    finally:
        await _stop_within(stack, STOP_SECONDS)


# A bot stops in well under a second; one that does not is stuck, and says where.
STOP_SECONDS = 60.0


async def _stop_within(stack: AsyncExitStack, seconds: float) -> None:
    """Stop the bots; if they are not stopped within `seconds`, fail with every task's stack
    (pytest-timeout would show only the threads, none of the event loop's tasks)."""
    stopping = asyncio.ensure_future(stack.aclose())
    done, _ = await asyncio.wait({stopping}, timeout=seconds)
    if done:
        stopping.result()
        return
    stuck = [
        f"  {task.get_name()}:\n{_awaiting(task)}"
        for task in asyncio.all_tasks()
        if task is not asyncio.current_task()
    ]
    stopping.cancel()
    raise AssertionError(f"the bot did not stop within {seconds:g} s; tasks:\n" + "".join(stuck))


def _awaiting(task: asyncio.Task[Any]) -> str:
    """Where a task waits: its whole chain of awaits, outermost first (a task's own stack
    shows only its outermost frame while it is suspended)."""
    lines: list[str] = []
    awaited: Any = task.get_coro()
    while awaited is not None and len(lines) < 40:
        frame = getattr(awaited, "cr_frame", None) or getattr(awaited, "ag_frame", None)
        if frame is None:
            lines.append(f"    awaits {awaited!r:.200}\n")
            break
        lines.append(f"    {frame.f_code.co_filename}:{frame.f_lineno} {frame.f_code.co_name}\n")
        awaited = getattr(awaited, "cr_await", None) or getattr(awaited, "ag_await", None)
    return "".join(lines)


@pytest.fixture
async def running(start_bot: StartBot) -> RunningBot:
    """The real bot on a database holding the example roster.

    Evidence checks may reach 127.0.0.1, where the tests serve the agencies' pages.
    """
    return await start_bot(evidence={"allow_private_addresses": True})


@pytest.fixture
async def website() -> AsyncIterator[str]:
    """An agency's website on 127.0.0.1 (tests.helpers.PAGES): its base URL."""
    async with serve_website() as url:
        yield url
