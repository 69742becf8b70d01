"""The one wiring path: settings in, a configured python-telegram-bot Application out.

`agency-bot run`, the demo, the benchmarks and the tests all build the bot here; pointing
it at the sandbox is only a different api_base_url.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    Defaults,
    ExtBot,
    JobQueue,
)

from bot.answers.acknowledge import AckBatcher
from bot.answers.notices import AllAcknowledgedWatch
from bot.config import Settings
from bot.deps import DEPS_KEY, Context, Deps, get_deps
from bot.reminders.rounds import TICK_SECONDS, Reminders
from bot.telegram.limiter import SendLimiter, SharedRateLimiter
from bot.telegram.request import AiohttpRequest
from bot.texts import DEFAULT_LANGUAGE, t
from db.models import utcnow
from handlers import all_handlers, evidence_handlers
from handlers.completion import expire_half_done_reports

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


def build_application(
    settings: Settings,
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: Callable[[], datetime] = utcnow,
) -> BotApplication:
    api = settings.telegram.api_base_url
    application: BotApplication = (
        ApplicationBuilder()
        .token(settings.telegram.token)
        .base_url(f"{api}/bot")
        .base_file_url(f"{api}/file/bot")
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=settings.reminders.timezone))
        .rate_limiter(SharedRateLimiter(SendLimiter(settings.broadcast.rate_per_second)))
        # PTB's defaults (256 connections for requests, 1 for getUpdates), on aiohttp.
        .request(AiohttpRequest())
        .get_updates_request(AiohttpRequest(connection_pool_size=1))
        .concurrent_updates(True)
        .build()
    )
    wake = asyncio.Event()
    application.bot_data[DEPS_KEY] = Deps(
        settings,
        sessionmaker,
        clock,
        wake,
        AckBatcher(sessionmaker, clock),
        AllAcknowledgedWatch(),
        Reminders(settings, sessionmaker, clock=clock, wake=wake.set),
    )
    application.add_handlers(all_handlers())
    application.add_handlers(evidence_handlers(), group=1)
    interval = min(30.0, max(1.0, settings.evidence.report_timeout.total_seconds() / 4))
    assert application.job_queue is not None
    application.job_queue.run_repeating(expire_half_done_reports, interval, first=interval)
    application.job_queue.run_repeating(
        _reminder_tick, TICK_SECONDS, first=TICK_SECONDS, name="reminders"
    )
    application.add_error_handler(_on_error)
    return application
