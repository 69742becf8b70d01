#!/usr/bin/env python3
"""Acknowledgement benchmark: ≥ 300 «Đã nhận» presses/s handled, p99 < 100 ms.

The real bot (polling, `bot.runner.running_bot`) against the sandbox (no latency unless
`--latency`; Telegram's default limits while measuring, of which answerCallbackQuery has
none and editMessageText only the bot's own per-chat pacing), on SQLite and on PostgreSQL.
The bot runs in a process of its own (bench/bot_process.py), as it does against Telegram,
so the figures measure the bot and not the simulator; `--same-process` puts it on the
sandbox's event loop instead (then both share one core).

Setup, not timed: N agencies (default 600) with one officer each, and two directives queued
to all of them and delivered with the sandbox's limits off and `broadcast.rate_per_second`
at 1000, until every officer has both letters. Then Telegram's limits come back, the bot is
restarted with the default pacing of 30/s, and two measured phases follow, one per letter:

1. Burst. All N officers press «Đã nhận» at once (one `asyncio.gather`, every update pushed
   within the same turn of the event loop).
2. Steady. The N presses are pushed one by one at a fixed offered rate (default 300/s, so
   2 s for 600), on evenly spaced slots of the monotonic clock: the latency under the
   target load rather than after a pile-up.

A press's latency runs from the moment its callback_query update is pushed to the moment
the sandbox records the bot's answerCallbackQuery for that callback_query_id (both
`time.monotonic()`). Handled per second is N / (last answer − first push). Each phase is
checked: N answers with 200 (the sandbox, like Telegram, refuses an answer more than 15 s
after the press), N editMessageText stamps (their latency is shown for information), exactly
N deliveries of that directive acknowledged in the database, no API call answered other
than 200 and no handler error during the phase (counted, and kept off stderr). The bot's
event-loop lag is sampled throughout.

Run it from the repository, with the package installed (`pip install -e .`):

    python bench/acks.py [--agencies 600] [--rate 300] [--latency 0] [--same-process]
                         [--postgres URL | --no-postgres] [--no-sqlite] [--json]

PostgreSQL is `--postgres`, else $AGENCY_BOT_TEST_POSTGRES, else the local server; the
benchmark creates its own database there and drops it after. SQLite lives in a temporary
folder. Nothing goes beyond 127.0.0.1 except to that PostgreSQL server, and the run stops
by itself (under a minute with the defaults, most of it the bot sending the letters).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
from scratch_db import ScratchPostgres, asyncpg_url
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import bot
from bot.config import Settings, settings_from_mapping
from bot.delivery.directive_input import DirectiveDraft
from bot.delivery.drafts import create_directive, queue_broadcast, set_targets
from bot.deps import get_deps_from_app
from bot.logs import setup_logging
from bot.runner import RunningBot, freeze_startup_objects, running_bot
from bot.sandbox import ApiCall, RateLimits, Sandbox, SentMessage, SimUser
from bot.telegram.limiter import SendLimiter, SharedRateLimiter
from db.migrate import upgrade
from db.models import (
    Agency,
    Contact,
    ContactRole,
    ContactStatus,
    Delivery,
    DirectiveStatus,
    utcnow,
)
from db.queries.agencies import AgencyInput, upsert_agencies
from db.session import make_engine, make_sessionmaker

RATE_TARGET = 300.0
P99_TARGET_MS = 100.0
SETUP_SEND_RATE = 1000
ACK_BUTTON = "Đã nhận"
GROUP = "so-nganh"
FIRST_OFFICER_ID = 500_000_001
POSTGRES_ENV = "AGENCY_BOT_TEST_POSTGRES"
DEFAULT_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
POSTGRES_CONNECT_TIMEOUT = 5.0
# The bot paces each chat at about one message a second: after the letters went out, wait
# that long so the stamps (edits) do not queue behind the deliveries' slots.
CHAT_PACING_SETTLE = 1.1
PHASE_SETTLE = 0.5
PHASE_TIMEOUT = 60.0
BOT_ERROR_LOGGER = "bot.app"
LAG_PROBE_SECONDS = 0.01
# The bot's own process imports the same `bot` package as this one (a worktree's, say).
BOT_ROOT = str(Path(bot.__file__).resolve().parent.parent)
BOT_PROCESS_SCRIPT = str(Path(__file__).with_name("bot_process.py"))


# results ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PhaseResult:
    phase: str  # "burst" or "steady"
    presses: int
    offered_rate: float | None  # presses pushed per second (None: all at once)
    push_seconds: float  # first to last push
    seconds: float  # first push to last answer
    rate: float  # presses handled per second
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    answered: int
    edited: int
    edit_p50_ms: float
    edit_p99_ms: float
    acknowledged_in_db: int
    errors: int
    answer_calls: int
    errors_by_reason: dict[str, int]
    handler_errors: int
    first_handler_error: str | None
    loop_lag_mean_ms: float
    loop_lag_max_ms: float

    @property
    def correct(self) -> bool:
        n = self.presses
        counts = (self.answered, self.edited, self.acknowledged_in_db)
        return counts == (n, n, n) and self.errors == self.handler_errors == 0


@dataclass(frozen=True)
class DatabaseResult:
    setup_seconds: float
    phases: list[PhaseResult]


@dataclass(frozen=True)
class Skipped:
    skipped: str


@dataclass
class Report:
    agencies: int
    latency_ms: float
    steady_rate: float
    same_process: bool = False
    databases: dict[str, DatabaseResult | Skipped] = field(default_factory=dict)


# setup -----------------------------------------------------------------------------------------


def _draft(n: int) -> DirectiveDraft:
    """A letter shaped like the real ones: a number, a body, a link button, one action."""
    return DirectiveDraft(
        subject=f"V/v thử hiệu năng xác nhận đã nhận lần {n}",
        body="Đề nghị các đơn vị đăng tải đường link https://example.org/bench trên trang web.",
        number=_number(n),
        links=("https://example.org/bench",),
        actions=("Đăng tải đường link",),
    )


def _number(n: int) -> str:
    return f"{n}/STTTT-ACK"


def _settings_mapping(sandbox: Sandbox, db_url: str, rate: float) -> dict[str, Any]:
    return {
        "telegram": {"token": sandbox.token, "api_base_url": sandbox.base_url},
        "database": {"url": db_url},
        "broadcast": {"rate_per_second": rate},
        "web": {"port": 0},
    }


def _settings(sandbox: Sandbox, db_url: str) -> Settings:
    return settings_from_mapping(_settings_mapping(sandbox, db_url, SETUP_SEND_RATE), "bench")


async def _seed_officers(
    sm: async_sessionmaker[AsyncSession], sandbox: Sandbox, count: int
) -> list[SimUser]:
    """`count` agencies through the import path, and one active primary officer each,
    inserted in one executemany (joining 600 through invites took 10 s and measures
    nothing here)."""
    codes = [f"bench-{n:05d}" for n in range(1, count + 1)]
    rows = [AgencyInput(code, f"Đơn vị thử {code}", GROUP, None) for code in codes]
    now = utcnow()
    officers = [
        sandbox.add_user(f"Cán bộ {code}", user_id=FIRST_OFFICER_ID + n)
        for n, code in enumerate(codes)
    ]
    async with sm.begin() as session:
        await upsert_agencies(session, rows)
        ids = (await session.scalars(select(Agency.id).order_by(Agency.code))).all()
        await session.execute(
            insert(Contact),
            [
                {
                    "agency_id": agency_id,
                    "telegram_user_id": officer.id,
                    "chat_id": officer.chat_id,
                    "display_name": officer.first_name,
                    "role": ContactRole.PRIMARY,
                    "status": ContactStatus.ACTIVE,
                    "joined_at": now,
                    "status_changed_at": now,
                }
                for agency_id, officer in zip(ids, officers, strict=True)
            ],
        )
    return officers


async def _queue_to_all(sm: async_sessionmaker[AsyncSession], settings: Settings, n: int) -> int:
    """Queue directive `n` to every agency through the service layer; returns its id."""
    async with sm.begin() as session:
        directive = await create_directive(
            session,
            _draft(n),
            now=utcnow(),
            timezone=settings.reminders.timezone,
            created_by=None,
            status=DirectiveStatus.DRAFT,
        )
        await set_targets(session, directive, ["all"])
        await queue_broadcast(session, directive, now=utcnow(), actor_id=None)
        return directive.id


def _letter(user: SimUser, n: int) -> SentMessage:
    """The officer's copy of letter `n`, the one with the buttons."""
    number = _number(n)
    for sent in user.inbox:
        if number in sent.shown_text and any(ACK_BUTTON in b["text"] for b in sent.buttons()):
            return sent
    raise LookupError(f"{user!r} has no letter {number}")


