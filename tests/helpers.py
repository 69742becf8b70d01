"""Helpers shared by the tests: settings pointing at the sandbox, a settable clock, waiting."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

import asyncpg
from aiohttp import web
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.cli.commands import main
from bot.clock import OffsetClock
from bot.config import Settings, settings_from_mapping
from bot.delivery.directive_input import DirectiveDraft
from bot.delivery.drafts import create_directive, queue_broadcast, set_targets
from bot.deps import Tuning
from bot.onboarding.invites import create_invite
from bot.onboarding.joining import Joiner, JoinResult, redeem_invite
from bot.runner import RunningBot
from bot.sandbox import ApiCall, RateLimits, Sandbox, SentMessage, SimUser
from db.models import ContactRole, DirectiveStatus, MessageStatus, OutboundMessage

EXAMPLE_ROSTER = Path(__file__).parent.parent / "examples" / "agencies.csv"
# "all" in a letter's recipients is the top of the roster's tree: the agencies with no parent.
TOP_LEVEL = [
    line.split(",")[0]
    for line in EXAMPLE_ROSTER.read_text(encoding="utf-8").splitlines()[1:]
    if line.endswith(",")
]
ADMIN_ID = 900001
# The bot's loops for tests that are not about pacing: a message every 10 ms in a chat (the
# default sandbox allows it), ticks and polls a few times a second.
FAST = Tuning(
    chat_interval=0.01,
    reminder_tick=0.25,
    progress_interval=0.2,
    idle_poll=0.25,
    report_expiry_interval=0.2,
    dashboard_refresh=0.3,
)
NUMBER = "123/STTTT-TTBCXB"
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
# Limits of the default sandbox: ten times Telegram's global one (the tests' bots send at
# that rate), and a per-chat one loose enough for the FAST tuning (a message every 10 ms in
# a chat) but tight enough to catch a bot that does not pace at all. Tests of pacing build
# a sandbox with Telegram's own limits.
FAST_LIMITS = RateLimits(global_per_second=300, per_chat_per_second=150, per_chat_window=1.0)


def make_settings(sandbox: Sandbox, db_url: str, **overrides: Any) -> Settings:
    data: dict[str, Any] = {
        "telegram": {"token": sandbox.token, "api_base_url": sandbox.base_url},
        "database": {"url": db_url},
        "staff": {"admins": [ADMIN_ID]},
        # No daily digest unless a test asks: it would depend on the time of day the suite runs.
        "reminders": {"staff_digest_at": ""},
        # Many bots run at once (two workers): each serves its web side on a free port.
        "web": {"port": 0},
        # Ten times Telegram's rate (the sandbox allows it): replies in different chats do
        # not queue behind one another. Tests of pacing set Telegram's own.
        "broadcast": {"rate_per_second": 300},
    }
    for section, values in overrides.items():
        data.setdefault(section, {}).update(values)
    return settings_from_mapping(data, "test")


# The bot's clock: real time, which a test can move forward instead of waiting.
Clock = OffsetClock
# The `start_bot` fixture: start the real bot (config sections as keyword arguments).
StartBot = Callable[..., Awaitable[RunningBot]]


async def eventually(
    probe: Callable[[], Awaitable[object]], expected: object, timeout: float = 5.0
) -> None:
    """Wait until `probe()` returns `expected`, with a deadline.

    For state the bot changes without answering (a my_chat_member update): there is no
    message to wait for, so the database is read until it shows the change.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while (value := await probe()) != expected:
        if loop.time() > deadline:
            raise TimeoutError(f"still {value!r} after {timeout}s, expected {expected!r}")
        await asyncio.sleep(0.02)


async def join_officers(
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox: Sandbox,
    codes: list[str],
    *,
    per_agency: int = 1,
    role: ContactRole | None = None,
) -> dict[str, list[SimUser]]:
    """Officers for these agencies, joined through real invites (without the chat round trip);
    `role` is the invites' role (None: the first to join is primary, later ones backup)."""
    officers: dict[str, list[SimUser]] = {}
    now = datetime.now(UTC)
    for code in codes:
        for n in range(per_agency):
            user = sandbox.add_user(f"Cán bộ {code} {n + 1}")
            async with sessionmaker.begin() as session:
                invite = await create_invite(session, agency_code=code, now=now, role=role)
                outcome = await redeem_invite(
                    session, invite.token, Joiner(user.id, user.first_name, None), now
                )
            assert outcome.result == JoinResult.JOINED, outcome
            officers.setdefault(code, []).append(user)
    return officers


