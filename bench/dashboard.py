#!/usr/bin/env python3
"""Dashboard benchmark: a letter's page < 300 ms and the letters list < 100 ms at 10,000
agencies, and the live counts costing one aggregate per letter per interval.

A scratch database (a temporary SQLite file, and a PostgreSQL database of its own that is
dropped after) is filled as bench/report.py fills it: N agencies (default 10,000) with their
contacts, one letter to all of them and a realistic campaign's answers and events. Then the
real bot runs on it (bot.runner.running_bot, the sandbox for Telegram) and a staff member
signs in through a one-time link, as /web gives it. Timed over HTTP, from the request to
the last byte of the answer (the session check, the queries, the template):

- the letter's page, the first 100 rows of its agency table (its counts, roll-up, filters);
- the same page searched ("?q=…") and sorted by status, the second table page;
- the letters list (/app).

Then `--browsers` signed-in browsers (default 50) poll the letter's live counts every
second for `--seconds` (default 10): the number of aggregate queries run (the live
cache's loads) is counted, and every SQL statement the server ran meanwhile.

    python bench/dashboard.py [--agencies 10000] [--contacts-per-agency 3] [--repeat 20]
                              [--browsers 50] [--seconds 10]
                              [--postgres URL | --no-postgres] [--no-sqlite] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from report import seed
from scratch_db import ScratchPostgres, asyncpg_url
from sqlalchemy import event

import db.queries.dashboard as dashboard_queries
from bot.config import settings_from_mapping
from bot.runner import RunningBot, running_bot
from bot.sandbox import RateLimits, Sandbox
from bot.web.app import web_app_of
from bot.web.dashboard.signin import create_link
from bot.web.dashboard.state import DASHBOARD
from db.migrate import upgrade
from db.session import make_engine, make_sessionmaker

LETTER_TARGET_MS = 300.0
LIST_TARGET_MS = 100.0
POSTGRES_ENV = "AGENCY_BOT_TEST_POSTGRES"
DEFAULT_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
ADMIN = 990_100_001


@dataclass(frozen=True)
class Timing:
    p50_ms: float
    max_ms: float


@dataclass(frozen=True)
class Polling:
    browsers: int
    seconds: float
    requests: int
    aggregates: int
    """Live-count aggregates the server ran (the cache's loads)."""
    expected: int
    """One per interval of the live cache, for the one letter."""
    statements: int
    """Every SQL statement the server ran meanwhile (the session checks, the bot's loops)."""
    interval: float
    """How long the running bot's live cache keeps a letter's counts."""


@dataclass(frozen=True)
class DatabaseResult:
    setup_seconds: float
    agencies: int
    letter_page: Timing
    letter_searched: Timing
    letter_sorted_page_2: Timing
    letters_list: Timing
    polling: Polling

    @property
    def ok(self) -> bool:
        return (
            self.letter_page.p50_ms < LETTER_TARGET_MS
            and self.letters_list.p50_ms < LIST_TARGET_MS
            and self.polling.aggregates <= self.polling.expected + 1
        )


@dataclass(frozen=True)
class Skipped:
    skipped: str


@dataclass
class Report:
    agencies: int
    databases: dict[str, DatabaseResult | Skipped] = field(default_factory=dict)


async def _time(call: Callable[[], Awaitable[object]], repeat: int) -> Timing:
    await call()  # warm-up: connections, statement caches, the template
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        await call()
        times.append(1000 * (time.perf_counter() - started))
    return Timing(statistics.median(times), max(times))


async def _signed_in(bot: RunningBot) -> httpx.AsyncClient:
    link = await create_link(bot.sessionmaker, ADMIN, bot.web_url, bot.deps.clock())
    client = httpx.AsyncClient(base_url=bot.web_url, timeout=30)
    answer = await client.get(link)
    answer.raise_for_status()
    return client


async def _get(client: httpx.AsyncClient, path: str, **params: str) -> None:
    answer = await client.get(path, params=params)
    answer.raise_for_status()
    await answer.aread()


async def _poll(bot: RunningBot, directive_id: int, browsers: int, seconds: float) -> Polling:
    """N browsers polling every second; the aggregates and statements counted meanwhile."""
    clients = [await _signed_in(bot) for _ in range(browsers)]
    loads = 0
    real = dashboard_queries.live_counts

    async def counted(*args: Any, **kwargs: Any) -> dashboard_queries.LiveCounts:
        nonlocal loads
        loads += 1
        return await real(*args, **kwargs)

    statements = 0

    def on_statement(*_: object) -> None:
        nonlocal statements
        statements += 1

    requests = 0
    deadline = time.perf_counter() + seconds

    async def browser(client: httpx.AsyncClient, offset: float) -> None:
        nonlocal requests
        await asyncio.sleep(offset)  # the browsers opened the page at different moments
        while time.perf_counter() < deadline:
            await _get(client, f"/app/letters/{directive_id}/live")
            requests += 1
            await asyncio.sleep(1.0)

    engine = bot.engine.sync_engine
    dashboard_queries.live_counts = counted
    event.listen(engine, "before_cursor_execute", on_statement)
    try:
        await asyncio.gather(*(browser(c, n / browsers) for n, c in enumerate(clients)))
    finally:
        event.remove(engine, "before_cursor_execute", on_statement)
        dashboard_queries.live_counts = real
        for client in clients:
            await client.aclose()
    interval = web_app_of(bot.application.bot_data)[DASHBOARD].live.interval
    expected = int(seconds // interval) + 1
    return Polling(browsers, seconds, requests, loads, expected, statements, interval)


async def bench_database(
    db_url: str, agencies: int, per_agency: int, repeat: int, browsers: int, seconds: float
) -> DatabaseResult:
    engine = make_engine(db_url)
    try:
        await upgrade(engine)
        started = time.perf_counter()
        directive_id, _, _ = await seed(make_sessionmaker(engine), agencies, per_agency)
        setup = time.perf_counter() - started
    finally:
        await engine.dispose()
    async with Sandbox(
        limits=RateLimits(global_per_second=None, per_chat_per_second=None)
    ) as sandbox:
        settings = settings_from_mapping(
            {
                "telegram": {"token": sandbox.token, "api_base_url": sandbox.base_url},
                "database": {"url": db_url},
                "staff": {"admins": [ADMIN]},
                "web": {"port": 0},
            },
            "bench",
        )
        async with running_bot(settings) as bot:
            client = await _signed_in(bot)
            page = f"/app/letters/{directive_id}"
            try:
                letter = await _time(lambda: _get(client, page), repeat)
                searched = await _time(lambda: _get(client, page, q="00042"), repeat)
                sorted_2 = await _time(
                    lambda: _get(client, page, sort="status", dir="desc", page="1"), repeat
                )
                listing = await _time(lambda: _get(client, "/app"), repeat)
            finally:
                await client.aclose()
            polling = await _poll(bot, directive_id, browsers, seconds)
    return DatabaseResult(setup, agencies, letter, searched, sorted_2, listing, polling)


async def bench_postgres(server_url: str, *sizes: Any) -> DatabaseResult | Skipped:
    shown = asyncpg_url(server_url).render_as_string(hide_password=True)
    scratch = ScratchPostgres(server_url)
    try:
        try:
            db_url = await scratch.create()
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            return Skipped(f"{shown}: {type(exc).__name__}: {exc}".strip())
        return await bench_database(db_url, *sizes)
    finally:
        await scratch.drop()


def _verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def render_text(report: Report) -> str:
    lines = [f"Dashboard benchmark: {report.agencies} agencies, one letter to all"]
    for name, result in report.databases.items():
        if isinstance(result, Skipped):
            lines.append(f"\n{name}: skipped ({result.skipped})")
            continue
        p = result.polling
        lines += [
            f"\n{name} (seeded in {result.setup_seconds:.1f} s)",
            f"  letter page, first 100 rows  p50 {result.letter_page.p50_ms:7.1f} ms"
            f"  max {result.letter_page.max_ms:7.1f} ms"
            f"  target < {LETTER_TARGET_MS:.0f} ms: "
            f"{_verdict(result.letter_page.p50_ms < LETTER_TARGET_MS)}",
            f"  letter page, searched        p50 {result.letter_searched.p50_ms:7.1f} ms"
            f"  max {result.letter_searched.max_ms:7.1f} ms",
            f"  letter page, by status, p. 2 p50 {result.letter_sorted_page_2.p50_ms:7.1f} ms"
            f"  max {result.letter_sorted_page_2.max_ms:7.1f} ms",
            f"  letters list                 p50 {result.letters_list.p50_ms:7.1f} ms"
            f"  max {result.letters_list.max_ms:7.1f} ms"
            f"  target < {LIST_TARGET_MS:.0f} ms: "
            f"{_verdict(result.letters_list.p50_ms < LIST_TARGET_MS)}",
            f"  live counts: {p.browsers} browsers, {p.requests} polls in {p.seconds:.0f} s:"
            f" {p.aggregates} aggregate queries (one per {p.interval:.0f} s interval:"
            f" ≤ {p.expected}) — {_verdict(p.aggregates <= p.expected + 1)};"
            f" {p.statements} statements in all (session checks, the bot's own loops)",
        ]
    return "\n".join(lines)


def render_json(report: Report) -> str:
    data = {
        "agencies": report.agencies,
        "databases": {
            name: asdict(result) | ({"ok": result.ok} if isinstance(result, DatabaseResult) else {})
            for name, result in report.databases.items()
        },
    }
    return json.dumps(data, indent=2)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--agencies", type=int, default=10_000)
    parser.add_argument("--contacts-per-agency", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=20, help="timed runs of each page")
    parser.add_argument("--browsers", type=int, default=50, help="browsers polling live counts")
    parser.add_argument("--seconds", type=float, default=10.0, help="how long they poll")
    parser.add_argument(
        "--postgres",
        default=os.environ.get(POSTGRES_ENV) or DEFAULT_POSTGRES,
        help=f"PostgreSQL server URL (default ${POSTGRES_ENV} or {DEFAULT_POSTGRES})",
    )
    parser.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL figures")
    parser.add_argument("--no-sqlite", action="store_true", help="skip the SQLite figures")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if min(args.agencies, args.contacts_per_agency, args.repeat, args.browsers) < 1:
        parser.error("--agencies, --contacts-per-agency, --repeat, --browsers: at least 1")
    return args


async def run(args: argparse.Namespace) -> Report:
    report = Report(args.agencies)
    sizes = (args.agencies, args.contacts_per_agency, args.repeat, args.browsers, args.seconds)
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory(prefix="agency-bot-bench-") as tmp:
            url = f"sqlite+aiosqlite:///{Path(tmp) / 'dashboard.db'}"
            report.databases["sqlite"] = await bench_database(url, *sizes)
    report.databases["postgresql"] = (
        Skipped("--no-postgres")
        if args.no_postgres
        else await bench_postgres(args.postgres, *sizes)
    )
    return report


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    report = asyncio.run(run(args))
    print(render_json(report) if args.json else render_text(report))


if __name__ == "__main__":
    main()
