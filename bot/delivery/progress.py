"""Feedback to the staff member who sent a directive: a progress message edited as sending
proceeds, then a summary with the failures and their reasons.

It only reads and edits messages: the dispatcher decides when a directive is sent and says
so (`directives_finished`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot
from telegram.error import BadRequest, TelegramError

from bot.resilience import Backoff, DatabaseStatus, Supervisor, database_unavailable, wait_at_most
from bot.texts import t
from db.queries import outbox
from db.queries.directives import get_directive

log = logging.getLogger(__name__)
STOP_TIMEOUT_SECONDS = 5.0

# One edit every few seconds is plenty for a person and far inside Telegram's limits.
PROGRESS_INTERVAL_SECONDS = 3.0
NAMES_PER_REASON = 5


class ProgressReporter:
    def __init__(
        self,
        bot: Bot,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        interval: float = PROGRESS_INTERVAL_SECONDS,
        lang: str = "vi",
        leads: Callable[[], bool] = lambda: True,
        database: DatabaseStatus,
        supervisor: Supervisor,
    ) -> None:
        self._bot = bot
        self._sessionmaker = sessionmaker
        self._interval = interval
        self._activity = asyncio.Event()
        self._last_edit: dict[int, float] = {}
        self._lang = lang
        self._shown: dict[int, str] = {}
        self._finished: set[int] = set()
        # Only the leader edits: two instances would edit each message twice.
        self._leads = leads
        self._database = database
        self._supervisor = supervisor

    def messages_sent(self) -> None:
        """The dispatcher finished some messages: progress may have changed."""
        self._activity.set()

    def directives_finished(self, directive_ids: list[int]) -> None:
        """These directives are now `sent`: their summary replaces the progress message."""
        self._finished.update(directive_ids)
        self._activity.set()

    async def start(self) -> None:
        self._supervisor.spawn("broadcast-progress", self._loop)

    async def stop(self) -> None:
        """Cancel the loop; a look stuck in the database must not hold the shutdown up."""
        try:
            async with asyncio.timeout(STOP_TIMEOUT_SECONDS):
                await self._supervisor.stop(["broadcast-progress"])
        except TimeoutError:
            log.warning("progress reporter did not stop in %ss; leaving it", STOP_TIMEOUT_SECONDS)

    async def _loop(self) -> None:
        retry = Backoff()
        while True:
            # Wake on the interval, or early when messages were sent: the summary of a
            # finished broadcast then comes at once, while edits stay an interval apart.
            await wait_at_most(self._interval, self._activity.wait())
            # At most a few looks an interval: counting a big broadcast's messages is a query.
            await asyncio.sleep(self._interval / 6)
            if not self._leads():
                continue
            self._activity.clear()
            finished, self._finished = self._finished, set()
            try:
                async with self._sessionmaker() as session:
                    directive_ids = await outbox.sending_directives(session)
            except Exception as error:
                self._finished |= finished
                if not database_unavailable(error):
                    log.exception("could not list the directives being sent")
                    continue
                self._database.failed("progress", error)
                await retry.wait()
                continue
            retry.reset()
            for directive_id in dict.fromkeys([*directive_ids, *finished]):
                try:
                    await self.report(directive_id, finished=directive_id in finished)
                except Exception as error:  # progress is a courtesy; sending goes on regardless
                    if directive_id in finished:
                        self._finished.add(directive_id)  # its summary comes next time
                    if database_unavailable(error):
                        self._database.failed("progress", error)
                        break
                    log.exception("progress report for directive %s failed", directive_id)

    def _failures_text(self, failures: list[tuple[str, str, str | None]]) -> str:
        """Failures grouped by reason, a few agency names each: readable on a phone."""
        by_reason: dict[str, list[str]] = {}
        for _, name, reason in failures:
            by_reason.setdefault(reason or "?", []).append(name)
        lines = [t(self._lang, "broadcast.failures", count=len(failures))]
        for reason, names in by_reason.items():
            shown = ", ".join(names[:NAMES_PER_REASON])
            more = len(names) - NAMES_PER_REASON
            if more > 0:
                shown += t(self._lang, "broadcast.and_more", count=more)
            lines.append(
                t(self._lang, "broadcast.failure_row", reason=reason, count=len(names), names=shown)
            )
        return "\n".join(lines)

    async def report(self, directive_id: int, *, finished: bool) -> None:
        """Edit the progress message, or show the summary once the directive is sent."""
        async with self._sessionmaker() as session:
            progress = await outbox.directive_progress(session, directive_id)
            directive = await get_directive(session, directive_id)
            failures = await outbox.failed_deliveries(session, directive_id) if finished else []
        if directive is None:
            return
        if finished:
            self._shown.pop(directive_id, None)
            self._last_edit.pop(directive_id, None)
        if directive.progress_chat_id is None or directive.progress_message_id is None:
            return
        text = t(
            self._lang,
            "broadcast.done" if finished else "broadcast.progress",
            number=directive.number,
            sent=progress.sent,
            total=progress.total,
            failed=progress.failed,
        )
        if finished and failures:
            text += "\n\n" + self._failures_text(failures)
        now = asyncio.get_running_loop().time()
        too_soon = now - self._last_edit.get(directive_id, -self._interval) < self._interval
        if self._shown.get(directive_id) == text or (too_soon and not finished):
            return
        self._shown[directive_id] = text
        self._last_edit[directive_id] = now
        try:
            await self._bot.edit_message_text(
                text, chat_id=directive.progress_chat_id, message_id=directive.progress_message_id
            )
        except BadRequest as error:
            if "not modified" not in error.message:
                raise
        except TelegramError:
            log.warning("could not update the progress of directive %s", directive_id)