def directive_messages(user: SimUser, number: str) -> list[SentMessage]:
    """The messages of directive `number` in a user's chat (every part of it)."""
    return [m for m in user.inbox if number in m.shown_text or "(tiếp theo" in m.shown_text]


async def queue_letter(
    bot: RunningBot,
    *,
    to: tuple[str, ...] = ("all",),
    created_by: int | None = ADMIN_ID,
    **draft: Any,
) -> int:
    """A letter queued through the services, as Gửi or `agency-bot broadcast` would: for
    tests whose subject is what happens after sending, not the compose flow. Returns its id.
    `draft` overrides the test letter's fields (`number=`, `subject=`, `deadline=` …).
    """
    deps = bot.deps
    directive_id = await queue_directive(
        bot.sessionmaker,
        to=to,
        now=deps.clock(),
        timezone=deps.settings.reminders.timezone,
        created_by=created_by,
        **draft,
    )
    deps.outbox_wake.set()
    return directive_id


async def queue_directive(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    to: Sequence[str],
    now: datetime,
    timezone: ZoneInfo = VIETNAM,
    created_by: int | None = ADMIN_ID,
    number: str | None = NUMBER,
    subject: str = "V/v tuyên truyền cho Hội Sách trực tuyến",
    body: str = "Đề nghị các đơn vị đăng tải đường link https://book365.vn.",
    links: tuple[str, ...] = ("https://book365.vn",),
    **fields: Any,
) -> int:
    """`queue_letter` without a running bot (nothing sends it until a test claims it)."""
    draft = DirectiveDraft(subject=subject, body=body, number=number, links=links, **fields)
    async with sessionmaker.begin() as session:
        directive = await create_directive(
            session,
            draft,
            now=now,
            timezone=timezone,
            created_by=created_by,
            status=DirectiveStatus.DRAFT,
        )
        await set_targets(session, directive, to)
        await queue_broadcast(session, directive, now=now, actor_id=created_by)
    return directive.id


# --- conversations through the sandbox -------------------------------------------------

LETTER = (
    "V/v tuyên truyền cho Hội Sách trực tuyến\n"
    "Số: 123/STTTT-TTBCXB\n"
    "Đề nghị các đơn vị đăng tải đường link https://book365.vn trên trang thông tin điện tử."
)


async def compose(admin: SimUser, text: str = LETTER, *, to: str = "all") -> None:
    """Staff types /broadcast, picks the recipients and waits for the Gửi/Hủy question."""
    prompt = await admin.ask(f"/broadcast {text}", "Chọn nơi nhận")
    if to == "all":
        await admin.press(prompt, "Tất cả")
    else:
        await admin.send(to, reply_to=prompt.message_id)
    await admin.wait_for_message("Bấm «Gửi»", timeout=10)


async def broadcast_to(running: RunningBot, sandbox: Sandbox, codes: list[str]) -> SimUser:
    """Staff broadcasts the test letter (directive 1) to these agencies; returns the staff user."""
    admin = sandbox.add_user("Admin", user_id=ADMIN_ID)
    await compose(admin, to=" ".join(codes))
    await admin.press(await admin.wait_for_message("Bấm «Gửi»"), "Gửi")
    return admin


async def letter(user: SimUser) -> SentMessage:
    return await user.wait_for_message(NUMBER, timeout=15, where=lambda m: bool(m.buttons()))


async def answer_to(sandbox: Sandbox, update: dict[str, Any]) -> str:
    """The text the bot answered a press with, once it has answered."""
    query_id = update["callback_query"]["id"]
    [call] = await sandbox.wait_for("answerCallbackQuery", callback_query_id=query_id)
    return str(call.params.get("text", ""))


