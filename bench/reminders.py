#!/usr/bin/env python3
"""Reminder benchmark: how long the reminder clock takes to queue a round for
every agency of a big letter, and how long `/remind` takes.

A letter to N agencies (default 10,000) with one primary contact each is queued and marked
sent two hours ago, its first round due an hour ago; nobody has acknowledged. Then, timed:

1. one reminder tick (`Reminders.tick`), which queues the due round of every agency (N
   reminder messages, in transactions of 500 agencies), and
2. `/remind` for the same letter (`Reminders.remind_now`: N more messages in one
   transaction),

on SQLite and on PostgreSQL, 3 runs each on fresh databases. Only the queueing is timed:
sending is the dispatcher's, measured by bench/broadcast.py.

    python bench/reminders.py [--agencies 10000] [--runs 3] [--postgres URL | --no-postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from broadcast import bulk_roster, draft
from scratch_db import ScratchPostgres
from sqlalchemy import func, select, update

from bot.config import settings_from_mapping
from bot.delivery.drafts import create_directive, queue_broadcast, set_targets
from bot.reminders.rounds import Reminders
from db.migrate import upgrade
from db.models import (
    Delivery,
    DeliveryStatus,
    DirectiveStatus,
    MessageKind,
    MessageStatus,
    OutboundMessage,
    ReminderPhase,
    utcnow,
)
from db.session import make_engine, make_sessionmaker

ALL_DAY = {"working_hours": "00:00-24:00", "working_days": "mon-sun", "holidays": ""}


async def _letter_sent_to_all(sessionmaker, agencies: int) -> int:  # type: ignore[no-untyped-def]
    now = utcnow()
    async with sessionmaker.begin() as session:
        directive = await create_directive(
            session,
            draft(1),
            now=now,
            timezone=settings_from_mapping({}, "bench").reminders.timezone,
            created_by=None,
            status=DirectiveStatus.DRAFT,
        )
        await set_targets(session, directive, ["all"])
        await queue_broadcast(session, directive, now=now, actor_id=None)
        await session.execute(update(OutboundMessage).values(status=MessageStatus.SENT))
        await session.execute(
            update(Delivery).values(
                status=DeliveryStatus.SENT,
                sent_at=now - timedelta(hours=2),
                reminder_phase=ReminderPhase.ACK,
                next_reminder_at=now - timedelta(hours=1),
            )
        )
        return directive.id


async def _reminders_queued(sessionmaker) -> int:  # type: ignore[no-untyped-def]
    async with sessionmaker() as session:
        count = await session.scalar(
            select(func.count(OutboundMessage.id)).where(
                OutboundMessage.kind == MessageKind.REMINDER
            )
        )
        return int(count or 0)


async def one_run(db_url: str, agencies: int) -> tuple[float, float]:
    engine = make_engine(db_url)
    try:
        await upgrade(engine)
        sessionmaker = make_sessionmaker(engine)
        await bulk_roster(sessionmaker, agencies)
        directive_id = await _letter_sent_to_all(sessionmaker, agencies)
        settings = settings_from_mapping(
            {"database": {"url": db_url}, "reminders": {**ALL_DAY, "staff_digest_at": ""}},
            "bench",
        )
        reminders = Reminders(settings, sessionmaker, clock=utcnow, wake=lambda: None)
        started = time.perf_counter()
        await reminders.tick()
        tick = time.perf_counter() - started
        if (queued := await _reminders_queued(sessionmaker)) != agencies:
            raise RuntimeError(f"the tick queued {queued} reminders for {agencies} agencies")
        started = time.perf_counter()
        result = await reminders.remind_now(directive_id, staff_id=1)
        manual = time.perf_counter() - started
        if result is None or result.messages != agencies:
            raise RuntimeError(f"/remind queued {result} for {agencies} agencies")
        return tick, manual
    finally:
        await engine.dispose()


async def bench(label: str, make_url, agencies: int, runs: int) -> str:  # type: ignore[no-untyped-def]
    ticks, manuals = [], []
    for _ in range(runs):
        async with make_url() as url:
            tick, manual = await one_run(url, agencies)
        ticks.append(tick)
        manuals.append(manual)
    return (
        f"{label:<10} tick queuing {agencies} rounds: median {statistics.median(ticks):.2f} s"
        f" (min {min(ticks):.2f});  /remind for {agencies}: median"
        f" {statistics.median(manuals):.2f} s (min {min(manuals):.2f})"
    )


class _SqliteUrl:
    async def __aenter__(self) -> str:
        self._folder = tempfile.TemporaryDirectory()
        return f"sqlite+aiosqlite:///{Path(self._folder.name) / 'bench.db'}"

    async def __aexit__(self, *_: object) -> None:
        self._folder.cleanup()


class _PostgresUrl:
    def __init__(self, server: str) -> None:
        self._scratch = ScratchPostgres(server)

    async def __aenter__(self) -> str:
        return await self._scratch.create()

    async def __aexit__(self, *_: object) -> None:
        await self._scratch.drop()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--agencies", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgres", default=os.environ.get("AGENCY_BOT_TEST_POSTGRES"))
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    server = args.postgres or "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    print(await bench("SQLite", _SqliteUrl, args.agencies, args.runs))
    if not args.no_postgres:
        print(await bench("PostgreSQL", lambda: _PostgresUrl(server), args.agencies, args.runs))


if __name__ == "__main__":
    asyncio.run(main())