# measuring -------------------------------------------------------------------------------------


class HandlerErrors(logging.Filter):
    """Counts the bot's "error while handling an update" records and keeps them off stderr
    (hundreds of tracebacks would bury the table); each phase reports its count and first."""

    def __init__(self) -> None:
        super().__init__()
        self.errors: list[str] = []

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.ERROR:
            return True
        error = record.exc_info[1] if record.exc_info else None
        self.errors.append(f"{type(error).__name__}: {error}" if error else record.getMessage())
        return False

    def __enter__(self) -> HandlerErrors:
        logging.getLogger(BOT_ERROR_LOGGER).addFilter(self)
        return self

    def __exit__(self, *_: object) -> None:
        logging.getLogger(BOT_ERROR_LOGGER).removeFilter(self)


class LoopLag:
    """How late the event loop wakes a short sleep: a saturated loop delays every answer."""

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


class BotProcess:
    """The bot in a process of its own (bench/bot_process.py), as it runs against Telegram:
    the figures then measure the bot, not the simulator. Its handler errors and event-loop
    lag come back on its stdout."""

    def __init__(self, settings: dict[str, Any]) -> None:
        self._settings = settings
        self._process: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self.ready = asyncio.Event()
        self.errors: list[str] = []
        self.lags: list[tuple[float, float]] = []  # (when, lag) in seconds

    async def __aenter__(self) -> BotProcess:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (BOT_ROOT, env.get("PYTHONPATH")) if p)
        self._process = await asyncio.create_subprocess_exec(
            sys.executable,
            BOT_PROCESS_SCRIPT,
            json.dumps(self._settings),
            stdout=asyncio.subprocess.PIPE,
            env=env,
        )
        self._reader = asyncio.create_task(self._read(), name="bench-bot-stdout")
        ready = asyncio.create_task(self.ready.wait())
        await asyncio.wait({ready, self._reader}, timeout=60, return_when=asyncio.FIRST_COMPLETED)
        ready.cancel()
        if not self.ready.is_set():
            await self.__aexit__()
            raise RuntimeError("the bot process did not start")
        return self

    async def _read(self) -> None:
        assert self._process is not None
        assert self._process.stdout is not None
        async for raw in self._process.stdout:
            kind, _, rest = raw.decode(errors="replace").rstrip("\n").partition(" ")
            if kind == "READY":
                self.ready.set()
            elif kind == "LAG":
                when, lag = rest.split()
                self.lags.append((float(when), float(lag)))
            elif kind == "ERROR":
                self.errors.append(rest.partition(" ")[2])

    async def __aexit__(self, *_: object) -> None:
        process = self._process
        if process is not None and process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                process.kill()
                await process.wait()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)

    def lag_probe(self) -> ChildLag:
        return ChildLag(self)