PAGES = {
    "/tin-tuc/hoi-sach": '<p>Hội Sách trực tuyến: <a href="https://www.book365.vn/">book365</a></p>',
    "/tin-tuc/khac": "<p>Không có đường link nào ở đây.</p>",
}


@asynccontextmanager
async def serve_website(
    pages: dict[str, str] = PAGES,
    *,
    before: Callable[[web.Request], Awaitable[None]] | None = None,
) -> AsyncIterator[str]:
    """An agency's website on 127.0.0.1, serving `pages` (path → body): its base URL.
    `before` runs ahead of each answer (a test may hold one back)."""

    async def page(request: web.Request) -> web.Response:
        if before is not None:
            await before(request)
        body = pages.get(request.path)
        if body is None:
            return web.Response(status=404)
        return web.Response(text=f"<html><body>{body}</body></html>", content_type="text/html")

    app = web.Application()
    app.router.add_get("/{tail:.*}", page)
    runner = web.AppRunner(app, shutdown_timeout=0.1)  # a held-back answer ends with it
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


async def report_with_evidence(
    officer: SimUser, message: SentMessage, *evidence: str
) -> SentMessage:
    """The officer presses Báo cáo kết quả and sends each piece of evidence; the prompt."""
    await officer.press(message, "Báo cáo kết quả")
    prompt = await officer.wait_for_message("Báo cáo kết quả", where=lambda m: bool(m.buttons()))
    for item in evidence:
        await officer.ask(item, "minh chứng")
    return prompt


# --- the bot as a process of its own, as an IT officer runs it -----------------------------


