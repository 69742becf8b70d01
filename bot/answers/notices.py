"""Notices to the staff member who sent a directive (config [notices])."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot
from telegram.error import TelegramError

from bot.deps import Deps
from bot.texts import DEFAULT_LANGUAGE, t
from db.queries import notices
from db.queries.directives import get_directive
from db.queries.events import record_event
from db.queries.people import languages_of

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


async def notify_if_all_acknowledged(deps: Deps, bot: Bot, directive_id: int) -> None:
    """Once every reachable agency has acknowledged, tell the sender, once."""
    if not deps.settings.notices.all_acknowledged:
        return
    async with deps.sessionmaker.begin() as session:
        if await notices.unacknowledged_reachable(session, directive_id):
            return
        directive = await get_directive(session, directive_id)
        if directive is None or await notices.has_event(session, directive_id, ALL_ACKNOWLEDGED):
            return
        acknowledged = await notices.acknowledged_count(session, directive_id)
        await record_event(session, ALL_ACKNOWLEDGED, actor_type="bot", directive_id=directive_id)
        lang = await _language(session, directive.created_by)
    text = t(lang, "notice.all_acknowledged", number=directive.number, count=acknowledged)
    await _tell(bot, directive.created_by, text)


class AllAcknowledgedWatch:
    """`notify_if_all_acknowledged` off the presses' path, one check at a time.

    Each acknowledgement asks for a check of its directive; a check runs after the
    acknowledgement committed, in a task of its own, and asks that come while one runs are
    folded into one more check per directive. So the last acknowledgement is always
    followed by a check, and a burst of presses costs a few checks instead of one each.
    """

    def __init__(self) -> None:
        self._pending: set[int] = set()
        self._task: asyncio.Task[None] | None = None

    def check(
        self,
        deps: Deps,
        bot: Bot,
        directive_id: int,
        spawn: Callable[[Coroutine[Any, Any, None]], asyncio.Task[None]],
    ) -> None:
        """Check `directive_id` soon; `spawn` starts the task (Application.create_task, so
        the application waits for it when it stops)."""
        self._pending.add(directive_id)
        if self._task is None:
            self._task = spawn(self._run(deps, bot))

    async def _run(self, deps: Deps, bot: Bot) -> None:
        try:
            while self._pending:
                directive_id = self._pending.pop()
                try:
                    await notify_if_all_acknowledged(deps, bot, directive_id)
                except Exception:
                    log.exception("checking whether directive %s is all acknowledged", directive_id)
        finally:
            self._task = None


async def notify_unverified(deps: Deps, bot: Bot, delivery_id: int, reasons: list[str]) -> None:
    """An agency reported completion but its evidence could not be verified."""
    if not deps.settings.notices.unverified_evidence:
        return
    async with deps.sessionmaker() as session:
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
    await _tell(bot, report.sender, text)