class ChildLag:
    """The bot process's loop lag over a phase (LoopLag's counterpart)."""

    def __init__(self, process: BotProcess) -> None:
        self._process = process
        self._start = 0.0
        self._end: float | None = None

    @property
    def lags(self) -> list[float]:
        end = self._end if self._end is not None else float("inf")
        return [lag for when, lag in self._process.lags if self._start <= when <= end]

    async def __aenter__(self) -> ChildLag:
        self._start = time.monotonic()
        return self

    async def __aexit__(self, *_: object) -> None:
        self._end = time.monotonic()


async def _press(user: SimUser, letter: SentMessage) -> tuple[str, float]:
    """Press «Đã nhận»; returns the callback_query_id and when the update was pushed."""
    pushed = time.monotonic()
    update = await user.press(letter, ACK_BUTTON)
    return str(update["callback_query"]["id"]), pushed


async def _press_all(presses: Sequence[tuple[SimUser, SentMessage]]) -> list[tuple[str, float]]:
    return await asyncio.gather(*(_press(user, letter) for user, letter in presses))


async def _press_steadily(
    presses: Sequence[tuple[SimUser, SentMessage]], rate: float
) -> list[tuple[str, float]]:
    """One press per 1/rate seconds, on slots fixed from the start, so timer lateness is
    caught up rather than slowing the offered rate down."""
    start = time.monotonic()
    pushed = []
    for i, (user, letter) in enumerate(presses):
        delay = start + i / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        pushed.append(await _press(user, letter))
    return pushed


