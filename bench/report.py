#!/usr/bin/env python3
"""Reporting benchmark: /status < 200 ms and the XLSX < 10 s at full scale.

A scratch database (a temporary SQLite file, and a PostgreSQL database of its own that is
dropped after) is filled through the service layer's bulk paths with N agencies (default
10,000) in six groups and five contacts each (50,000), and one directive queued to all of
them. Then, not timed: the answers of a realistic campaign written straight into the rows
(most sent, 80 % acknowledged over three days, half of those completed with evidence, some
verified, a few failed) and one `message.sent` event per contact plus one event per answer,
as the bot writes them — 60,000+ events for the XLSX's log sheet.

Timed, on each database:

- `/status ID`, the queries: `load_counts` (the aggregate and the median), run `--repeat`
  times (default 20) after one warm-up; p50 and max are printed.
- `/status ID` in Telegram, the target: the real bot (polling, `bot.runner.running_bot`) on
  that database and the sandbox (no latency); `--repeat` staff members each send it once,
  timed from pushing the message to receiving the card (the staff check, the queries, the
  reply and the sandbox's own work, which shares the event loop).
- `/status` without an ID: the recent directives with their rates.
- `/pending ID`, page 1 (the count, the page and its contacts).
- The report: `load_report` (every row, the evidence, the event log), then the XLSX, the
  PNG chart and the official report (DOCX), each timed on its own, as `/report ID` builds
  them.

Run it from the repository, with the package installed (`pip install -e .`):

    python bench/report.py [--agencies 10000] [--contacts-per-agency 5] [--repeat 20]
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
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg
from scratch_db import ScratchPostgres, asyncpg_url
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings, settings_from_mapping
from bot.delivery.directive_input import DirectiveDraft
from bot.delivery.drafts import create_directive, queue_broadcast, set_targets
from bot.reports.chart import build_chart
from bot.reports.official import build_official_report
from bot.reports.status_view import PAGE_SIZE
from bot.reports.summary import load_counts, load_report
from bot.reports.workbook import build_workbook
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
    DirectiveStatus,
    Event,
    Evidence,
    MessageStatus,
    OutboundMessage,
    Verification,
    utcnow,
)
from db.queries.agencies import AgencyInput, upsert_agencies
from db.queries.summary import pending_page, recent_directives
from db.session import make_engine, make_sessionmaker

STATUS_TARGET_MS = 200.0
XLSX_TARGET_S = 10.0
GROUPS = ("so-nganh", "ubnd-huyen", "bao-dai", "hoi", "co-so-in", "truong-hoc")
POSTGRES_ENV = "AGENCY_BOT_TEST_POSTGRES"
DEFAULT_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
ROLES = (ContactRole.PRIMARY, ContactRole.BACKUP, ContactRole.BACKUP, ContactRole.HEAD)
CHUNK = 5000
FIRST_STAFF_ID = 990_000_001


@dataclass(frozen=True)
class Timing:
    p50_ms: float
    max_ms: float


@dataclass(frozen=True)
class DatabaseResult:
    setup_seconds: float
    agencies: int
    contacts: int
    events: int
    status: Timing
    status_in_telegram: Timing
    recent: Timing
    pending: Timing
    load_report_s: float
    xlsx_s: float
    xlsx_bytes: int
    png_s: float
    png_bytes: int
    docx_s: float
    docx_bytes: int

    @property
    def ok(self) -> bool:
        return (
            self.status_in_telegram.max_ms < STATUS_TARGET_MS
            and self.load_report_s + self.xlsx_s < (XLSX_TARGET_S)
        )


@dataclass(frozen=True)
class Skipped:
    skipped: str


@dataclass
class Report:
    agencies: int
    contacts_per_agency: int
    databases: dict[str, DatabaseResult | Skipped] = field(default_factory=dict)


# setup ---------------------------------------------------------------------------------------


async def _chunked(session: AsyncSession, table: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        await session.execute(insert(table), rows[start : start + CHUNK])


async def seed(
    sm: async_sessionmaker[AsyncSession], agencies: int, per_agency: int, seed: int = 6
) -> tuple[int, int, int]:
    """The roster, its contacts, one directive to all, and the campaign's answers.

    Returns (directive id, contacts, events)."""
    rng = random.Random(seed)
    now = utcnow()
    start = now - timedelta(days=3)
    codes = [f"dv-{n:05d}" for n in range(1, agencies + 1)]
    async with sm.begin() as session:
        await upsert_agencies(
            session,
            [
                AgencyInput(c, f"Đơn vị số {c[3:]}", GROUPS[i % len(GROUPS)], None)
                for i, c in enumerate(codes)
            ],
        )
        ids = list((await session.scalars(select(Agency.id).order_by(Agency.code))).all())
        contacts = [
            {
                "agency_id": agency_id,
                "telegram_user_id": 700_000_000 + i * per_agency + k,
                "chat_id": 700_000_000 + i * per_agency + k,
                "display_name": f"Cán bộ {i}-{k}",
                "username": f"canbo_{i}_{k}" if k % 2 == 0 else None,
                "role": ROLES[min(k, len(ROLES) - 1)],
                "status": ContactStatus.ACTIVE,
                "joined_at": start,
                "status_changed_at": start,
            }
            for i, agency_id in enumerate(ids)
            for k in range(per_agency)
        ]
        # Some agencies never got an officer: they fail at queueing, as in real life.
        unreachable = set(rng.sample(ids, max(1, agencies // 100)))
        contacts = [c for c in contacts if c["agency_id"] not in unreachable]
        await _chunked(session, Contact, contacts)
    async with sm.begin() as session:
        directive = await create_directive(
            session,
            DirectiveDraft(
                subject="V/v thử hiệu năng báo cáo tổng kết",
                body="Đề nghị các đơn vị đăng tải https://book365.vn trên trang web.",
                number="99/STTTT-BENCH",
                links=("https://book365.vn",),
                actions=("Đăng tải đường link",),
            ),
            now=start,
            timezone=Settings().reminders.timezone,
            created_by=None,
            status=DirectiveStatus.DRAFT,
        )
        await set_targets(session, directive, ["all"])
        await queue_broadcast(session, directive, now=start, actor_id=None)
        directive_id = directive.id
    events = await _answers(sm, directive_id, rng, start, contacts)
    return directive_id, len(contacts), events


async def _answers(
    sm: async_sessionmaker[AsyncSession],
    directive_id: int,
    rng: random.Random,
    start: Any,
    contacts: list[dict[str, Any]],
) -> int:
    """Sent, acknowledged (80 %), completed (half of those) with evidence, as the bot
    records them, and the matching events."""
    async with sm.begin() as session:
        rows = (
            await session.execute(
                select(Delivery.id, Delivery.agency_id).where(
                    Delivery.directive_id == directive_id,
                    Delivery.status == DeliveryStatus.PENDING,
                )
            )
        ).all()
        first_contact = {c["agency_id"]: c for c in reversed(contacts)}
        ids = {
            c["telegram_user_id"]: cid
            for cid, c in zip(
                (await session.scalars(select(Contact.id).order_by(Contact.id))).all(),
                sorted(contacts, key=lambda c: c["telegram_user_id"]),
                strict=True,
            )
        }
        updates, evidence, events = [], [], []
        for delivery_id, agency_id in rows:
            sent = start + timedelta(seconds=rng.uniform(0, 600))
            values: dict[str, Any] = {
                "id": delivery_id,
                "status": DeliveryStatus.SENT,
                "sent_at": sent,
            }
            contact = first_contact[agency_id]
            if rng.random() < 0.8:
                acked = sent + timedelta(hours=rng.expovariate(1 / 6))
                values |= {
                    "status": DeliveryStatus.ACKNOWLEDGED,
                    "acknowledged_at": acked,
                    "acknowledged_by_contact_id": ids[contact["telegram_user_id"]],
                    "reminders_sent": rng.randint(0, 2),
                }
                events.append(
                    _event("delivery.acknowledged", acked, directive_id, agency_id, contact)
                )
                if rng.random() < 0.5:
                    done = acked + timedelta(hours=rng.expovariate(1 / 12))
                    verdict = (
                        Verification.VERIFIED if rng.random() < 0.8 else Verification.UNVERIFIED
                    )
                    values |= {
                        "status": DeliveryStatus.COMPLETED,
                        "completed_at": done,
                        "evidence_verified": verdict,
                    }
                    url = f"https://dv{agency_id}.soctrang.gov.vn/tin-tuc/hoi-sach"
                    evidence.append(
                        {
                            "delivery_id": delivery_id,
                            "kind": "url",
                            "value": url,
                            "verification": verdict,
                            "created_at": done,
                        }
                    )
                    events.append(
                        _event("delivery.completed", done, directive_id, agency_id, contact)
                    )
            updates.append(values)
        for c in contacts:
            events.append(_event("message.sent", start, directive_id, None, c))
        await session.execute(update(Delivery), updates)
        # As if the dispatcher had sent them all: the bot started below has nothing to send.
        await session.execute(
            update(OutboundMessage)
            .where(OutboundMessage.status == MessageStatus.QUEUED)
            .values(status=MessageStatus.SENT)
        )
        await _chunked(session, Evidence, evidence)
        await _chunked(session, Event, events)
    return len(events)


def _event(
    kind: str, at: Any, directive_id: int, agency_id: int | None, contact: dict[str, Any]
) -> dict[str, Any]:
    return {
        "at": at,
        "kind": kind,
        "actor_type": "bot" if kind == "message.sent" else "user",
        "actor_id": None if kind == "message.sent" else contact["telegram_user_id"],
        "directive_id": directive_id,
        "agency_id": agency_id,
        "detail": {"chat_id": contact["chat_id"]},
    }


# measuring -----------------------------------------------------------------------------------


async def _time(call: Callable[[], Awaitable[object]], repeat: int) -> Timing:
    await call()  # warm-up: connections, statement caches
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        await call()
        times.append(1000 * (time.perf_counter() - started))
    return Timing(statistics.median(times), max(times))


async def _status_in_telegram(db_url: str, directive_id: int, repeat: int) -> Timing:
    """`/status ID` as staff send it: the real bot (polling) and the sandbox, from the
    message pushed to the card received. One staff member per run, so that the bot's
    one-message-a-second pacing per chat never waits."""
    admins = [FIRST_STAFF_ID + n for n in range(repeat + 1)]
    async with Sandbox(
        limits=RateLimits(global_per_second=None, per_chat_per_second=None)
    ) as sandbox:
        settings = settings_from_mapping(
            {
                "telegram": {"token": sandbox.token, "api_base_url": sandbox.base_url},
                "database": {"url": db_url},
                "staff": {"admins": admins},
                "web": {"port": 0},
            },
            "bench",
        )
        async with running_bot(settings):
            times = []
            for user_id in admins:
                staff = sandbox.add_user(f"Cán bộ Sở {user_id}", user_id=user_id)
                started = time.perf_counter()
                await staff.ask(f"/status {directive_id}", "Tổng số đơn vị", timeout=30)
                times.append(1000 * (time.perf_counter() - started))
    times = times[1:]  # the first warms the bot up
    return Timing(statistics.median(times), max(times))


async def bench_database(
    db_url: str, agencies: int, per_agency: int, repeat: int
) -> DatabaseResult:
    engine = make_engine(db_url)
    try:
        await upgrade(engine)
        sm = make_sessionmaker(engine)
        started = time.perf_counter()
        directive_id, contacts, events = await seed(sm, agencies, per_agency)
        setup = time.perf_counter() - started
        tz = Settings().reminders.timezone

        async def status() -> object:
            async with sm() as session:
                return await load_counts(session, directive_id, utcnow(), tz)

        async def recent() -> object:
            async with sm() as session:
                return await recent_directives(session)

        async def pending() -> object:
            async with sm() as session:
                return await pending_page(session, directive_id, page=0, page_size=PAGE_SIZE)

        status_t = await _time(status, repeat)
        telegram_t = await _status_in_telegram(db_url, directive_id, repeat)
        recent_t = await _time(recent, repeat)
        pending_t = await _time(pending, repeat)
        started = time.perf_counter()
        async with sm() as session:
            report = await load_report(
                session, directive_id, utcnow(), tz, group_names=Settings().groups
            )
        loaded = time.perf_counter() - started
        started = time.perf_counter()
        workbook = await asyncio.to_thread(build_workbook, report)
        xlsx = time.perf_counter() - started
        started = time.perf_counter()
        chart = await asyncio.to_thread(build_chart, report)
        png = time.perf_counter() - started
        started = time.perf_counter()
        official = await asyncio.to_thread(build_official_report, report, Settings().organization)
        docx_s = time.perf_counter() - started
    finally:
        await engine.dispose()
    return DatabaseResult(
        setup,
        agencies,
        contacts,
        events,
        status_t,
        telegram_t,
        recent_t,
        pending_t,
        loaded,
        xlsx,
        len(workbook),
        png,
        len(chart),
        docx_s,
        len(official),
    )


async def bench_postgres(
    server_url: str, agencies: int, per_agency: int, repeat: int
) -> DatabaseResult | Skipped:
    shown = asyncpg_url(server_url).render_as_string(hide_password=True)
    scratch = ScratchPostgres(server_url)
    try:
        try:
            db_url = await scratch.create()
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            return Skipped(f"{shown}: {type(exc).__name__}: {exc}".strip())
        return await bench_database(db_url, agencies, per_agency, repeat)
    finally:
        await scratch.drop()


# report --------------------------------------------------------------------------------------


def _verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def render_text(report: Report) -> str:
    lines = [
        f"reports: {report.agencies} agencies, {report.contacts_per_agency} contacts each, "
        "one directive to all"
    ]
    for label, r in report.databases.items():
        if isinstance(r, Skipped):
            lines.append(f"{label}: skipped: {r.skipped}")
            continue
        export = r.load_report_s + r.xlsx_s
        lines += [
            f"{label} (setup {r.setup_seconds:.1f} s, not timed; {r.contacts} contacts, "
            f"{r.events} events)",
            f"    /status ID    p50 {r.status.p50_ms:6.1f} ms  max {r.status.max_ms:6.1f} ms"
            f"   (the queries)",
            f"    /status ID    p50 {r.status_in_telegram.p50_ms:6.1f} ms  max "
            f"{r.status_in_telegram.max_ms:6.1f} ms   target < {STATUS_TARGET_MS:g} ms   "
            f"{_verdict(r.status_in_telegram.max_ms < STATUS_TARGET_MS)}  (in Telegram: "
            "message to card, bot and sandbox)",
            f"    /status       p50 {r.recent.p50_ms:6.1f} ms  max {r.recent.max_ms:6.1f} ms",
            f"    /pending ID   p50 {r.pending.p50_ms:6.1f} ms  max {r.pending.max_ms:6.1f} ms",
            f"    XLSX          {export:6.2f} s (read {r.load_report_s:.2f} s + write "
            f"{r.xlsx_s:.2f} s, {r.xlsx_bytes / 1e6:.1f} MB)   target < {XLSX_TARGET_S:g} s   "
            f"{_verdict(export < XLSX_TARGET_S)}",
            f"    PNG chart     {r.png_s:6.2f} s ({r.png_bytes / 1e3:.0f} kB)",
            f"    DOCX report   {r.docx_s:6.2f} s ({r.docx_bytes / 1e3:.0f} kB)",
        ]
    return "\n".join(lines)


def render_json(report: Report) -> str:
    databases: dict[str, Any] = {}
    for label, r in report.databases.items():
        databases[label] = asdict(r) | ({} if isinstance(r, Skipped) else {"ok": r.ok})
    return json.dumps(
        {
            "targets": {"status_ms_max": STATUS_TARGET_MS, "xlsx_s_max": XLSX_TARGET_S},
            "agencies": report.agencies,
            "contacts_per_agency": report.contacts_per_agency,
            "databases": databases,
        },
        ensure_ascii=False,
    )


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--agencies", type=int, default=10_000)
    parser.add_argument("--contacts-per-agency", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=20, help="timed runs of each query")
    parser.add_argument(
        "--postgres",
        default=os.environ.get(POSTGRES_ENV) or DEFAULT_POSTGRES,
        help=f"PostgreSQL server URL (default ${POSTGRES_ENV} or {DEFAULT_POSTGRES})",
    )
    parser.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL figures")
    parser.add_argument("--no-sqlite", action="store_true", help="skip the SQLite figures")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if args.agencies < 1 or args.contacts_per_agency < 1 or args.repeat < 1:
        parser.error("--agencies, --contacts-per-agency and --repeat must be at least 1")
    return args


async def run(args: argparse.Namespace) -> Report:
    report = Report(args.agencies, args.contacts_per_agency)
    sizes = (args.agencies, args.contacts_per_agency, args.repeat)
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory(prefix="agency-bot-bench-") as tmp:
            url = f"sqlite+aiosqlite:///{Path(tmp) / 'report.db'}"
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
