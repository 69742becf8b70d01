#!/usr/bin/env python3
"""Relay benchmark: relaying to 5,000 units queued in < 2 s, and the
original letter's /status with the roll-up of a three-level tree of 10,000 units < 200 ms.

A scratch database (a temporary SQLite file, and a PostgreSQL database of its own that is
dropped after) holds a three-level tree of N units (default 10,000), one active contact
each: 100 units at the top, one of them the Department of Education (so-gddt); directly
under it N/2 units (5,000: 100 district offices and 4,900 schools); under the offices the
rest (4,900 schools, 49 each). Then, on each database:

- **Relay queue time** — the department's letter goes to the top of the tree; the Sở's
  relayed letter is drafted (not timed) to "all", that is the 5,000 units directly under it;
  timed: the one transaction «Gửi» runs (`bot.relay.compose.queue_relay`: the checks, the
  claim on the Sở's delivery, 5,000 deliveries and 5,000 queued messages, the relays among
  them marked), from `sessionmaker.begin()` to commit. `--runs` runs (default 3), each on a
  letter of its own; min and median.
- **The roll-up** — on the last letter, every office relays to its schools (100 relays, as
  `agency-bot relay` runs them: timed in all, for information), and the tree's answers are
  written straight into the rows (not timed: 80 % reached units acknowledged, half of those
  completed). Timed: the queries of /status ID (`load_counts` and `load_rollup`, the
  recursive CTEs), `--repeat` times after one warm-up; and `/status ID` in Telegram, the
  target: the real bot (polling) on that database and the sandbox, a staff member sending
  it and receiving the card with its roll-up.

Run it from the repository, with the package installed (`pip install -e .`):

    python bench/relay.py [--units 10000] [--runs 3] [--repeat 20]
                          [--postgres URL | --no-postgres] [--no-sqlite] [--json]

PostgreSQL is `--postgres`, else $AGENCY_BOT_TEST_POSTGRES, else the local server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
from scratch_db import ScratchPostgres, asyncpg_url
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings, settings_from_mapping
from bot.delivery.directive_input import DirectiveDraft, RelayText
from bot.delivery.drafts import create_directive, queue_broadcast, set_targets
from bot.relay.compose import queue_relay, relay_on_behalf, relayable, start_relay
from bot.reports.rollup import load_rollup
from bot.reports.summary import load_counts
from bot.runner import running_bot
from bot.sandbox import RateLimits, Sandbox
from db.migrate import upgrade
from db.models import (
    Agency,
    Contact,
    ContactRole,
    ContactStatus,
    Delivery,
    DeliveryStatus,
    Directive,
    DirectiveStatus,
    MessageStatus,
    OutboundMessage,
    utcnow,
)
from db.queries.directives import ALL, get_directive
from db.queries.relay import source_of
from db.session import make_engine, make_sessionmaker

QUEUE_TARGET_S = 2.0
STATUS_TARGET_MS = 200.0
TOP = 100
OFFICES = 100
POSTGRES_ENV = "AGENCY_BOT_TEST_POSTGRES"
DEFAULT_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
FIRST_CONTACT_ID = 810_000_000
FIRST_STAFF_ID = 991_000_001
CHUNK = 5000


@dataclass(frozen=True)
class Timing:
    p50_ms: float
    p90_ms: float
    max_ms: float


def _timing(times: list[float]) -> Timing:
    ordered = sorted(times)
    return Timing(
        statistics.median(ordered),
        ordered[min(len(ordered) - 1, len(ordered) * 9 // 10)],
        ordered[-1],
    )


@dataclass(frozen=True)
class DatabaseResult:
    setup_seconds: float
    units: int
    relayed_to: int
    queue_runs_s: list[float]
    office_relays: int
    office_relays_s: float
    tree_units: int
    relays_in_rollup: int
    status_queries: Timing
    status_in_telegram: Timing

    @property
    def queue_median_s(self) -> float:
        return statistics.median(self.queue_runs_s)

    @property
    def ok(self) -> bool:
        return (
            self.queue_median_s < QUEUE_TARGET_S
            and self.status_in_telegram.max_ms < STATUS_TARGET_MS
        )


@dataclass(frozen=True)
class Skipped:
    skipped: str


@dataclass
class Report:
    units: int
    databases: dict[str, DatabaseResult | Skipped] = field(default_factory=dict)


# setup ---------------------------------------------------------------------------------------


async def _chunked(session: AsyncSession, table: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        await session.execute(insert(table), rows[start : start + CHUNK])


def _agency(
    code: str, name: str, group: str, parent_id: int | None, now: datetime
) -> dict[str, Any]:
    return {
        "code": code,
        "name": name,
        "group": group,
        "parent_id": parent_id,
        "active": True,
        "created_at": now,
        "updated_at": now,
    }


async def seed_tree(sm: async_sessionmaker[AsyncSession], units: int) -> None:
    """The three-level tree, level by level (each level's parents have their ids), and one
    active primary contact per unit."""
    now = utcnow()
    children = units // 2  # directly under the Sở: the offices and schools
    direct = children - OFFICES
    per_office = (units - TOP - children) // OFFICES
    async with sm.begin() as session:
        top = [_agency("so-gddt", "Sở Giáo dục và Đào tạo", "so-nganh", None, now)]
        top += [
            _agency(f"dv-{n:03d}", f"Đơn vị cấp tỉnh {n}", "so-nganh", None, now)
            for n in range(1, TOP)
        ]
        await _chunked(session, Agency, top)
        so = await session.scalar(select(Agency.id).where(Agency.code == "so-gddt"))
        second = [
            _agency(f"pgd-{n:03d}", f"Phòng Giáo dục và Đào tạo {n}", "phong-gddt", so, now)
            for n in range(OFFICES)
        ]
        second += [
            _agency(f"thpt-{n:05d}", f"Trường THPT số {n}", "truong-hoc", so, now)
            for n in range(direct)
        ]
        await _chunked(session, Agency, second)
        offices = (
            await session.execute(
                select(Agency.id, Agency.code).where(
                    Agency.parent_id == so, Agency.group == "phong-gddt"
                )
            )
        ).all()
        third = [
            _agency(
                f"th-{code[4:]}-{k:03d}", f"Trường Tiểu học {code[4:]}-{k}", "truong-hoc", oid, now
            )
            for oid, code in offices
            for k in range(per_office)
        ]
        await _chunked(session, Agency, third)
        ids = (await session.scalars(select(Agency.id).order_by(Agency.id))).all()
        await _chunked(
            session,
            Contact,
            [
                {
                    "agency_id": agency_id,
                    "telegram_user_id": FIRST_CONTACT_ID + n,
                    "chat_id": FIRST_CONTACT_ID + n,
                    "display_name": f"Cán bộ {n}",
                    "role": ContactRole.PRIMARY,
                    "status": ContactStatus.ACTIVE,
                    "joined_at": now,
                    "status_changed_at": now,
                }
                for n, agency_id in enumerate(ids)
            ],
        )


async def letter_to_the_top(sm: async_sessionmaker[AsyncSession], n: int) -> int:
    """The department's letter to "all" (the top of the tree), its messages as if sent."""
    now = utcnow()
    async with sm.begin() as session:
        directive = await create_directive(
            session,
            DirectiveDraft(
                subject=f"V/v thử hiệu năng chuyển tiếp lần {n}",
                body="Đề nghị các đơn vị đăng tải đường link https://book365.vn trên trang web.",
                number=f"{n}/STTTT-BENCH",
                links=("https://book365.vn",),
                actions=("Đăng tải đường link",),
                deadline=(now + timedelta(days=30)).date(),
            ),
            now=now,
            timezone=Settings().reminders.timezone,
            created_by=None,
            status=DirectiveStatus.DRAFT,
        )
        await set_targets(session, directive, [ALL])
        await queue_broadcast(session, directive, now=now, actor_id=None)
        await _mark_sent(session, now)
        return directive.id


async def _mark_sent(session: AsyncSession, now: datetime) -> None:
    """As if the dispatcher had sent everything queued: the bot started later sends nothing."""
    await session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.status == MessageStatus.QUEUED)
        .values(status=MessageStatus.SENT, sent_at=now)
    )
    await session.execute(
        update(Delivery)
        .where(Delivery.status == DeliveryStatus.PENDING)
        .values(status=DeliveryStatus.SENT, sent_at=now)
    )