def _percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty sample."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


async def _acknowledged(sm: async_sessionmaker[AsyncSession], directive_id: int) -> int:
    async with sm() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(Delivery)
            .where(Delivery.directive_id == directive_id, Delivery.acknowledged_at.is_not(None))
        )
    return int(count or 0)


async def _wait_calls(
    sandbox: Sandbox, method: str, count: int, where: Any, timeout: float
) -> list[ApiCall]:
    """The `count` matching calls, or as many as came before the deadline."""
    try:
        return await sandbox.wait_for(method, count=count, where=where, timeout=timeout)
    except TimeoutError:
        return [c for c in sandbox.calls if c.method == method and where(c)]


async def measure_phase(
    sandbox: Sandbox,
    sm: async_sessionmaker[AsyncSession],
    presses: Sequence[tuple[SimUser, SentMessage]],
    directive_id: int,
    rate: float | None,
    handler_errors: list[str],
    lag_probe: Callable[[], LoopLag | ChildLag],
) -> PhaseResult:
    """Push the presses (all at once, or at `rate` per second) and time the answers."""
    first_call = len(sandbox.calls)
    first_error = len(handler_errors)
    async with lag_probe() as lag:
        pushes, answers, edits = await _push_and_wait(sandbox, presses, rate)
    # The sandbox records an answer before the bot reads it: let the handlers finish.
    await asyncio.sleep(PHASE_SETTLE)
    errors = handler_errors[first_error:]
    acknowledged = await _acknowledged(sm, directive_id)
    calls = sandbox.calls[first_call:]
    pushed_at = dict(pushes)
    latencies = [1000 * (c.at - pushed_at[str(c.params["callback_query_id"])]) for c in answers]
    by_chat = {
        letter.chat_id: pushed for (_, letter), (_, pushed) in zip(presses, pushes, strict=True)
    }
    edit_latencies = [1000 * (c.at - by_chat[c.params["chat_id"]]) for c in edits] or [0.0]
    first_push = min(pushed_at.values())
    last_push = max(pushed_at.values())
    last_answer = max((c.at for c in answers), default=first_push)
    span = last_answer - first_push
    lags = lag.lags or [0.0]
    errors_by_reason: dict[str, int] = {}
    for c in calls:
        if not c.ok:
            reason = f"{c.method} {c.status} {c.response.get('description', '')}".strip()
            errors_by_reason[reason] = errors_by_reason.get(reason, 0) + 1
    return PhaseResult(
        phase="burst" if rate is None else "steady",
        presses=len(presses),
        offered_rate=rate,
        push_seconds=last_push - first_push,
        seconds=span,
        rate=len(answers) / span if span > 0 else 0.0,
        p50_ms=_percentile(latencies or [0.0], 50),
        p95_ms=_percentile(latencies or [0.0], 95),
        p99_ms=_percentile(latencies or [0.0], 99),
        max_ms=max(latencies, default=0.0),
        answered=sum(1 for c in answers if c.ok),
        edited=len(edits),
        edit_p50_ms=_percentile(edit_latencies, 50),
        edit_p99_ms=_percentile(edit_latencies, 99),
        acknowledged_in_db=acknowledged,
        errors=sum(1 for c in calls if not c.ok),
        answer_calls=len(answers),
        errors_by_reason=errors_by_reason,
        handler_errors=len(errors),
        first_handler_error=errors[0] if errors else None,
        loop_lag_mean_ms=1000 * statistics.fmean(lags),
        loop_lag_max_ms=1000 * max(lags),
    )


