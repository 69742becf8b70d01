"""The pieces that keep the bot's loops alive: telling an outage from a bug, logging an outage
once, restarting a task that died anyway."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy.exc
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.metrics import Metrics
from bot.resilience import (
    DatabaseStatus,
    JobGuard,
    Supervisor,
    database_unavailable,
    until_written,
    wait_at_most,
)
from db.session import make_engine


async def _error_of(engine: AsyncEngine, sql: str) -> BaseException:
    try:
        async with engine.begin() as connection:
            await connection.execute(text(sql))
    except Exception as error:
        return error
    raise AssertionError(f"{sql} did not fail")


async def test_an_unreachable_server_is_an_outage_and_a_bad_statement_is_not(
    engine: AsyncEngine,
) -> None:
    refused = make_engine("postgresql+asyncpg://postgres@127.0.0.1:1/nothing")
    try:
        assert database_unavailable(await _error_of(refused, "SELECT 1"))
    finally:
        await refused.dispose()
    assert not database_unavailable(await _error_of(engine, "SELECT * FROM no_such_table"))
    assert not database_unavailable(
        await _error_of(engine, "INSERT INTO agencies (id) VALUES (NULL)")
    )
    locked = sqlalchemy.exc.OperationalError(
        "COMMIT", {}, sqlite3.OperationalError("database is locked")
    )
    assert database_unavailable(locked)
    assert not database_unavailable(ValueError("a bug"))


def test_an_outage_is_logged_once_and_its_end_once(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="bot.resilience")
    now = [0.0]
    metrics = Metrics()
    status = DatabaseStatus(metrics, clock=lambda: now[0])
    error = ConnectionRefusedError(111, "Connection refused")
    for where in ("dispatcher", "reminders", "dispatcher", "progress"):
        status.failed(where, error)
    now[0] = 8.0
    status.succeeded()
    status.succeeded()
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2
    assert lines[0].startswith("database unavailable (ConnectionRefusedError")
    assert lines[1] == "database available again after 8.0 s: resuming"
    rendered = metrics.render().decode()
    assert 'agency_bot_database_errors_total{where="dispatcher"} 2.0' in rendered
    assert "agency_bot_database_available 1.0" in rendered


async def test_a_task_that_dies_is_restarted_and_says_so(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.resilience.SUPERVISOR_FIRST_DELAY", 0.01)
    runs: list[int] = []
    done = asyncio.Event()

    async def flaky() -> None:
        runs.append(len(runs))
        if len(runs) < 3:
            raise RuntimeError("a bug in the loop")
        done.set()
        await asyncio.Event().wait()  # then runs for good

    supervisor = Supervisor()
    supervisor.spawn("flaky", flaky)
    try:
        await asyncio.wait_for(done.wait(), 10)
    finally:
        await supervisor.stop()
    assert supervisor.restarts == {"flaky": 2}
    messages = [r.getMessage() for r in caplog.records if r.name == "bot.resilience"]
    assert sum("task flaky died; restarting it" in m for m in messages) == 2
    assert sum(m == "task flaky restarted" for m in messages) == 2


async def test_a_write_waits_out_an_outage_and_a_bug_is_not_retried() -> None:
    status = DatabaseStatus(Metrics())
    attempts: list[int] = []

    async def comes_back() -> None:
        attempts.append(1)
        if len(attempts) < 3:
            raise ConnectionResetError("server closed the connection")

    assert await until_written(comes_back, status=status, where="test")
    assert len(attempts) == 3
    assert status.available

    async def bug() -> None:
        raise KeyError("oops")

    assert not await until_written(bug, status=status, where="test")


async def test_a_job_never_overlaps_itself() -> None:
    guard = JobGuard("test", DatabaseStatus(Metrics()))
    started: list[int] = []
    release = asyncio.Event()

    async def slow() -> None:
        started.append(1)
        await release.wait()

    for _ in range(5):
        guard.trigger(slow)
        await asyncio.sleep(0)
    release.set()
    await guard.stop()
    assert started == [1]


async def test_a_loop_waiting_on_an_event_stops_even_as_the_event_is_set() -> None:
    """The stop of a loop that waits for an event, at most an interval at a time, arrives
    just as the event is set: the loop must end (with asyncio.wait_for on Python 3.11 it
    went on for good, and so did the bot's stop)."""
    for _ in range(50):
        wake = asyncio.Event()

        async def loop(wake: asyncio.Event = wake) -> None:
            while True:
                await wait_at_most(0.05, wake.wait())
                wake.clear()

        task = asyncio.create_task(loop())
        await asyncio.sleep(0.01)
        wake.set()
        await asyncio.sleep(0)  # the wait is done; the loop has not run on yet
        task.cancel()
        done, _ = await asyncio.wait({task}, timeout=5)
        assert done == {task}
        assert task.cancelled()


async def test_a_wait_runs_out_quietly_and_an_event_ends_it_early() -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    await wait_at_most(0.05, asyncio.Event().wait())
    assert loop.time() - started >= 0.05
    wake = asyncio.Event()
    loop.call_soon(wake.set)
    await wait_at_most(None, wake.wait())
    assert wake.is_set()


def test_the_product_never_waits_with_asyncio_wait_for() -> None:
    """wait_at_most instead, everywhere: see why in its docstring."""
    root = Path(__file__).parent.parent
    users = [
        str(path.relative_to(root))
        for package in ("bot", "handlers", "db")
        for path in (root / package).rglob("*.py")
        if "asyncio.wait_for(" in path.read_text(encoding="utf-8")
    ]
    assert users == []