async def time_relay(sm: async_sessionmaker[AsyncSession], letter: int) -> tuple[float, int]:
    """Draft the Sở's relay to "all" (not timed), then «Gửi»: (seconds, units queued)."""
    now = utcnow()
    async with sm.begin() as session:
        so = await session.scalar(select(Agency.id).where(Agency.code == "so-gddt"))
        source = await relayable(session, await source_of(session, letter, so or 0))
        draft = await start_relay(
            session, source, created_by=None, now=now, timezone=Settings().reminders.timezone
        )
        draft.targets = [ALL]
        draft_id = draft.id
    started = time.perf_counter()
    async with sm.begin() as session:
        stored = await get_directive(session, draft_id)
        assert stored is not None
        result = await queue_relay(session, stored, now=utcnow(), actor_type="cli", actor_id=None)
    return time.perf_counter() - started, result.agencies


async def relay_offices(sm: async_sessionmaker[AsyncSession], letter: int) -> tuple[int, float]:
    """Every office relays the Sở's relayed letter to its schools, as `agency-bot relay`."""
    async with sm() as session:
        relayed = await session.scalar(
            select(Directive.id).where(Directive.parent_directive_id == letter)
        )
        offices = (
            await session.scalars(
                select(Agency.code).where(Agency.group == "phong-gddt").order_by(Agency.code)
            )
        ).all()
    assert relayed is not None
    started = time.perf_counter()
    for code in offices:
        async with sm.begin() as session:
            await relay_on_behalf(
                session,
                directive_id=relayed,
                agency_code=code,
                targets=None,
                details=RelayText(),
                now=utcnow(),
                timezone=Settings().reminders.timezone,
            )
    return len(offices), time.perf_counter() - started