async def _push_and_wait(
    sandbox: Sandbox, presses: Sequence[tuple[SimUser, SentMessage]], rate: float | None
) -> tuple[list[tuple[str, float]], list[ApiCall], list[ApiCall]]:
    """The pushes, then every press's answer, then a stamp for every press answered with 200
    (a press answered too late fails in the handler before its stamp)."""
    letters = {(letter.chat_id, letter.message_id) for _, letter in presses}
    pushes = await (_press_all(presses) if rate is None else _press_steadily(presses, rate))
    ids = {query_id for query_id, _ in pushes}
    answers = await _wait_calls(
        sandbox,
        "answerCallbackQuery",
        len(presses),
        lambda c: str(c.params.get("callback_query_id")) in ids,
        PHASE_TIMEOUT,
    )
    edits = await _wait_calls(
        sandbox,
        "editMessageText",
        sum(1 for c in answers if c.ok),
        lambda c: c.ok and (c.params.get("chat_id"), c.params.get("message_id")) in letters,
        PHASE_TIMEOUT,
    )
    return pushes, answers, edits


async def bench_database(
    db_url: str, agencies: int, steady_rate: float, latency: float, same_process: bool = False
) -> DatabaseResult:
    """Set up, then the burst phase on letter 1 and the steady phase on letter 2."""
    relaxed = RateLimits(global_per_second=None, per_chat_per_second=None)
    setup_started = time.monotonic()
    async with Sandbox(latency=latency, limits=relaxed) as sandbox:
        if same_process:
            return await _bench_in_process(sandbox, db_url, agencies, steady_rate, setup_started)
        settings = _settings(sandbox, db_url)
        engine = make_engine(db_url)
        try:
            await upgrade(engine)
            sm = make_sessionmaker(engine)
            officers = await _seed_officers(sm, sandbox, agencies)
            letters = 2 if steady_rate > 0 else 1
            directives = [await _queue_to_all(sm, settings, n) for n in range(1, letters + 1)]
            async with BotProcess(_settings_mapping(sandbox, db_url, SETUP_SEND_RATE)):
                await sandbox.wait_for(
                    "sendMessage", count=agencies * letters, ok=True, timeout=60 + agencies / 20
                )
            # Measure under Telegram's limits, and the bot's own (production) pacing: a bot
            # started with the default rate (restarting takes longer than CHAT_PACING_SETTLE).
            sandbox.limits = RateLimits()
            default_rate = Settings().broadcast.rate_per_second
            async with BotProcess(_settings_mapping(sandbox, db_url, default_rate)) as bot_process:
                setup_seconds = time.monotonic() - setup_started
                phases = []
                for n, directive_id in enumerate(directives, start=1):
                    presses = [(u, _letter(u, n)) for u in officers]
                    rate = None if n == 1 else steady_rate
                    phases.append(
                        await measure_phase(
                            sandbox,
                            sm,
                            presses,
                            directive_id,
                            rate,
                            bot_process.errors,
                            bot_process.lag_probe,
                        )
                    )
                    await asyncio.sleep(CHAT_PACING_SETTLE)
        finally:
            await engine.dispose()
    return DatabaseResult(setup_seconds, phases)


