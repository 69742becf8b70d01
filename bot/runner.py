"""Start and stop the bot: migrate, build, serve the web server, lead or stand by, then poll
(the leader only) or take the webhook (any instance)."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import AsyncExitStack, asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram import Update
from telegram.error import Conflict, TelegramError

from bot.app import BotApplication, build_application
from bot.config import Settings
from bot.delivery.dispatcher import Dispatcher
from bot.deps import Deps, Tuning, get_deps_from_app
from bot.logs import log_uncaught_exceptions
from bot.onboarding.identity import staff_ids
from bot.single_process import one_process_per_file
from bot.telegram.menus import publish_default_commands, publish_staff_commands
from bot.web.app import web_app_of, webhook_of
from bot.web.dashboard.state import DASHBOARD
from db.migrate import upgrade
from db.models import utcnow
from db.session import make_engine

log = logging.getLogger(__name__)

POLL_TIMEOUT_SECONDS = 10
WEB_SHUTDOWN_SECONDS = 2.0
DISPOSE_TIMEOUT_SECONDS = 5.0


class StartError(Exception):
    """The bot cannot start (a port taken…); the message is one line for the operator."""


@dataclass
class RunningBot:
    """The started bot: its Application and what the factory built for it."""

    application: BotApplication
    engine: AsyncEngine
    deps: Deps
    web_url: str
    """http://host:port of the bot's web server (health, metrics, the webhook)."""

    @property
    def settings(self) -> Settings:
        return self.deps.settings

    @property
    def sessionmaker(self) -> async_sessionmaker[AsyncSession]:
        return self.deps.sessionmaker

    @property
    def dispatcher(self) -> Dispatcher:
        return self.deps.dispatcher


async def _publish_menus(
    application: BotApplication, settings: Settings, sm: async_sessionmaker[AsyncSession]
) -> None:
    await publish_default_commands(application.bot)
    async with sm() as session:
        roles = await staff_ids(session, settings)
    for user_id, role in roles.items():
        await publish_staff_commands(application.bot, user_id, role)


async def _serve_web(app: web.Application, settings: Settings) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=WEB_SHUTDOWN_SECONDS)
    await runner.setup()
    host, port = settings.web.listen, settings.web.port
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as error:
        await runner.cleanup()
        reason = error.strerror or str(error).rsplit(": ", 1)[-1]
        raise StartError(f"cannot listen on {host}:{port} ([web] listen, port): {reason}") from None
    bound = runner.addresses[0]
    url = f"http://{bound[0]}:{bound[1]}"
    app[DASHBOARD].served_url = url
    log.info("web server on %s (/healthz, /readyz, /metrics, the dashboard at /app)", url)
    return runner, url


async def _poll_while_leading(application: BotApplication, deps: Deps) -> None:
    """Only the leader polls (Telegram allows one getUpdates at a time): start when this
    instance takes the lead, stop when another one has it.

    A leader that loses the lock because the database is away goes on polling, so that the
    officers pressing buttons meanwhile are answered (asked to try again); it stops as soon
    as another poller shows up (Telegram answers 409 Conflict), or the database is back and
    the lock is someone else's.
    """
    updater = application.updater
    leadership = deps.leadership
    if updater is None:
        raise RuntimeError("the Application was built without an updater")
    conflict = asyncio.Event()

    def on_poll_error(error: TelegramError) -> None:
        if isinstance(error, Conflict):
            conflict.set()
        else:
            log.warning("polling Telegram failed (%s); retrying", error)

    async def first(*waits: Coroutine[Any, Any, object]) -> None:
        tasks = [asyncio.ensure_future(wait) for wait in waits]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    try:
        while True:
            await leadership.wait_until(True)
            conflict.clear()
            await updater.start_polling(
                poll_interval=0,
                timeout=POLL_TIMEOUT_SECONDS,
                allowed_updates=Update.ALL_TYPES,
                error_callback=on_poll_error,
            )
            log.info("polling Telegram for updates")
            while True:
                await leadership.wait_until(False)
                if deps.database.available:
                    break
                await first(
                    leadership.wait_until(True), deps.database.wait_available(), conflict.wait()
                )
                if not leadership.is_leader and (deps.database.available or conflict.is_set()):
                    break
            await updater.stop()
            log.warning("stopped polling: this instance no longer leads")
    finally:
        if updater.running:
            await updater.stop()


