#!/usr/bin/env python3
"""Broadcast benchmarks: how fast the bot sends, and how fast a broadcast is queued.

1. Sustained send rate. The real bot (polling, `bot.runner.running_bot`) against the sandbox
   with 150 ms of latency and Telegram's limits (30 messages/s overall, 1/s per chat),
   `broadcast.rate_per_second = 30`, on SQLite: one directive to N agencies (default 600)
   with one officer each. The rate is taken from the first to the last successful
   sendMessage as the sandbox answered them ((N - 1) intervals over that span); 429 answers
   and the busiest one-second window show whether pacing stays inside the limit, and the
   event loop's lag (the bot and the sandbox share the loop) shows whether it keeps up.
2. Queue time. The one transaction that queues a broadcast to 10,000 agencies with one
   active contact each (10,000 deliveries and 10,000 messages), from `sessionmaker.begin()`
   to commit, as the "Gửi" button runs it; on SQLite and on PostgreSQL, 3 runs each.

Run it from the repository, with the package installed (`pip install -e .`):

    python bench/broadcast.py [--agencies 600] [--queue-agencies 10000] [--items]
                              [--postgres URL | --no-postgres] [--json]

With --items the letter has three items addressed to different agencies, like the sample:
the queue then computes each agency's items in the same INSERT … SELECT, and the dispatcher
renders the letter three times (once per distinct set of items), not once per agency.

PostgreSQL is `--postgres`, else $AGENCY_BOT_TEST_POSTGRES, else the local server; the
benchmark creates its own database there and drops it after. SQLite lives in a temporary
folder. Nothing goes beyond 127.0.0.1 except to that PostgreSQL server, and the run stops
by itself (about a minute with the defaults).
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import json
import logging
import os
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import asyncpg
from scratch_db import ScratchPostgres, asyncpg_url
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings, settings_from_mapping
from bot.delivery.directive_input import DirectiveDraft, DirectiveItem
from bot.delivery.drafts import create_directive, queue_broadcast, set_targets
from bot.deps import get_deps_from_app
from bot.logs import setup_logging
from bot.onboarding.invites import create_invite
from bot.onboarding.joining import Joiner, JoinResult, redeem_invite
from bot.runner import running_bot
from bot.sandbox import ApiCall, RateLimits, Sandbox
from db.migrate import upgrade
from db.models import (
    Agency,
    Contact,
    ContactRole,
    ContactStatus,
    Directive,
    DirectiveStatus,
    MessageStatus,
    OutboundMessage,
    utcnow,
)
from db.queries.agencies import AgencyInput, upsert_agencies
from db.session import make_engine, make_sessionmaker

SEND_RATE = 30
LATENCY_SECONDS = 0.15
RATE_TARGET = 0.95
QUEUE_TARGET_SECONDS = 2.0
GROUP = "so-nganh"
POSTGRES_ENV = "AGENCY_BOT_TEST_POSTGRES"
DEFAULT_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
POSTGRES_CONNECT_TIMEOUT = 5.0
SETTLE_TIMEOUT = 10.0
LAG_PROBE_SECONDS = 0.01
FIRST_CONTACT_ID = 500_000_001
DEFAULT_TIMEZONE = Settings().reminders.timezone


# results ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RateResult:
    agencies: int
    messages: int
    seconds: float
    rate: float
    fraction: float
    rate_limited: int
    other_errors: int
    failed_messages: int
    busiest_window: int
    first_after_seconds: float
    loop_lag_mean_ms: float
    loop_lag_max_ms: float
    complete: bool


@dataclass(frozen=True)
class QueueResult:
    agencies: int
    runs: list[float]
    min: float
    median: float


@dataclass(frozen=True)
class Skipped:
    skipped: str


@dataclass
class Report:
    rate: RateResult | None = None
    queue_agencies: int = 0
    queue: dict[str, QueueResult | Skipped] = field(default_factory=dict)


# the sending rate ------------------------------------------------------------------------------


# With --items, the letter has three items like the sample's: one for a few agencies, one
# for a few others (nothing to publish), one for the rest; three renderings in all.
ITEMS = (
    DirectiveItem("Đăng tin về hội sách.", tuple(f"bench-{n:05d}" for n in range(1, 11))),
    DirectiveItem(
        "Chỉ đạo các trường.", tuple(f"bench-{n:05d}" for n in range(11, 21)), publish_links=False
    ),
    DirectiveItem("Tuyên truyền đến công chức, viên chức.", ("others",)),
)


def draft(n: int, *, items: bool = False) -> DirectiveDraft:
    """A letter shaped like the real ones: a number, a body, a link button, one action."""
    return DirectiveDraft(
        subject=f"V/v thử hiệu năng gửi công văn lần {n}",
        body="Đề nghị các đơn vị đăng tải đường link https://example.org/bench trên trang web.",
        number=f"{n}/STTTT-BENCH",
        links=("https://example.org/bench",),
        actions=("Đăng tải đường link",),
        items=ITEMS if items else (),
    )


def _rate_settings(sandbox: Sandbox, db_url: str) -> Settings:
    return settings_from_mapping(
        {
            "telegram": {"token": sandbox.token, "api_base_url": sandbox.base_url},
            "database": {"url": db_url},
            "broadcast": {"rate_per_second": SEND_RATE},
            "web": {"port": 0},
        },
        "bench",
    )


async def _seed_roster(sm: async_sessionmaker[AsyncSession], count: int) -> list[str]:
    """The roster through the import path, so the rows look like an imported one."""
    codes = [f"bench-{n:05d}" for n in range(1, count + 1)]
    rows = [AgencyInput(code, f"Đơn vị thử {code}", GROUP, None) for code in codes]
    async with sm.begin() as session:
        await upsert_agencies(session, rows)
    return codes


async def _join_officers(
    sm: async_sessionmaker[AsyncSession], sandbox: Sandbox, codes: Sequence[str]
) -> None:
    """One officer per agency, joined through a real invite (without the chat round trip)."""
    now = utcnow()
    for code in codes:
        user = sandbox.add_user(f"Cán bộ {code}")
        async with sm.begin() as session:
            invite = await create_invite(session, agency_code=code, now=now)
            joiner = Joiner(user.id, user.first_name, None)
            outcome = await redeem_invite(session, invite.token, joiner, now)
        if outcome.result != JoinResult.JOINED:
            raise RuntimeError(f"officer of {code} could not join: {outcome}")


async def _queue_to_all(
    sm: async_sessionmaker[AsyncSession], settings: Settings, *, items: bool
) -> int:
    """Queue one directive to every agency through the service layer; returns the messages."""
    async with sm.begin() as session:
        directive = await create_directive(
            session,
            draft(1, items=items),
            now=utcnow(),
            timezone=settings.reminders.timezone,
            created_by=None,
            status=DirectiveStatus.DRAFT,
        )
        await set_targets(session, directive, ["all"])
        result = await queue_broadcast(session, directive, now=utcnow(), actor_id=None)
    return result.messages


class LoopLag:
    """How late the event loop wakes a short sleep: a saturated loop delays every send."""

    def __init__(self) -> None:
        self.lags: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def _probe(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(LAG_PROBE_SECONDS)
            self.lags.append(max(0.0, loop.time() - before - LAG_PROBE_SECONDS))

    async def __aenter__(self) -> LoopLag:
        self._task = asyncio.create_task(self._probe(), name="bench-loop-lag")
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)


async def _wait_sent(sandbox: Sandbox, count: int) -> bool:
    """Wait on the sandbox's record of answers, with a deadline well past the ideal time."""
    timeout = count / (SEND_RATE * 0.5) + 30
    try:
        await sandbox.wait_for("sendMessage", count=count, ok=True, timeout=timeout)
    except TimeoutError:
        return False
    return True