async def _bench_in_process(
    sandbox: Sandbox, db_url: str, agencies: int, steady_rate: float, setup_started: float
) -> DatabaseResult:
    """`--same-process`: the bot on the sandbox's event loop (they share one core)."""
    settings = _settings(sandbox, db_url)
    async with running_bot(settings) as running:
        sm = running.sessionmaker
        officers = await _seed_officers(sm, sandbox, agencies)
        letters = 2 if steady_rate > 0 else 1
        directives = [await _queue_to_all(sm, settings, n) for n in range(1, letters + 1)]
        get_deps_from_app(running.application.bot_data).outbox_wake.set()
        await sandbox.wait_for(
            "sendMessage", count=agencies * letters, ok=True, timeout=60 + agencies / 20
        )
        # Measure under Telegram's limits, and the bot's own (production) pacing.
        sandbox.limits = RateLimits()
        _set_send_rate(running, Settings().broadcast.rate_per_second)
        freeze_startup_objects()  # as `agency-bot run` does once started
        await asyncio.sleep(CHAT_PACING_SETTLE)
        setup_seconds = time.monotonic() - setup_started
        phases = []
        with HandlerErrors() as errors:
            for n, directive_id in enumerate(directives, start=1):
                presses = [(u, _letter(u, n)) for u in officers]
                rate = None if n == 1 else steady_rate
                phases.append(
                    await measure_phase(
                        sandbox, sm, presses, directive_id, rate, errors.errors, LoopLag
                    )
                )
                await asyncio.sleep(CHAT_PACING_SETTLE)
    return DatabaseResult(setup_seconds, phases)


def _set_send_rate(running: RunningBot, rate_per_second: float) -> None:
    """The setup sends at SETUP_SEND_RATE; the measured phases get the configured default,
    so the bot paces its messages as in production (PTB's public rate-limiter hook)."""
    shared = running.application.bot.rate_limiter
    if not isinstance(shared, SharedRateLimiter):
        raise TypeError(f"unexpected rate limiter {shared!r}")
    shared.limiter = SendLimiter(rate_per_second)


# PostgreSQL --------------------------------------------------------------------------------------


async def bench_postgres(
    server_url: str, agencies: int, steady_rate: float, latency: float, same_process: bool
) -> DatabaseResult | Skipped:
    """The benchmark on PostgreSQL, or why it could not run (server down, no rights)."""
    shown = asyncpg_url(server_url).render_as_string(hide_password=True)
    scratch = ScratchPostgres(server_url)
    try:
        try:
            db_url = await scratch.create()
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            return Skipped(f"{shown}: {type(exc).__name__}: {exc}".strip())
        return await bench_database(db_url, agencies, steady_rate, latency, same_process)
    finally:
        await scratch.drop()


# report ----------------------------------------------------------------------------------------


def _verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def _row(label: str, value: str, target: str, ok: bool) -> str:
    return f"    {label:<12} {value:<50} target {target:<22} {_verdict(ok)}"


def _phase_lines(p: PhaseResult) -> list[str]:
    if p.offered_rate is None:
        title = f"burst: {p.presses} presses at once"
        rate_target, rate_ok = f">= {RATE_TARGET:g} /s", p.rate >= RATE_TARGET
    else:
        title = (
            f"steady: {p.presses} presses offered at {p.offered_rate:g}/s "
            f"(pushed over {p.push_seconds:.2f} s)"
        )
        # It cannot handle more than is offered: keeping up with the offer is the target.
        offered = min(p.offered_rate, p.presses / p.push_seconds if p.push_seconds else p.rate)
        rate_target, rate_ok = f">= {0.95 * offered:.0f} /s (keeps up)", p.rate >= 0.95 * offered
    lines = [
        f"  {title}",
        _row(
            "handled",
            f"{p.rate:.1f} /s ({p.answer_calls} answered in {p.seconds:.2f} s)",
            rate_target,
            rate_ok,
        ),
        _row(
            "latency ms",
            f"p50 {p.p50_ms:.0f}  p95 {p.p95_ms:.0f}  p99 {p.p99_ms:.0f}  max {p.max_ms:.0f}",
            f"p99 < {P99_TARGET_MS:g} ms",
            p.p99_ms < P99_TARGET_MS,
        ),
        _row(
            "checks",
            f"answered ok {p.answered}, stamped {p.edited}, in db {p.acknowledged_in_db}",
            f"all {p.presses}, 0 errors",
            p.correct,
        ),
        f"    {'':12} API errors {p.errors}, handler errors {p.handler_errors}",
    ]
    lines += [f"{'':17}{n} × {reason[:100]}" for reason, n in p.errors_by_reason.items()]
    if p.first_handler_error:
        lines.append(f"{'':17}first handler error: {p.first_handler_error[:100]}")
    lines.append(
        f"    {'also':<12} stamp (edit) ms p50 {p.edit_p50_ms:.0f} p99 {p.edit_p99_ms:.0f}; "
        f"event loop lag ms mean {p.loop_lag_mean_ms:.1f} max {p.loop_lag_max_ms:.0f}"
    )
    return lines