def write_config(
    path: Path, sandbox: Sandbox, db_url: str, *, telegram: str = "", extra: str = ""
) -> Path:
    """A config file for `agency-bot` pointing at the sandbox: `telegram` adds lines to
    [telegram] (`mode = "webhook"`), `extra` whole sections. The web server takes any free
    port unless `extra` has a [web] section."""
    lines = [
        "[telegram]",
        f'token = "{sandbox.token}"',
        f'api_base_url = "{sandbox.base_url}"',
        telegram,
        "[database]",
        f'url = "{db_url}"',
        extra,
    ]
    if "[web]" not in extra:
        lines += ["[web]", "port = 0"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


async def cli(*argv: str) -> tuple[int, str, str]:
    """`agency-bot ARGS`: (exit code, stdout, stderr).

    In a thread of this process, through the same `main()` as the installed command, its
    output captured: starting Python and importing the bot for each command cost about
    2 s. `run` alone goes to a process of its own: it owns the signals, which only a
    main thread may."""
    if "run" in argv:
        return await cli_process(*argv)
    out, err = io.StringIO(), io.StringIO()

    def command() -> int:
        _CAPTURE.set((out, err))
        try:
            return main(list(argv))
        except SystemExit as exit_:  # argparse's usage errors
            return exit_.code if isinstance(exit_.code, int) else 1

    with _captured_output(), restored_logging():
        code = await asyncio.wait_for(asyncio.to_thread(command), 60)
    return code, out.getvalue(), err.getvalue()


async def cli_process(*argv: str) -> tuple[int, str, str]:
    """`agency-bot ARGS` in a process of its own, as a shell runs it."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli.commands",
        *argv,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    return process.returncode or 0, out.decode(), err.decode()


# Where a command run by `cli` writes: set in its thread, and inherited by the tasks and
# threads it starts; everything else (the tests' own bot, in the main thread) writes
# where it did.
_CAPTURE: ContextVar[tuple[io.StringIO, io.StringIO] | None] = ContextVar(
    "cli_capture", default=None
)


class _ByCaller(io.TextIOBase):
    """sys.stdout or sys.stderr while `cli` runs: the command's writes go to its capture."""

    def __init__(self, usual: TextIO, which: int) -> None:
        self._usual = usual
        self._which = which

    def write(self, text: str) -> int:
        capture = _CAPTURE.get()
        return (self._usual if capture is None else capture[self._which]).write(text)

    def flush(self) -> None:
        if _CAPTURE.get() is None:
            self._usual.flush()


@contextmanager
def _captured_output() -> Iterator[None]:
    usual = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _ByCaller(usual[0], 0), _ByCaller(usual[1], 1)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = usual


@contextmanager
def restored_logging() -> Iterator[None]:
    """Logging set up as `agency-bot` does it (root handlers replaced) inside the block,
    the test's own after it. Inside the test, not as a fixture: pytest swaps its capture
    handlers between a test's phases, and a fixture would restore the setup phase's."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    quieted = {name: logging.getLogger(name).level for name in ("httpx", "apscheduler", "alembic")}
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        for name, was in quieted.items():
            logging.getLogger(name).setLevel(was)


async def start_run(
    config: Path, *args: str, log: Path | None = None
) -> asyncio.subprocess.Process:
    """`agency-bot run` with this config, in the background (its log to `log`)."""
    env = {**os.environ, "AGENCY_BOT_CONFIG": str(config)}
    with open(log or os.devnull, "wb") as stderr:  # noqa: ASYNC230 (opening a log, no I/O wait)
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli.commands",
            "run",
            *args,
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=stderr,
        )


async def until_polling(sandbox: Sandbox, timeout: float = 30.0) -> None:
    """Until a bot's long poll waits at the sandbox: it is up. (Its first getUpdates call
    is recorded only when it returns, after the poll's 10 s when nothing comes.)"""

    await sandbox.wait_until(lambda: sandbox.polling, timeout=timeout, what="a long poll")


async def stop_run(process: asyncio.subprocess.Process, *, kill: bool = False) -> int:
    """SIGTERM (a graceful stop) or SIGKILL; its exit code."""
    if process.returncode is None:
        process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
    return await asyncio.wait_for(process.wait(), 30)


def ok_sends(sandbox: Sandbox, *, until: float | None = None) -> list[ApiCall]:
    """The sendMessage calls Telegram answered with success (up to monotonic `until`)."""
    return [
        c
        for c in sandbox.calls
        if c.method == "sendMessage" and c.ok and (until is None or c.at <= until)
    ]


async def recorded_sent(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    async with sessionmaker() as session:
        count = await session.scalar(
            select(func.count(OutboundMessage.id)).where(
                OutboundMessage.status == MessageStatus.SENT
            )
        )
    return int(count or 0)


async def message_statuses(sessionmaker: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    """How many outbound messages are in each status (`{"sent": 40}`)."""
    async with sessionmaker() as session:
        rows = (await session.scalars(select(OutboundMessage.status))).all()
    return {str(status): count for status, count in Counter(rows).items()}


def in_flight_at(sandbox: Sandbox, moment: float, recorded: int) -> int:
    """Messages in flight at `moment` (a kill, a cut): answered by Telegram (a request that
    reached it before then is answered within its latency) but not among the `recorded`
    sent rows read at that moment. Only these may go twice. Call it once the
    requests of that moment have been answered; nothing else may send meanwhile."""
    latency = sandbox.latency
    settle = 3 * float(max(latency) if isinstance(latency, tuple) else latency) + 0.3
    return len(ok_sends(sandbox, until=moment + settle)) - recorded


def copies_per_chat(users: Sequence[SimUser], text: str) -> dict[int, int]:
    """How many messages containing `text` each user received."""
    return {u.id: len([m for m in u.inbox if text in m.shown_text]) for u in users}


# --- PostgreSQL faults ------------------------------------------------------------------------


class DatabaseOutage:
    """The test's PostgreSQL database going away as in a restart or a failover: new
    connections are refused and every open one is terminated, until `end()`."""

    def __init__(self, db_url: str) -> None:
        url = make_url(db_url)
        self.name = url.database or ""
        self._admin = url.set(drivername="postgresql", database="postgres").render_as_string(
            hide_password=False
        )

    async def _run(self, sql: str, *args: object) -> None:
        connection = await asyncpg.connect(self._admin)
        try:
            await connection.execute(sql, *args)
        finally:
            await connection.close()

    async def start(self) -> None:
        await self._run(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS false')
        await self._run(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", self.name
        )

    async def end(self) -> None:
        await self._run(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS true')

    async def terminate(self, pid: int) -> None:
        """Cut one connection (its backend ends, as when the network drops it)."""
        await self._run("SELECT pg_terminate_backend($1, 5000)", pid)  # waits for its end