async def answers(sm: async_sessionmaker[AsyncSession], rng: random.Random) -> None:
    """Every queued letter sent; 80 % of the units acknowledge, half of those complete."""
    now = utcnow()
    async with sm.begin() as session:
        await _mark_sent(session, now)
        rows = (
            await session.execute(select(Delivery.id).where(Delivery.status == DeliveryStatus.SENT))
        ).all()
        updates = []
        for (delivery_id,) in rows:
            if rng.random() >= 0.8:
                continue
            values: dict[str, Any] = {
                "id": delivery_id,
                "status": DeliveryStatus.ACKNOWLEDGED,
                "acknowledged_at": now,
            }
            if rng.random() < 0.5:
                values |= {"status": DeliveryStatus.COMPLETED, "completed_at": now}
            updates.append(values)
        for start in range(0, len(updates), CHUNK):
            await session.execute(update(Delivery), updates[start : start + CHUNK])


# measuring -----------------------------------------------------------------------------------


async def _time(call: Callable[[], Awaitable[object]], repeat: int) -> Timing:
    await call()  # warm-up: connections, statement caches
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        await call()
        times.append(1000 * (time.perf_counter() - started))
    return _timing(times)


async def _status_in_telegram(db_url: str, directive_id: int, repeat: int) -> Timing:
    """`/status ID` as staff send it, the card with its roll-up received; one staff member
    per run, so that the bot's one-message-a-second pacing per chat never waits."""
    admins = [FIRST_STAFF_ID + n for n in range(repeat + 1)]
    async with Sandbox(
        limits=RateLimits(global_per_second=None, per_chat_per_second=None)
    ) as sandbox:
        settings = settings_from_mapping(
            {
                "telegram": {"token": sandbox.token, "api_base_url": sandbox.base_url},
                "database": {"url": db_url},
                "staff": {"admins": admins},
                "reminders": {"staff_digest_at": ""},
            },
            "bench",
        )
        async with running_bot(settings):
            times = []
            for user_id in admins:
                staff = sandbox.add_user(f"Cán bộ Sở {user_id}", user_id=user_id)
                started = time.perf_counter()
                await staff.ask(f"/status {directive_id}", "cả cây", timeout=30)
                times.append(1000 * (time.perf_counter() - started))
    return _timing(times[1:])  # the first warms the bot up


async def bench_database(db_url: str, units: int, runs: int, repeat: int) -> DatabaseResult:
    engine = make_engine(db_url)
    try:
        await upgrade(engine)
        sm = make_sessionmaker(engine)
        started = time.perf_counter()
        await seed_tree(sm, units)
        letters = [await letter_to_the_top(sm, n) for n in range(1, runs + 1)]
        setup = time.perf_counter() - started
        queue_runs: list[float] = []
        relayed_to = 0
        for letter in letters:
            seconds, relayed_to = await time_relay(sm, letter)
            queue_runs.append(seconds)
        last = letters[-1]
        offices, office_seconds = await relay_offices(sm, last)
        await answers(sm, random.Random(13))
        tz = Settings().reminders.timezone

        async def status() -> object:
            async with sm() as session:
                now = utcnow()
                await load_counts(session, last, now, tz)
                return await load_rollup(session, last, now, tz)

        async with sm() as session:
            rollup = await load_rollup(session, last, utcnow(), tz)
        status_t = await _time(status, repeat)
        telegram_t = await _status_in_telegram(db_url, last, repeat)
    finally:
        await engine.dispose()
    return DatabaseResult(
        setup,
        units,
        relayed_to,
        queue_runs,
        offices,
        office_seconds,
        rollup.units,
        len(rollup.relays),
        status_t,
        telegram_t,
    )


