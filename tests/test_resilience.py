"""The pieces that keep the bot's loops alive: telling an outage from a bug, logging an outage
once, restarting a task that died anyway."""

from __future__ import annotations

import asyncio
import logging
import sqlite3

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
