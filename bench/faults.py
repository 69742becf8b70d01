#!/usr/bin/env python3
"""Fault benchmark: what the bot loses, sends twice and how fast it recovers.

Every scenario runs the real `agency-bot run` as a process of its own (two for the
leadership scenarios), against the sandbox in this process, on a scratch database (a
temporary SQLite file, or a PostgreSQL database of its own, dropped after), and prints one
row of the table:

- kill -9 at random moments of a broadcast to 300 contacts, `--kills` times (20), restarted
  each time (SQLite): lost, duplicates against what was in flight at the kills (sent by
  Telegram, not yet recorded: the only messages a send may repeat).
- the database away `--outage` seconds (8) mid-broadcast (PostgreSQL refuses new
  connections and ends the open ones): lost, duplicates, seconds from its return to the next
  message sent.
- the leader killed (two instances, PostgreSQL): seconds until the standby sends, lost,
  duplicates against what was in flight.
- the leader cut off from the database (its packets dropped by a proxy) while it keeps
  running: seconds until the standby sends, duplicates against what was in flight.
- a 429 storm: Telegram answers every send `429 retry after 5` for five seconds: the 429s
  after the first (the requests that were already on their way).
- Telegram answering 502 for `--telegram-down` seconds (120) mid-broadcast, then
  recovering: lost, requests made meanwhile, seconds to drain after the recovery.
- the bot's peak RSS (VmHWM of its process alone) during a broadcast to each of `--rss`
  contact counts (10,000 and 50,000), and while `/report` builds the workbook and chart of
  a letter to `--report-agencies` agencies (10,000). Target < 250 MB.

Run it from the repository, with the package installed (`pip install -e .`):

    python bench/faults.py [--only NAMES] [--kills 20] [--outage 8] [--telegram-down 120]
                           [--rss 10000,50000] [--report-agencies 10000]
                           [--postgres URL | --no-postgres]

It takes several minutes (the 2-minute Telegram outage and the 50,000-contact broadcast
most). PostgreSQL is `--postgres`, else $AGENCY_BOT_TEST_POSTGRES, else the local server.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import socket
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from report import seed as seed_report
from scratch_db import ScratchPostgres
from sqlalchemy import func, insert, select
from sqlalchemy.engine import make_url

from bot.config import Settings
from bot.delivery.directive_input import DirectiveDraft
from bot.delivery.drafts import create_directive, queue_broadcast, set_targets
from bot.sandbox import ApiCall, RateLimits, Sandbox, SimUser
from bot.sandbox.proxy import TcpProxy
from db.migrate import upgrade
from db.models import (
    Agency,
    Contact,
    ContactRole,
    ContactStatus,
    DirectiveStatus,
    MessageStatus,
    OutboundMessage,
    utcnow,
)
from db.queries.agencies import AgencyInput, upsert_agencies
from db.session import make_engine, make_sessionmaker

POSTGRES_ENV = "AGENCY_BOT_TEST_POSTGRES"
DEFAULT_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
NUMBER = "77/STTTT-FAULTS"
FIRST_OFFICER_ID = 600_000_001
STAFF_ID = 990_000_001
LATENCY = 0.05
RSS_TARGET_MB = 250.0
SCENARIOS = ("kills", "outage", "leader-killed", "leader-cut", "429", "5xx", "rss", "report")


@dataclass
class Row:
    fault: str
    database: str
    lost: int | None = None
    duplicates: int | None = None
    allowed: int | None = None  # what was in flight: the only duplicates allowed
    note: str = ""


# the world: a database, officers, a letter ------------------------------------------------


@contextlib.asynccontextmanager
async def database(kind: str, server: str, folder: Path) -> AsyncIterator[str]:
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{folder / f'faults-{random.randrange(1 << 30)}.db'}"
        return
    scratch = ScratchPostgres(server)
    try:
        yield await scratch.create()
    finally:
        await scratch.drop()


async def seed_officers(db_url: str, sandbox: Sandbox, count: int) -> list[SimUser]:
    """`count` agencies with one primary officer each (bulk: no invite round trips)."""
    engine = make_engine(db_url)
    try:
        await upgrade(engine)
        sm = make_sessionmaker(engine)
        codes = [f"dv-{n:05d}" for n in range(1, count + 1)]
        officers = [
            sandbox.add_user(f"Cán bộ {code}", user_id=FIRST_OFFICER_ID + n)
            for n, code in enumerate(codes)
        ]
        now = utcnow()
        async with sm.begin() as session:
            await upsert_agencies(
                session, [AgencyInput(c, f"Đơn vị {c}", "so-nganh", None) for c in codes]
            )
            ids = (await session.scalars(select(Agency.id).order_by(Agency.code))).all()
            rows = [
                {
                    "agency_id": agency_id,
                    "telegram_user_id": user.id,
                    "chat_id": user.id,
                    "display_name": user.first_name,
                    "role": ContactRole.PRIMARY,
                    "status": ContactStatus.ACTIVE,
                    "joined_at": now,
                    "status_changed_at": now,
                }
                for agency_id, user in zip(ids, officers, strict=True)
            ]
            for start in range(0, len(rows), 5000):
                await session.execute(insert(Contact), rows[start : start + 5000])
        return officers
    finally:
        await engine.dispose()


async def queue_letter(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        async with make_sessionmaker(engine).begin() as session:
            directive = await create_directive(
                session,
                DirectiveDraft(
                    subject="V/v thử khả năng chịu lỗi",
                    body="Đề nghị các đơn vị đăng tải https://book365.vn.",
                    number=NUMBER,
                    links=("https://book365.vn",),
                ),
                now=utcnow(),
                timezone=Settings().reminders.timezone,
                created_by=None,
                status=DirectiveStatus.DRAFT,
            )
            await set_targets(session, directive, ["all"])
            await queue_broadcast(session, directive, now=utcnow(), actor_id=None)
    finally:
        await engine.dispose()


async def recorded(db_url: str) -> int:
    engine = make_engine(db_url)
    try:
        async with make_sessionmaker(engine)() as session:
            count = await session.scalar(
                select(func.count(OutboundMessage.id)).where(
                    OutboundMessage.status == MessageStatus.SENT
                )
            )
        return int(count or 0)
    finally:
        await engine.dispose()


def ok_sends(sandbox: Sandbox, after: float = 0.0, until: float = float("inf")) -> int:
    return sum(
        1 for c in sandbox.calls if c.method == "sendMessage" and c.ok and after < c.at <= until
    )


def tally(officers: Sequence[SimUser]) -> tuple[int, int]:
    """(officers without the letter, extra copies)."""
    copies = [sum(1 for m in u.inbox if NUMBER in m.shown_text) for u in officers]
    return sum(1 for n in copies if n == 0), sum(max(0, n - 1) for n in copies)


async def all_received(officers: Sequence[SimUser], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    for user in officers:
        left = deadline - time.monotonic()
        if left <= 0:
            return
        with contextlib.suppress(TimeoutError):
            await user.wait_for_message(NUMBER, timeout=left)


# the bot as an IT officer runs it ---------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Bot:
    """`agency-bot run` with a config of its own, in a process of its own."""

    def __init__(
        self, folder: Path, name: str, sandbox: Sandbox, db_url: str, **sections: str
    ) -> None:
        self.port = free_port()
        self.config = folder / f"{name}.toml"
        self.log = folder / f"{name}.log"
        staff = sections.pop("staff", "")
        broadcast = sections.pop("broadcast", "")
        self.config.write_text(
            "\n".join(
                [
                    "[telegram]",
                    f'token = "{sandbox.token}"',
                    f'api_base_url = "{sandbox.base_url}"',
                    "[database]",
                    f'url = "{db_url}"',
                    "[web]",
                    f"port = {self.port}",
                    staff,
                    broadcast,
                ]
            )
            + "\n",
            encoding="utf-8",
        )
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        env = {**os.environ, "AGENCY_BOT_CONFIG": str(self.config)}
        with open(self.log, "ab") as log:  # noqa: ASYNC230 (opening a log file)
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot.cli.commands",
                "run",
                env=env,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=log,
            )

    async def role(self) -> str | None:
        try:
            async with httpx.AsyncClient(timeout=2) as client:
                answer = await client.get(f"http://127.0.0.1:{self.port}/readyz")
        except httpx.HTTPError:
            return None
        return next((r for r in ("leader", "standby") if r in answer.text), None)

    async def wait_role(self, role: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while await self.role() != role:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.config.stem} is not {role}; see {self.log}")
            await asyncio.sleep(0.1)

    def peak_rss_mb(self) -> float:
        assert self.process is not None
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM"))
        return kb / 1024

    async def stop(self, *, kill: bool = False) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        self.process.kill() if kill else self.process.terminate()
        await asyncio.wait_for(self.process.wait(), 60)


# the scenarios ------------------------------------------------------------------------------


def _after(moment: float) -> Callable[[ApiCall], bool]:
    return lambda call: call.at > moment


async def kills(folder: Path, server: str, args: argparse.Namespace) -> Row:
    rng = random.Random(11)
    async with Sandbox(latency=LATENCY) as sandbox, database("sqlite", server, folder) as url:
        officers = await seed_officers(url, sandbox, args.contacts)
        await queue_letter(url)
        in_flight = done = 0
        for _ in range(args.kills):
            bot = Bot(folder, "kills", sandbox, url)
            started = time.monotonic()
            before_sends, before_recorded = ok_sends(sandbox), await recorded(url)
            if before_recorded >= len(officers):
                break
            await bot.start()
            await sandbox.wait_for("sendMessage", ok=True, where=_after(started), timeout=60)
            await asyncio.sleep(rng.uniform(0.05, 0.6))  # a random moment of the sending
            await bot.stop(kill=True)
            done += 1
            await asyncio.sleep(3 * LATENCY + 0.3)  # its requests under way are answered
            sends = ok_sends(sandbox) - before_sends
            in_flight += sends - (await recorded(url) - before_recorded)
        bot = Bot(folder, "kills-last", sandbox, url)
        await bot.start()
        await all_received(officers, 120)
        await bot.stop()
        lost, duplicates = tally(officers)
    return Row(
        f"kill -9 ×{done} during a broadcast to {len(officers)}",
        "sqlite",
        lost,
        duplicates,
        in_flight,
        "restarted after each kill",
    )


async def outage(folder: Path, server: str, args: argparse.Namespace) -> Row:
    async with Sandbox(latency=LATENCY) as sandbox, database("postgresql", server, folder) as url:
        officers = await seed_officers(url, sandbox, args.contacts)
        bot = Bot(folder, "outage", sandbox, url)
        await bot.start()
        await bot.wait_role("leader")
        await queue_letter(url)
        await sandbox.wait_for("sendMessage", ok=True, count=60, timeout=60)
        name = make_url(url).database
        admin_dsn = make_url(url).set(drivername="postgresql", database="postgres")
        admin = await asyncpg.connect(admin_dsn.render_as_string(hide_password=False))
        try:
            await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
                name,
            )
            began = time.monotonic()
            await asyncio.sleep(args.outage)
            await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
            back = time.monotonic()
        finally:
            await admin.close()
        await all_received(officers, 120)
        await bot.stop()
        lost, duplicates = tally(officers)
        during = ok_sends(sandbox, began, back)
        resumed = min(c.at for c in sandbox.calls if c.method == "sendMessage" and c.at > back)
    return Row(
        f"database away {args.outage:g} s mid-broadcast to {len(officers)}",
        "postgresql",
        lost,
        duplicates,
        during,
        f"sending resumed {resumed - back:.1f} s after it came back",
    )


async def _leader_scenario(
    folder: Path, server: str, args: argparse.Namespace, *, cut: bool
) -> Row:
    async with (
        Sandbox(latency=LATENCY) as sandbox,
        database("postgresql", server, folder) as url,
    ):
        officers = await seed_officers(url, sandbox, args.contacts)
        parsed = make_url(url)
        async with TcpProxy(parsed.host or "127.0.0.1", parsed.port or 5432) as proxy:
            leader_url = url
            if cut:
                leader_url = parsed.set(host="127.0.0.1", port=proxy.port).render_as_string(
                    hide_password=False
                )
            first = Bot(folder, "leader", sandbox, leader_url)
            second = Bot(folder, "standby", sandbox, url)
            await first.start()
            await first.wait_role("leader")
            await second.start()
            await second.wait_role("standby")
            await queue_letter(url)
            await sandbox.wait_for("sendMessage", ok=True, count=60, timeout=60)
            if cut:
                proxy.cut(blackhole=True)
            else:
                await first.stop(kill=True)
            at = time.monotonic()
            before = ok_sends(sandbox, until=at - 0.5)
            await second.wait_role("leader", timeout=60)
            led = time.monotonic() - at
            await all_received(officers, 120)
            in_flight = ok_sends(sandbox, until=at + 1.5) - before
            if cut:
                proxy.restore()
            await first.stop()
            await second.stop()
        lost, duplicates = tally(officers)
    what = "cut off from the database" if cut else "killed (kill -9)"
    return Row(
        f"leader {what} mid-broadcast to {len(officers)}",
        "postgresql",
        lost,
        duplicates,
        in_flight,
        f"the standby led {led:.1f} s after",
    )


async def leader_killed(folder: Path, server: str, args: argparse.Namespace) -> Row:
    return await _leader_scenario(folder, server, args, cut=False)


async def leader_cut(folder: Path, server: str, args: argparse.Namespace) -> Row:
    return await _leader_scenario(folder, server, args, cut=True)


async def storm_429(folder: Path, server: str, args: argparse.Namespace) -> Row:
    async with Sandbox(latency=LATENCY) as sandbox, database("sqlite", server, folder) as url:
        officers = await seed_officers(url, sandbox, args.contacts)
        bot = Bot(folder, "storm", sandbox, url)
        await bot.start()
        await queue_letter(url)
        await sandbox.wait_for("sendMessage", ok=True, count=60, timeout=60)
        sandbox.faults.add("sendMessage", status=429, retry_after=5, times=1_000_000)
        await asyncio.sleep(5)  # Telegram's flood wait
        sandbox.faults.clear()
        await all_received(officers, 120)
        await bot.stop()
        lost, duplicates = tally(officers)
    storm = [c for c in sandbox.calls if c.status == 429]
    return Row(
        "429 storm: every send answered «retry after 5» for 5 s",
        "sqlite",
        lost,
        duplicates,
        None,
        f"429 answers: the first and {len(storm) - 1} more (already on their way)",
    )


async def telegram_down(folder: Path, server: str, args: argparse.Namespace) -> Row:
    async with Sandbox(latency=LATENCY) as sandbox, database("sqlite", server, folder) as url:
        officers = await seed_officers(url, sandbox, args.contacts)
        bot = Bot(folder, "5xx", sandbox, url)
        await bot.start()
        await queue_letter(url)
        await sandbox.wait_for("sendMessage", ok=True, count=30, timeout=60)
        sandbox.faults.add("sendMessage", status=502, times=10_000_000)
        began = time.monotonic()
        await asyncio.sleep(args.telegram_down)
        sandbox.faults.clear()
        back = time.monotonic()
        await all_received(officers, 300)
        await bot.stop()
        lost, duplicates = tally(officers)
    requests = sum(1 for c in sandbox.calls if c.method == "sendMessage" and began < c.at < back)
    last = max(c.at for c in sandbox.calls if c.method == "sendMessage" and c.ok)
    return Row(
        f"Telegram answers 502 for {args.telegram_down:g} s, then recovers",
        "sqlite",
        lost,
        duplicates,
        None,
        f"{requests} requests meanwhile; drained {last - back:.1f} s after the recovery",
    )


async def rss(folder: Path, server: str, args: argparse.Namespace) -> list[Row]:
    rows = []
    # PostgreSQL, the production database, unless told not to use it: SQLite's one writer
    # makes a 50,000-contact broadcast at full speed a quarter of an hour.
    kind = "sqlite" if args.no_postgres else "postgresql"
    for count in args.rss:
        limits = RateLimits(global_per_second=None, per_chat_per_second=None)
        async with Sandbox(limits=limits) as sandbox, database(kind, server, folder) as url:
            officers = await seed_officers(url, sandbox, count)
            bot = Bot(
                folder,
                f"rss-{count}",
                sandbox,
                url,
                broadcast="[broadcast]\nrate_per_second = 1000",
            )
            await bot.start()
            await sandbox.wait_for("getUpdates", timeout=60)
            started = time.monotonic()
            await queue_letter(url)
            while await recorded(url) < len(officers):  # noqa: ASYNC110 (a database to poll)
                await asyncio.sleep(1)
            took = time.monotonic() - started
            peak = bot.peak_rss_mb()
            await bot.stop()
        rows.append(
            Row(
                f"peak RSS, broadcast to {count:,} contacts",
                kind,
                note=f"{peak:.0f} MB (target < {RSS_TARGET_MB:.0f}); sent in {took:.0f} s",
            )
        )
    return rows


async def report_rss(folder: Path, server: str, args: argparse.Namespace) -> Row:
    limits = RateLimits(global_per_second=None, per_chat_per_second=None)
    async with Sandbox(limits=limits) as sandbox, database("sqlite", server, folder) as url:
        engine = make_engine(url)
        try:
            await upgrade(engine)
            directive_id, _, _ = await seed_report(
                make_sessionmaker(engine), args.report_agencies, 1
            )
        finally:
            await engine.dispose()
        staff = sandbox.add_user("Cán bộ Sở", user_id=STAFF_ID)
        bot = Bot(folder, "report", sandbox, url, staff=f"[staff]\nadmins = [{STAFF_ID}]")
        await bot.start()
        await sandbox.wait_for("getUpdates", timeout=60)
        started = time.monotonic()
        await staff.send(f"/report {directive_id}")
        await sandbox.wait_for("sendDocument", ok=True, chat_id=STAFF_ID, count=1, timeout=300)
        took = time.monotonic() - started
        peak = bot.peak_rss_mb()
        await bot.stop()
    return Row(
        f"peak RSS, /report of a letter to {args.report_agencies:,} agencies",
        "sqlite",
        note=f"{peak:.0f} MB (target < {RSS_TARGET_MB:.0f}); workbook and chart in {took:.1f} s",
    )


# the table ----------------------------------------------------------------------------------


def render(rows: Sequence[Row]) -> str:
    def cell(value: int | None) -> str:
        return "-" if value is None else str(value)

    width = max(len(r.fault) for r in rows)
    lines = [
        f"{'fault':<{width}}  {'database':<10}  {'lost':>4}  {'dupl.':>5}  {'in flight':>9}  note",
    ]
    for r in rows:
        lines.append(
            f"{r.fault:<{width}}  {r.database:<10}  {cell(r.lost):>4}  {cell(r.duplicates):>5}  "
            f"{cell(r.allowed):>9}  {r.note}"
        )
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--only", default=",".join(SCENARIOS), help=", ".join(SCENARIOS))
    parser.add_argument("--contacts", type=int, default=300)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--outage", type=float, default=8.0, help="seconds the database is away")
    parser.add_argument(
        "--telegram-down", type=float, default=120.0, help="seconds Telegram answers 502"
    )
    parser.add_argument(
        "--rss",
        type=lambda text: [int(n) for n in text.split(",") if n],
        default=[10_000, 50_000],
        help="contact counts of the RSS broadcasts",
    )
    parser.add_argument("--report-agencies", type=int, default=10_000)
    parser.add_argument(
        "--postgres",
        default=os.environ.get(POSTGRES_ENV) or DEFAULT_POSTGRES,
        help=f"PostgreSQL server URL (default ${POSTGRES_ENV} or {DEFAULT_POSTGRES})",
    )
    parser.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL rows")
    args = parser.parse_args(argv)
    args.only = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = set(args.only) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenario(s): {', '.join(sorted(unknown))}")
    return args


async def run(args: argparse.Namespace) -> list[Row]:
    rows: list[Row] = []
    postgres = {"outage", "leader-killed", "leader-cut"}
    steps: dict[str, Any] = {
        "kills": kills,
        "outage": outage,
        "leader-killed": leader_killed,
        "leader-cut": leader_cut,
        "429": storm_429,
        "5xx": telegram_down,
        "rss": rss,
        "report": report_rss,
    }
    with tempfile.TemporaryDirectory(prefix="agency-bot-faults-") as tmp:
        folder = Path(tmp)
        for name in args.only:
            if name in postgres and args.no_postgres:
                continue
            print(f"… {name}", file=sys.stderr, flush=True)
            result = await steps[name](folder, args.postgres, args)
            rows += result if isinstance(result, list) else [result]
    return rows


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    rows = asyncio.run(run(args))
    print(render(rows))


if __name__ == "__main__":
    main()
