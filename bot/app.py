"""The one wiring point: settings and a database in, a configured Application out.

Everything the bot runs is built here and nowhere else: the Telegram client and its rate
limiter, the services handlers call (acknowledgements, notices, evidence checks, reminders),
the dispatcher and its leadership, the progress reporter, the handlers and the periodic
jobs. `agency-bot run`, the demo, the benchmarks and the tests all start the bot through
`bot.runner.running_bot`, which calls this; pointing at the sandbox is only a different
api_base_url. This is the one module of `bot/` that knows the `handlers/` package: it
registers them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationBuilder, Defaults, ExtBot, JobQueue

from bot.answers.acknowledge import AckBatcher
from bot.answers.notices import Notices
from bot.config import Settings
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.leadership import Leadership
from bot.delivery.progress import ProgressReporter
from bot.deps import DEPS_KEY, Context, Deps, Tuning, get_deps
from bot.evidence.checker import EvidenceChecker
from bot.evidence.completion import expire_and_tell
from bot.metrics import Metrics
from bot.reminders.rounds import Reminders
from bot.resilience import (
    STALL_SECONDS,
    DatabaseStatus,
    JobGuard,
    Supervisor,
    database_unavailable,
)
from bot.telegram.limiter import SendLimiter, SharedRateLimiter
from bot.telegram.malformed import MalformedPresses
from bot.telegram.processor import PerSenderProcessor
from bot.telegram.prompts import Prompts
from bot.telegram.request import AiohttpRequest
from bot.telegram.strangers import StrangerBudget
from bot.texts import language_from_telegram, plain, t
from bot.web.app import WEB_APP_KEY, build_web_app
from db.models import utcnow
from db.session import make_sessionmaker
from handlers import all_handlers, audit_handlers, evidence_handlers, screen_handlers

log = logging.getLogger(__name__)

# ExtBot[int]: the rate limiter's per-request argument (429 retries), as PTB infers it.
BotApplication = Application[
    ExtBot[int], Context, dict[Any, Any], dict[Any, Any], dict[Any, Any], JobQueue[Context]
]


async def _on_error(update: object, context: Context) -> None:
    """The one home for unexpected errors: log with the traceback, tell the user politely.

    A database that cannot be reached is an outage, not a bug: it is counted (and logged
    once, by DatabaseStatus), and the user is asked to try again in a few minutes; a press
    is answered in its alert, so it never spins and never claims it was recorded.
    """
    error = context.error
    if error is not None and database_unavailable(error):
        get_deps(context).database.failed("handlers", error)
        key = "error.unavailable"
    else:
        log.error("error while handling an update", exc_info=error)
        key = "error.generic"
    if isinstance(update, Update):
        await _apologise(update, key)


async def _apologise(update: Update, key: str) -> None:
    user = update.effective_user
    text = t(language_from_telegram(user.language_code if user else None), key)
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(plain(text), show_alert=True)
        elif update.effective_message is not None:
            await update.effective_message.reply_text(text)
    except Exception:  # the apology is best effort; the error is already logged
        log.debug("could not send the error notice", exc_info=True)


def _guarded(where: str, body: Callable[[Context], Awaitable[None]]) -> Callable[[Context], Any]:
    """A periodic job that never overlaps itself and waits out a database outage."""

    async def job(context: Context) -> None:
        get_deps(context).jobs[where].trigger(lambda: body(context))

    return job


async def _reminder_tick(context: Context) -> None:
    await get_deps(context).reminders.tick()


async def _expire_half_done(context: Context) -> None:
    """Completion reports left half-way end (the officer is told); old questions go.

    Only the leader does it, so that an officer is told once however many instances run.
    """
    deps = get_deps(context)
    if not deps.leadership.is_leader:
        return
    await expire_and_tell(context.bot, deps.sessionmaker, deps.clock())
    await deps.prompts.expire()


async def _resume_abandoned_checks(context: Context) -> None:
    """Evidence checks a restart or another instance left pending are taken up again, by
    the leader (the one that takes the officers' reports)."""
    deps = get_deps(context)
    if deps.leadership.is_leader:
        await deps.evidence.resume_abandoned()


def _report_expiry_interval(settings: Settings, tuning: Tuning) -> float:
    if tuning.report_expiry_interval is not None:
        return tuning.report_expiry_interval
    return min(30.0, max(1.0, settings.evidence.report_timeout.total_seconds() / 4))


def build_application(
    settings: Settings,
    *,
    engine: AsyncEngine,
    clock: Callable[[], datetime] = utcnow,
    tuning: Tuning | None = None,
) -> BotApplication:
    tuning = tuning or Tuning()
    api = settings.telegram.api_base_url
    metrics = Metrics()
    # A network can silently drop a PostgreSQL server's packets; a SQLite file is local.
    stall = STALL_SECONDS if engine.dialect.name == "postgresql" else None
    database = DatabaseStatus(metrics, stall=stall)
    supervisor = Supervisor()
    limiter = SendLimiter(settings.broadcast.rate_per_second, chat_interval=tuning.chat_interval)
    application: BotApplication = (
        ApplicationBuilder()
        .token(settings.telegram.token)
        .base_url(f"{api}/bot")
        .base_file_url(f"{api}/file/bot")
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=settings.reminders.timezone))
        .rate_limiter(SharedRateLimiter(limiter))
        # PTB's defaults (256 connections for requests, 1 for getUpdates), on aiohttp.
        .request(AiohttpRequest(observe=metrics.observe_api_call))
        .get_updates_request(AiohttpRequest(connection_pool_size=1))
        # 256 at once, as PTB's default, but one at a time per sender (a flood holds one).
        .concurrent_updates(PerSenderProcessor())
        .build()
    )
    sessionmaker = make_sessionmaker(engine)
    bot = application.bot
    wake = asyncio.Event()
    leadership = Leadership(
        engine, metrics=metrics, database=database, check_interval=tuning.leader_check
    )
    reminders = Reminders(
        settings,
        sessionmaker,
        clock=clock,
        wake=wake.set,
        leads=lambda: leadership.is_leader,
        metrics=metrics,
    )
    notices = Notices(
        bot, sessionmaker, settings.notices, clock=clock, wake=wake.set, database=database
    )
    progress = ProgressReporter(
        bot,
        sessionmaker,
        interval=tuning.progress_interval,
        leads=lambda: leadership.is_leader,
        database=database,
        supervisor=supervisor,
    )
    dispatcher = Dispatcher(
        bot,
        sessionmaker,
        clock=clock,
        leadership=leadership,
        limiter=limiter,
        metrics=metrics,
        database=database,
        supervisor=supervisor,
        wake=wake,
        on_progress=progress.messages_sent,
        on_finished=progress.directives_finished,
        first_reminder_after=reminders.first_reminder_after,
        due_after=reminders.due_after,
        workers=tuning.send_workers,
        idle_poll=tuning.idle_poll,
        lease=tuning.lease,
        probe_after=tuning.telegram_probe,
    )
    deps = Deps(
        settings=settings,
        sessionmaker=sessionmaker,
        clock=clock,
        outbox_wake=wake,
        acks=AckBatcher(sessionmaker, clock, metrics=metrics),
        notices=notices,
        prompts=Prompts(bot, sessionmaker, clock),
        evidence=EvidenceChecker(bot, sessionmaker, settings.evidence, clock, notices, metrics),
        reminders=reminders,
        leadership=leadership,
        dispatcher=dispatcher,
        progress=progress,
        metrics=metrics,
        database=database,
        supervisor=supervisor,
        jobs={name: JobGuard(name, database) for name in ("reminders", "expiry", "evidence")},
        malformed=MalformedPresses(sessionmaker),
        strangers=StrangerBudget(sessionmaker, settings),
    )
    application.bot_data[DEPS_KEY] = deps
    application.bot_data[WEB_APP_KEY] = build_web_app(
        application, deps, engine, dashboard_refresh=tuning.dashboard_refresh
    )
    # What no handler may see is dropped first; malformed presses are logged next (a group
    # runs only its first matching handler, so the two cannot share one).
    application.add_handlers(screen_handlers(), group=-2)
    application.add_handlers(audit_handlers(), group=-1)
    application.add_handlers(all_handlers())
    application.add_handlers(evidence_handlers(), group=1)
    jobs = application.job_queue
    if jobs is None:  # the job-queue extra is a dependency; without it nothing would remind
        raise RuntimeError("python-telegram-bot was installed without its job-queue extra")
    expiry = _report_expiry_interval(settings, tuning)
    # A job only starts its body (JobGuard); a busy event loop may still start it late, and
    # APScheduler would skip (and log) a trigger that finds the last one not yet returned.
    overlap = {"max_instances": 3}
    jobs.run_repeating(
        _guarded("expiry", _expire_half_done),
        expiry,
        first=expiry,
        name="expiry",
        job_kwargs=overlap,
    )
    jobs.run_repeating(
        _guarded("reminders", _reminder_tick),
        tuning.reminder_tick,
        first=tuning.reminder_tick,
        name="reminders",
        job_kwargs=overlap,
    )
    jobs.run_repeating(
        _guarded("evidence", _resume_abandoned_checks),
        tuning.evidence_resume,
        first=min(tuning.evidence_resume, 2.0),  # soon after a start: a crash may have left some
        name="evidence",
        job_kwargs=overlap,
    )
    application.add_error_handler(_on_error)
    return application