async def _register_webhook(application: BotApplication, deps: Deps) -> None:
    hook = webhook_of(deps)
    if hook is None:
        return
    settings = deps.settings.telegram
    await application.bot.set_webhook(
        settings.webhook.url, secret_token=hook.secret, allowed_updates=Update.ALL_TYPES
    )
    origin = "from the config" if settings.webhook.secret_token else "derived from the token"
    log.info("webhook registered with Telegram: %s (secret %s)", settings.webhook.url, origin)


@asynccontextmanager
async def running_bot(
    settings: Settings,
    *,
    clock: Callable[[], datetime] = utcnow,
    tuning: Tuning | None = None,
) -> AsyncIterator[RunningBot]:
    """The bot, started and receiving updates, until the block exits."""
    with one_process_per_file(settings.database.url):
        engine = make_engine(settings.database.url)
        try:
            await upgrade(engine)
            application = build_application(settings, engine=engine, clock=clock, tuning=tuning)
            deps = get_deps_from_app(application.bot_data)
            async with application, AsyncExitStack() as stack:
                # The port first: if it is taken, nothing else has started.
                runner, url = await _serve_web(web_app_of(application.bot_data), settings)
                stack.push_async_callback(runner.cleanup)
                await _publish_menus(application, settings, deps.sessionmaker)
                await application.start()
                stack.push_async_callback(application.stop)
                await deps.leadership.ensure()  # alone: lead at once
                stack.push_async_callback(deps.leadership.release)
                deps.supervisor.spawn("leadership", deps.leadership.run)
                stack.push_async_callback(deps.supervisor.stop)
                stack.push_async_callback(deps.notices.stop)
                for guard in deps.jobs.values():
                    stack.push_async_callback(guard.stop)
                await deps.dispatcher.start()
                stack.push_async_callback(deps.dispatcher.stop)
                await deps.progress.start()
                stack.push_async_callback(deps.progress.stop)
                if settings.telegram.mode == "polling":
                    deps.supervisor.spawn("polling", lambda: _poll_while_leading(application, deps))
                    stack.push_async_callback(deps.supervisor.stop, ["polling"])
                else:
                    await _register_webhook(application, deps)
                log.info(
                    "bot @%s is running (%s, %s)",
                    application.bot.username,
                    settings.telegram.mode,
                    "leader" if deps.leadership.is_leader else "standby",
                )
                # Each step is undone in reverse order, even if one before it failed: a
                # stop must always stop.
                yield RunningBot(application, engine, deps, url)
        finally:
            await _close_connections(engine)


async def _close_connections(engine: AsyncEngine) -> None:
    """Close the pool's connections, for a few seconds at most: one the network dropped can
    hold its close for minutes, and a stop must not hang on it (the process ending closes
    it anyway)."""
    try:
        async with asyncio.timeout(DISPOSE_TIMEOUT_SECONDS):
            await engine.dispose()
    except TimeoutError:
        log.warning(
            "the database connections did not close in %gs; leaving them", DISPOSE_TIMEOUT_SECONDS
        )


def freeze_startup_objects() -> None:
    """Take what starting the bot created (modules, PTB, SQLAlchemy's metadata, the pools)
    out of the garbage collector's full passes, which otherwise walk all of it: on the
    development machine each pass stalled the event loop 80–130 ms, the slowest 1 % of
    Đã nhận answers (bench/acks.py). Collected first, so no startup garbage is kept."""
    gc.collect()
    gc.freeze()


async def serve_forever(settings: Settings) -> None:
    """`agency-bot run`: until SIGINT or SIGTERM."""
    log_uncaught_exceptions()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    async with running_bot(settings):
        freeze_startup_objects()
        await stop.wait()
    log.info("bot stopped")