async def bench_postgres(
    server_url: str, units: int, runs: int, repeat: int
) -> DatabaseResult | Skipped:
    shown = asyncpg_url(server_url).render_as_string(hide_password=True)
    scratch = ScratchPostgres(server_url)
    try:
        try:
            db_url = await scratch.create()
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            return Skipped(f"{shown}: {type(exc).__name__}: {exc}".strip())
        return await bench_database(db_url, units, runs, repeat)
    finally:
        await scratch.drop()


# report --------------------------------------------------------------------------------------


def _verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def render_text(report: Report) -> str:
    lines = [
        f"relay: a three-level tree of {report.units} units, one contact each; the "
        "department's letter to the top, the Sở relays to the units under it"
    ]
    for label, r in report.databases.items():
        if isinstance(r, Skipped):
            lines.append(f"{label}: skipped: {r.skipped}")
            continue
        runs = ", ".join(f"{s:.2f}" for s in r.queue_runs_s)
        lines += [
            f"{label} (setup {r.setup_seconds:.1f} s, not timed)",
            f"    relay to {r.relayed_to} units queued   min {min(r.queue_runs_s):.2f} s  "
            f"median {r.queue_median_s:.2f} s   target < {QUEUE_TARGET_S:g} s   "
            f"{_verdict(r.queue_median_s < QUEUE_TARGET_S)}  (runs {runs})",
            f"    {r.office_relays} offices relay to their schools (agency-bot relay each): "
            f"{r.office_relays_s:.2f} s in all",
            f"    /status ID with the roll-up ({r.tree_units} units, {r.relays_in_rollup} "
            "relays, three levels)",
            f"        the queries   p50 {r.status_queries.p50_ms:6.1f} ms  p90 "
            f"{r.status_queries.p90_ms:6.1f} ms  max {r.status_queries.max_ms:6.1f} ms",
            f"        in Telegram   p50 {r.status_in_telegram.p50_ms:6.1f} ms  p90 "
            f"{r.status_in_telegram.p90_ms:6.1f} ms  max {r.status_in_telegram.max_ms:6.1f} ms"
            f"   target < {STATUS_TARGET_MS:g} ms   "
            f"{_verdict(r.status_in_telegram.max_ms < STATUS_TARGET_MS)}  (message to card, "
            "bot and sandbox)",
        ]
    return "\n".join(lines)


def render_json(report: Report) -> str:
    databases: dict[str, Any] = {}
    for label, r in report.databases.items():
        databases[label] = asdict(r) | ({} if isinstance(r, Skipped) else {"ok": r.ok})
    return json.dumps(
        {
            "targets": {"queue_s": QUEUE_TARGET_S, "status_ms_max": STATUS_TARGET_MS},
            "units": report.units,
            "databases": databases,
        },
        ensure_ascii=False,
    )


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--units", type=int, default=10_000, help="units in the tree (10000)")
    parser.add_argument("--runs", type=int, default=3, help="timed relays (3)")
    parser.add_argument("--repeat", type=int, default=20, help="timed /status (20)")
    parser.add_argument(
        "--postgres",
        default=os.environ.get(POSTGRES_ENV) or DEFAULT_POSTGRES,
        help=f"PostgreSQL server URL (default ${POSTGRES_ENV} or {DEFAULT_POSTGRES})",
    )
    parser.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL figures")
    parser.add_argument("--no-sqlite", action="store_true", help="skip the SQLite figures")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if args.units < 2 * (TOP + OFFICES) or args.runs < 1 or args.repeat < 1:
        parser.error(f"--units must be at least {2 * (TOP + OFFICES)}; --runs, --repeat >= 1")
    return args


async def run(args: argparse.Namespace) -> Report:
    report = Report(args.units)
    sizes = (args.units, args.runs, args.repeat)
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory(prefix="agency-bot-bench-") as tmp:
            url = f"sqlite+aiosqlite:///{Path(tmp) / 'relay.db'}"
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
