"""Start and stop the bot: migrate, build, publish menus, then poll or serve the webhook."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram import Update

from bot.app import BotApplication, build_application
from bot.config import Settings
from bot.delivery.dispatcher import Dispatcher
from bot.deps import Deps, Tuning, get_deps_from_app
from bot.onboarding.identity import staff_ids
from bot.telegram.menus import publish_default_commands, publish_staff_commands
from db.migrate import upgrade
from db.models import utcnow
from db.session import make_engine

log = logging.getLogger(__name__)

POLL_TIMEOUT_SECONDS = 10


@dataclass
class RunningBot:
    """The started bot: its Application and what the factory built for it."""

    application: BotApplication
    engine: AsyncEngine
    deps: Deps

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


async def _start_updates(
    application: BotApplication, settings: Settings, listen_port: int | None
) -> None:
    updater = application.updater
    if updater is None:
        raise RuntimeError("the Application was built without an updater")
    if settings.telegram.mode == "polling":
        await updater.start_polling(
            poll_interval=0,
            timeout=POLL_TIMEOUT_SECONDS,
            allowed_updates=Update.ALL_TYPES,
        )
        return
    hook = settings.telegram.webhook
    if not hook.url:
        raise ValueError("telegram.webhook.url must be set in webhook mode")
    await updater.start_webhook(
        listen=hook.listen,
        port=hook.port if listen_port is None else listen_port,
        url_path=urlsplit(hook.url).path.lstrip("/"),
        webhook_url=hook.url,
        secret_token=hook.secret_token or None,
        allowed_updates=Update.ALL_TYPES,
    )


@asynccontextmanager
async def running_bot(
    settings: Settings,
    *,
    clock: Callable[[], datetime] = utcnow,
    tuning: Tuning | None = None,
    listen_port: int | None = None,
) -> AsyncIterator[RunningBot]:
    """The bot, started and receiving updates, until the block exits."""
    engine = make_engine(settings.database.url)
    try:
        await upgrade(engine)
        application = build_application(settings, engine=engine, clock=clock, tuning=tuning)
        deps = get_deps_from_app(application.bot_data)
        async with application:
            await _publish_menus(application, settings, deps.sessionmaker)
            await application.start()
            await deps.dispatcher.start()
            await deps.progress.start()
            await _start_updates(application, settings, listen_port)
            log.info("bot @%s is running (%s)", application.bot.username, settings.telegram.mode)
            try:
                yield RunningBot(application, engine, deps)
            finally:
                # Each step runs even if one before it failed: a stop must always stop.
                try:
                    if application.updater is not None and application.updater.running:
                        await application.updater.stop()
                finally:
                    try:
                        await deps.progress.stop()
                        await deps.dispatcher.stop()
                    finally:
                        await application.stop()
    finally:
        await engine.dispose()


def freeze_startup_objects() -> None:
    """Take what starting the bot created (modules, PTB, SQLAlchemy's metadata, the pools)
    out of the garbage collector's full passes, which otherwise walk all of it: on the
    development machine each pass stalled the event loop 80–130 ms, the slowest 1 % of
    Đã nhận answers (bench/acks.py). Collected first, so no startup garbage is kept."""
    gc.collect()
    gc.freeze()


async def serve_forever(settings: Settings) -> None:
    """`agency-bot run`: until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    async with running_bot(settings):
        freeze_startup_objects()
        await stop.wait()
    log.info("bot stopped")