async def _wait_settled(sm: async_sessionmaker[AsyncSession]) -> int:
    """Wait until the dispatcher has written every outcome back; returns the failed rows.

    The sandbox answers before the dispatcher commits `sent`, so the database lags a little.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + SETTLE_TIMEOUT
    pending = (MessageStatus.QUEUED, MessageStatus.SENDING)
    while True:
        async with sm() as session:
            rows = await session.execute(
                select(OutboundMessage.status, func.count()).group_by(OutboundMessage.status)
            )
            counts = {status: int(n) for status, n in rows.all()}
        if not any(counts.get(s) for s in pending) or loop.time() > deadline:
            return counts.get(MessageStatus.FAILED, 0)
        await asyncio.sleep(0.05)


def busiest_window(times: Sequence[float], window: float = 1.0) -> int:
    """The most answers in any half-open `window`-second interval starting at an answer."""
    ordered = sorted(times)
    return max(
        (bisect.bisect_left(ordered, t + window) - i for i, t in enumerate(ordered)), default=0
    )


def _rate_result(
    agencies: int, calls: Sequence[ApiCall], queued_at: float, lag: LoopLag, extra: dict[str, Any]
) -> RateResult:
    sent = sorted(c.at for c in calls if c.method == "sendMessage" and c.ok)
    span = sent[-1] - sent[0] if len(sent) > 1 else 0.0
    rate = (len(sent) - 1) / span if span > 0 else 0.0
    lags = lag.lags or [0.0]
    return RateResult(
        agencies=agencies,
        messages=len(sent),
        seconds=span,
        rate=rate,
        fraction=rate / SEND_RATE,
        rate_limited=sum(1 for c in calls if c.status == 429),
        other_errors=sum(1 for c in calls if not c.ok and c.status != 429),
        busiest_window=busiest_window(sent),
        first_after_seconds=sent[0] - queued_at if sent else 0.0,
        loop_lag_mean_ms=1000 * statistics.fmean(lags),
        loop_lag_max_ms=1000 * max(lags),
        **extra,
    )


async def bench_rate(agencies: int, folder: Path, *, items: bool = False) -> RateResult:
    """Broadcast to `agencies` officers through the running bot and the limited sandbox."""
    limits = RateLimits(global_per_second=SEND_RATE, per_chat_per_second=1, per_chat_window=1.0)
    async with Sandbox(latency=LATENCY_SECONDS, limits=limits) as sandbox:
        settings = _rate_settings(sandbox, f"sqlite+aiosqlite:///{folder / 'rate.db'}")
        async with running_bot(settings) as running:
            codes = await _seed_roster(running.sessionmaker, agencies)
            await _join_officers(running.sessionmaker, sandbox, codes)
            first_call = len(sandbox.calls)
            messages = await _queue_to_all(running.sessionmaker, settings, items=items)
            queued_at = time.monotonic()
            get_deps_from_app(running.application.bot_data).outbox_wake.set()
            async with LoopLag() as lag:
                complete = await _wait_sent(sandbox, messages)
            failed = await _wait_settled(running.sessionmaker)
            calls = sandbox.calls[first_call:]
    extra = {"complete": complete, "failed_messages": failed}
    return _rate_result(agencies, calls, queued_at, lag, extra)


# the queue time --------------------------------------------------------------------------------


async def bulk_roster(sm: async_sessionmaker[AsyncSession], count: int) -> None:
    """`count` agencies with one active primary contact each, in two executemany inserts."""
    now = utcnow()
    async with sm.begin() as session:
        await session.execute(
            insert(Agency),
            [
                {"code": f"bench-{n:05d}", "name": f"Đơn vị thử {n}", "group": GROUP}
                | {"active": True, "created_at": now, "updated_at": now}
                for n in range(1, count + 1)
            ],
        )
        ids = (await session.scalars(select(Agency.id).order_by(Agency.id))).all()
        await session.execute(
            insert(Contact), [_contact_row(n, agency_id, now) for n, agency_id in enumerate(ids)]
        )


def _contact_row(n: int, agency_id: int, now: datetime) -> dict[str, Any]:
    user_id = FIRST_CONTACT_ID + n
    return {
        "agency_id": agency_id,
        "telegram_user_id": user_id,
        "chat_id": user_id,
        "display_name": f"Cán bộ {n}",
        "role": ContactRole.PRIMARY,
        "status": ContactStatus.ACTIVE,
        "joined_at": now,
        "status_changed_at": now,
    }


async def _time_queue(
    sm: async_sessionmaker[AsyncSession], n: int, expected: int, *, items: bool = False
) -> float:
    """One fresh draft, then the timed transaction: load it and queue it, as "Gửi" does."""
    async with sm.begin() as session:
        stored = await create_directive(
            session,
            draft(n, items=items),
            now=utcnow(),
            timezone=DEFAULT_TIMEZONE,
            created_by=None,
            status=DirectiveStatus.DRAFT,
        )
        await set_targets(session, stored, ["all"])
    started = time.perf_counter()
    async with sm.begin() as session:
        directive = await session.get(Directive, stored.id)
        assert directive is not None
        result = await queue_broadcast(session, directive, now=utcnow(), actor_id=None)
    elapsed = time.perf_counter() - started
    if (result.agencies, result.messages) != (expected, expected):
        raise RuntimeError(f"queued {result} for {expected} agencies")
    return elapsed


async def bench_queue(db_url: str, agencies: int, runs: int, *, items: bool = False) -> QueueResult:
    """Queue `runs` broadcasts to `agencies` agencies on a fresh database and time each."""
    engine = make_engine(db_url)
    try:
        await upgrade(engine)
        sm = make_sessionmaker(engine)
        await bulk_roster(sm, agencies)
        times = [await _time_queue(sm, n, agencies, items=items) for n in range(1, runs + 1)]
    finally:
        await engine.dispose()
    return QueueResult(agencies, times, min(times), statistics.median(times))


async def bench_queue_postgres(
    server_url: str, agencies: int, runs: int, *, items: bool = False
) -> QueueResult | Skipped:
    """The queue benchmark on PostgreSQL, or why it could not run (server down, no rights)."""
    shown = asyncpg_url(server_url).render_as_string(hide_password=True)
    scratch = ScratchPostgres(server_url)
    try:
        try:
            db_url = await scratch.create()
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            return Skipped(f"{shown}: {type(exc).__name__}: {exc}".strip())
        return await bench_queue(db_url, agencies, runs, items=items)
    finally:
        await scratch.drop()


# report ----------------------------------------------------------------------------------------


def _rate_lines(r: RateResult) -> list[str]:
    lines = [
        f"broadcast rate ({r.agencies} agencies, {LATENCY_SECONDS * 1000:.0f} ms latency, "
        f"sandbox {SEND_RATE}/s & 1/s per chat, SQLite)",
        f"  sent {r.messages} messages in {r.seconds:.1f} s = {r.rate:.1f} msg/s "
        f"= {r.fraction:.3f} of {SEND_RATE}   (target >= {RATE_TARGET})",
        f"  429 answers: {r.rate_limited} (target 0); busiest 1-second window: "
        f"{r.busiest_window} messages (limit {SEND_RATE})",
        f"  other errors: {r.other_errors}; failed messages: {r.failed_messages}; "
        f"first answer {r.first_after_seconds:.2f} s after queueing",
        f"  event loop lag: mean {r.loop_lag_mean_ms:.1f} ms, max {r.loop_lag_max_ms:.1f} ms",
    ]
    if not r.complete:
        lines.append(f"  INCOMPLETE: only {r.messages} of {r.agencies} sent before the deadline")
    return lines


def _queue_line(label: str, result: QueueResult | Skipped) -> str:
    if isinstance(result, Skipped):
        return f"  {label:<11} skipped: {result.skipped}"
    runs = ", ".join(f"{t:.2f}" for t in result.runs)
    return (
        f"  {label:<11} min {result.min:.2f} s  median {result.median:.2f} s   "
        f"(target < {QUEUE_TARGET_SECONDS:g} s; runs {runs})"
    )


def render_text(report: Report) -> str:
    lines = _rate_lines(report.rate) if report.rate is not None else []
    if report.queue:
        lines.append(
            f"queue {report.queue_agencies:,} agencies "
            "(one contact each; the queueing transaction alone)"
        )
        lines += [_queue_line(label, result) for label, result in report.queue.items()]
    return "\n".join(lines)


def render_json(report: Report) -> str:
    data: dict[str, Any] = {
        "targets": {
            "rate_fraction_min": RATE_TARGET,
            "rate_limited": 0,
            "queue_seconds_max": QUEUE_TARGET_SECONDS,
        },
        "rate": asdict(report.rate) if report.rate is not None else None,
        "queue": {label: asdict(result) for label, result in report.queue.items()},
    }
    return json.dumps(data, ensure_ascii=False)


# main ------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--agencies", type=int, default=600, help="send-rate roster (0 skips)")
    parser.add_argument(
        "--queue-agencies", type=int, default=10_000, help="queue-time roster (0 skips)"
    )
    parser.add_argument("--runs", type=int, default=3, help="queue-time runs per database")
    parser.add_argument(
        "--postgres",
        default=os.environ.get(POSTGRES_ENV) or DEFAULT_POSTGRES,
        help=f"PostgreSQL server URL (default ${POSTGRES_ENV} or {DEFAULT_POSTGRES})",
    )
    parser.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL figures")
    parser.add_argument(
        "--items", action="store_true", help="the letter has three items (three renderings)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    return parser.parse_args(argv)


async def run(args: argparse.Namespace) -> Report:
    report = Report(queue_agencies=args.queue_agencies)
    with tempfile.TemporaryDirectory(prefix="agency-bot-bench-") as tmp:
        folder = Path(tmp)
        if args.agencies > 0:
            report.rate = await bench_rate(args.agencies, folder, items=args.items)
        if args.queue_agencies > 0:
            sqlite_url = f"sqlite+aiosqlite:///{folder / 'queue.db'}"
            report.queue["sqlite"] = await bench_queue(
                sqlite_url, args.queue_agencies, args.runs, items=args.items
            )
            report.queue["postgresql"] = (
                Skipped("--no-postgres")
                if args.no_postgres
                else await bench_queue_postgres(
                    args.postgres, args.queue_agencies, args.runs, items=args.items
                )
            )
    return report


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    setup_logging(logging.WARNING)
    report = asyncio.run(run(args))
    print(render_json(report) if args.json else render_text(report))


if __name__ == "__main__":
    main()