def render_text(report: Report) -> str:
    lines = [
        f"acknowledgements: {report.agencies} officers press «{ACK_BUTTON}», "
        f"sandbox latency {report.latency_ms:g} ms, Telegram's default limits, "
        + ("bot on the sandbox's event loop" if report.same_process else "bot in its own process")
    ]
    for label, result in report.databases.items():
        if isinstance(result, Skipped):
            lines.append(f"{label}: skipped: {result.skipped}")
            continue
        lines.append(f"{label} (setup {result.setup_seconds:.1f} s, not timed)")
        for phase in result.phases:
            lines += _phase_lines(phase)
    return "\n".join(lines)


def render_json(report: Report) -> str:
    databases: dict[str, Any] = {}
    for label, result in report.databases.items():
        if isinstance(result, Skipped):
            databases[label] = asdict(result)
        else:
            databases[label] = {
                "setup_seconds": result.setup_seconds,
                "phases": {p.phase: asdict(p) | {"correct": p.correct} for p in result.phases},
            }
    data: dict[str, Any] = {
        "targets": {"rate_min": RATE_TARGET, "p99_ms_max": P99_TARGET_MS, "errors": 0},
        "agencies": report.agencies,
        "latency_ms": report.latency_ms,
        "steady_rate": report.steady_rate,
        "same_process": report.same_process,
        "databases": databases,
    }
    return json.dumps(data, ensure_ascii=False)


# main ------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--agencies", type=int, default=600, help="officers pressing (one each)")
    parser.add_argument(
        "--rate",
        type=float,
        default=RATE_TARGET,
        help=f"offered presses/s of the steady phase (default {RATE_TARGET:g}; 0 skips it)",
    )
    parser.add_argument(
        "--latency", type=float, default=0.0, help="sandbox latency per API call, in seconds"
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get(POSTGRES_ENV) or DEFAULT_POSTGRES,
        help=f"PostgreSQL server URL (default ${POSTGRES_ENV} or {DEFAULT_POSTGRES})",
    )
    parser.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL figures")
    parser.add_argument("--no-sqlite", action="store_true", help="skip the SQLite figures")
    parser.add_argument(
        "--same-process",
        action="store_true",
        help="run the bot on the sandbox's event loop instead of in a process of its own",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if args.agencies < 1:
        parser.error("--agencies must be at least 1")
    return args


async def run(args: argparse.Namespace) -> Report:
    report = Report(args.agencies, 1000 * args.latency, args.rate, args.same_process)
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory(prefix="agency-bot-bench-") as tmp:
            url = f"sqlite+aiosqlite:///{Path(tmp) / 'acks.db'}"
            report.databases["sqlite"] = await bench_database(
                url, args.agencies, args.rate, args.latency, args.same_process
            )
    report.databases["postgresql"] = (
        Skipped("--no-postgres")
        if args.no_postgres
        else await bench_postgres(
            args.postgres, args.agencies, args.rate, args.latency, args.same_process
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
