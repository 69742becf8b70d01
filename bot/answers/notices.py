"""Notices to the staff member who sent a directive (config [notices])."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot
from telegram.error import TelegramError

from bot.config import NoticesSettings
from bot.resilience import Backoff, DatabaseStatus, database_unavailable
from bot.texts import DEFAULT_LANGUAGE, t
from db.models import MessageKind
from db.queries import notices
from db.queries.directives import get_directive
from db.queries.events import record_event
from db.queries.once import take_once
from db.queries.people import languages_of
from db.queries.reminders import enqueue_messages

log = logging.getLogger(__name__)
ALL_ACKNOWLEDGED = "directive.all_acknowledged"


async def _tell(bot: Bot, chat_id: int | None, text: str) -> None:
    if chat_id is None:  # queued from the command line: nobody to tell in Telegram
        return
    try:
        await bot.send_message(chat_id, text, disable_web_page_preview=True)
    except TelegramError:
        log.warning("could not send a notice to staff %s", chat_id)


async def _language(session: AsyncSession, user_id: int | None) -> str:
    """The staff member's /lang choice, Vietnamese by default."""
    if user_id is None:
        return DEFAULT_LANGUAGE
    return (await languages_of(session, [user_id])).get(user_id, DEFAULT_LANGUAGE)


class Notices:
    """What the sender of a letter is told: every reachable agency acknowledged (once), and
    an agency's evidence could not be verified."""

    def __init__(
        self,
        bot: Bot,
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: NoticesSettings,
        *,
        clock: Callable[[], datetime],
        wake: Callable[[], None],
        database: DatabaseStatus,
    ) -> None:
        self._bot = bot
        self._sessionmaker = sessionmaker
        self._settings = settings
        self._clock = clock
        self._wake = wake
        self._database = database
        self._pending: set[int] = set()
        self._task: asyncio.Task[None] | None = None

    def check_all_acknowledged(self, directive_id: int) -> None:
        """Check `directive_id` soon, off the caller's path, one check at a time.

        Each acknowledgement asks for a check of its directive; a check runs after the
        acknowledgement committed, in a task of its own, and asks that come while one runs
        are folded into one more check per directive. So the last acknowledgement is always
        followed by a check, and a burst of presses costs a few checks instead of one each.
        A check that meets a database outage waits it out and runs again.
        """
        self._pending.add(directive_id)
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="notices")

    async def _run(self) -> None:
        retry = Backoff()
        try:
            while self._pending:
                directive_id = self._pending.pop()
                try:
                    await self.notify_if_all_acknowledged(directive_id)
                except Exception as error:
                    if not database_unavailable(error):
                        log.exception(
                            "checking whether directive %s is all acknowledged", directive_id
                        )
                        continue
                    self._database.failed("notices", error)
                    self._pending.add(directive_id)
                    await retry.wait()
                else:
                    retry.reset()
        finally:
            self._task = None

    async def stop(self) -> None:
        """Cancel a check under way (the bot is stopping; the next acknowledgement of that
        directive checks it again)."""
        task = self._task
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def notify_if_all_acknowledged(self, directive_id: int) -> None:
        """Once every reachable agency has acknowledged, tell the sender, once.

        Once across instances: the notice is queued (the dispatcher sends it) in the
        transaction that takes its once-mark, so two instances checking together, or a
        crash after the check, never make it twice or lose it.
        """
        if not self._settings.all_acknowledged:
            return
        now = self._clock()
        async with self._sessionmaker.begin() as session:
            if await notices.unacknowledged_reachable(session, directive_id):
                return
            directive = await get_directive(session, directive_id)
            if directive is None or await notices.has_event(
                session, directive_id, ALL_ACKNOWLEDGED
            ):
                return
            if not await take_once(session, f"all_acknowledged:{directive_id}", now):
                return
            acknowledged = await notices.acknowledged_count(session, directive_id)
            await record_event(
                session, ALL_ACKNOWLEDGED, actor_type="bot", directive_id=directive_id
            )
            if directive.created_by is None:  # queued from the command line: nobody to tell
                return
            lang = await _language(session, directive.created_by)
            text = t(lang, "notice.all_acknowledged", number=directive.number, count=acknowledged)
            await enqueue_messages(
                session,
                [(None, None, directive.created_by, {"text": text})],
                now,
                kind=MessageKind.NOTICE,
            )
        self._wake()

    async def notify_unverified(self, delivery_id: int, reasons: list[str]) -> None:
        """An agency reported completion but its evidence could not be verified."""
        if not self._settings.unverified_evidence:
            return
        async with self._sessionmaker() as session:
            report = await notices.unverified_report(session, delivery_id)
            lang = await _language(session, None if report is None else report.sender)
        if report is None:
            return
        text = t(
            lang,
            "notice.unverified",
            agency=report.agency,
            number=report.number,
            reasons="; ".join(reasons),
        )
        await _tell(self._bot, report.sender, text)
