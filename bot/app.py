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
from collections.abc import Callable
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
from bot.reminders.rounds import Reminders
from bot.telegram.limiter import SendLimiter, SharedRateLimiter
from bot.telegram.prompts import Prompts
from bot.telegram.request import AiohttpRequest
from bot.texts import DEFAULT_LANGUAGE, t
from db.models import utcnow
from db.session import make_sessionmaker
from handlers import all_handlers, evidence_handlers

log = logging.getLogger(__name__)

# ExtBot[int]: the rate limiter's per-request argument (429 retries), as PTB infers it.
BotApplication = Application[
    ExtBot[int], Context, dict[Any, Any], dict[Any, Any], dict[Any, Any], JobQueue[Context]
]


async def _on_error(update: object, context: Context) -> None:
    """The one home for unexpected errors: log with the traceback, tell the user politely."""
    log.error("error while handling an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_message is not None:
        try:
            await update.effective_message.reply_text(t(DEFAULT_LANGUAGE, "error.generic"))
        except Exception:  # the apology is best effort; the error is already logged
            log.debug("could not send the error notice", exc_info=True)


async def _reminder_tick(context: Context) -> None:
    await get_deps(context).reminders.tick()


async def _expire_half_done(context: Context) -> None:
    """Completion reports left half-way end (the officer is told); old questions go."""
    deps = get_deps(context)
    await expire_and_tell(context.bot, deps.sessionmaker, deps.clock())
    await deps.prompts.expire()


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
    limiter = SendLimiter(settings.broadcast.rate_per_second, chat_interval=tuning.chat_interval)
    application: BotApplication = (
        ApplicationBuilder()
        .token(settings.telegram.token)
        .base_url(f"{api}/bot")
        .base_file_url(f"{api}/file/bot")
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=settings.reminders.timezone))
        .rate_limiter(SharedRateLimiter(limiter))
        # PTB's defaults (256 connections for requests, 1 for getUpdates), on aiohttp.
        .request(AiohttpRequest())
        .get_updates_request(AiohttpRequest(connection_pool_size=1))
        .concurrent_updates(True)
        .build()
    )
    sessionmaker = make_sessionmaker(engine)
    bot = application.bot
    wake = asyncio.Event()
    leadership = Leadership(engine, sessionmaker)
    reminders = Reminders(
        settings, sessionmaker, clock=clock, wake=wake.set, leads=lambda: leadership.is_leader
    )
    notices = Notices(bot, sessionmaker, settings.notices, application.create_task)
    progress = ProgressReporter(bot, sessionmaker, interval=tuning.progress_interval)
    dispatcher = Dispatcher(
        bot,
        sessionmaker,
        clock=clock,
        leadership=leadership,
        wake=wake,
        on_progress=progress.messages_sent,
        on_finished=progress.directives_finished,
        first_reminder_after=reminders.first_reminder_after,
        due_after=reminders.due_after,
        idle_poll=tuning.idle_poll,
        limiter=limiter,
    )
    application.bot_data[DEPS_KEY] = Deps(
        settings=settings,
        sessionmaker=sessionmaker,
        clock=clock,
        outbox_wake=wake,
        acks=AckBatcher(sessionmaker, clock),
        notices=notices,
        prompts=Prompts(bot, sessionmaker, clock),
        evidence=EvidenceChecker(bot, sessionmaker, settings.evidence, clock, notices),
        reminders=reminders,
        leadership=leadership,
        dispatcher=dispatcher,
        progress=progress,
    )
    application.add_handlers(all_handlers())
    application.add_handlers(evidence_handlers(), group=1)
    jobs = application.job_queue
    if jobs is None:  # the job-queue extra is a dependency; without it nothing would remind
        raise RuntimeError("python-telegram-bot was installed without its job-queue extra")
    expiry = _report_expiry_interval(settings, tuning)
    jobs.run_repeating(_expire_half_done, expiry, first=expiry, name="expiry")
    jobs.run_repeating(
        _reminder_tick, tuning.reminder_tick, first=tuning.reminder_tick, name="reminders"
    )
    application.add_error_handler(_on_error)
    return application
