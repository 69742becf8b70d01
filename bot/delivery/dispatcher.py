"""The dispatcher: sends what the send queue (outbound_messages) holds, at Telegram's pace.

A feeder claims due rows (committed as `sending` before any API call) and hands them to a
pool of workers; the shared SendLimiter paces them, so that the pool only has to be large
enough to cover the API latency. Every outcome is written back to the row: sent with its
Telegram message ids, retried later with backoff, or failed with the reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import InlineKeyboardMarkup, InputFile, Message
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import ExtBot

from bot.delivery.leadership import Leadership
from bot.delivery.render import directive_content, render_directive
from bot.telegram.keyboards import directive_keyboard
from bot.telegram.limiter import retry_after_seconds
from db.models import Directive, MessageKind, ReminderPhase
from db.queries import outbox
from db.queries.directives import BLOCKED_REASON, get_directive, get_directive_file
from db.queries.events import record_event
from db.queries.people import block_contact
from db.queries.reminders import still_chased

log = logging.getLogger(__name__)

WORKERS = 24
MAX_ATTEMPTS = 6
BACKOFF_BASE_SECONDS = 1.0
BACKOFF_MAX_SECONDS = 300.0
IDLE_POLL_SECONDS = 1.0
STOP_GRACE_SECONDS = 10.0


def backoff(attempt: int, rng: random.Random) -> float:
    """Exponential backoff with full jitter: 1 s, 2 s, 4 s … scattered so retries spread out."""
    ceiling = min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS * 2**attempt)
    return float(ceiling / 2 + rng.uniform(0, ceiling / 2))


@dataclass
class _Prepared:
    """A directive rendered once and reused for all its contacts."""

    parts: list[str]
    links: list[str]
    attachment_name: str | None
    file_id: str | None
    first_reminder_after: timedelta | None
    upload_lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class Dispatcher:
    def __init__(
        self,
        bot: ExtBot[int],
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        clock: Callable[[], datetime],
        leadership: Leadership,
        wake: asyncio.Event,
        on_progress: Callable[[], None] = lambda: None,
        on_finished: Callable[[list[int]], None] = lambda _: None,
        first_reminder_after: Callable[[Directive], timedelta | None] = lambda _: None,
        workers: int = WORKERS,
        idle_poll: float = IDLE_POLL_SECONDS,
    ) -> None:
        self._bot = bot
        self._sessionmaker = sessionmaker
        self._clock = clock
        self._leadership = leadership
        self._worker_count = workers
        self._queue: asyncio.Queue[outbox.Claimed] = asyncio.Queue()
        self._wake = wake
        self._on_progress = on_progress
        self._on_finished = on_finished
        self._idle_poll = idle_poll
        self._first_reminder_after = first_reminder_after
        self._room = asyncio.Event()
        self._prepared: dict[int, _Prepared] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._in_flight = 0
        self._rng = random.Random()  # noqa: S311 (jitter spreads retries; no secret here)

    @property
    def is_leader(self) -> bool:
        return self._leadership.is_leader

    def wake(self) -> None:
        """New messages were queued: look now instead of at the next poll."""
        self._wake.set()

    async def start(self) -> None:
        self._tasks = [asyncio.create_task(self._feed(), name="dispatcher-feeder")]
        self._tasks += [
            asyncio.create_task(self._work(), name=f"dispatcher-worker-{n}")
            for n in range(self._worker_count)
        ]

    async def stop(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """Stop claiming and let the sends under way finish (up to `grace` seconds).

        Cutting a send off mid-request would leave it ambiguous (Telegram may have it), and
        the restart would send it again; letting it finish keeps a restart duplicate-free.
        Rows claimed but not started stay `sending`: whichever instance leads next puts them
        back in the queue before it sends anything (Leadership.ensure), so stopping writes
        nothing and cannot fail on a busy database.
        """
        feeder, workers = self._tasks[0], self._tasks[1:]
        feeder.cancel()
        await asyncio.gather(feeder, return_exceptions=True)
        while not self._queue.empty():
            self._queue.get_nowait()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle(), grace)
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        self._tasks = []
        await self._leadership.release()

    async def _idle(self) -> None:
        while self._in_flight:
            self._room.clear()
            await self._room.wait()

    # feeding ---------------------------------------------------------------------------------

    async def _feed(self) -> None:
        while True:
            try:
                claimed = await self._claim()
            except Exception:  # a database hiccup must not stop sending for good
                log.exception("claiming messages failed; retrying")
                claimed = 0
            if claimed == 0:
                await self._finish_directives()
                self._wake.clear()
                # Idle: wake when something is queued, or poll for retries falling due.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._idle_poll)

    async def _claim(self) -> int:
        if not await self._leadership.ensure():
            return 0
        room = 2 * self._worker_count - self._queue.qsize() - self._in_flight
        if room <= 0:  # enough claimed already: wait until a worker finishes one
            self._room.clear()
            await self._room.wait()
            return -1
        async with self._sessionmaker.begin() as session:
            claimed = await outbox.claim_due(session, self._clock(), room)
        for message in claimed:
            self._queue.put_nowait(message)
        return len(claimed)

    async def _finish_directives(self) -> None:
        """Directives whose every message has an outcome are `sent` (the leader decides)."""
        if not self._leadership.is_leader:
            return
        try:
            async with self._sessionmaker.begin() as session:
                finished = await outbox.finish_sent_directives(session)
        except Exception:  # the next idle look tries again
            log.exception("marking finished directives failed; retrying")
            return
        if finished:
            self._on_finished(finished)

    # sending ---------------------------------------------------------------------------------

    async def _work(self) -> None:
        while True:
            message = await self._queue.get()
            self._in_flight += 1
            try:
                await self._deliver(message)
            except Exception:
                log.exception("unexpected error sending message %s", message.id)
                await self._record_retry(message, "unexpected error", [], count_attempt=True)
            finally:
                self._in_flight -= 1
                self._room.set()
                self._on_progress()

    async def _deliver(self, message: outbox.Claimed) -> None:
        sent_ids = list(message.telegram_message_ids)
        try:
            if message.kind == MessageKind.DIRECTIVE and message.directive_id is not None:
                await self._send_directive(message, message.directive_id, sent_ids)
            elif message.kind == MessageKind.REMINDER:
                if not await self._still_wanted(message):
                    return
                await self._send_reminder(message, sent_ids)
            else:
                sent = await self._bot.send_message(
                    message.chat_id, str(message.payload["text"]), rate_limit_args=0
                )
                sent_ids.append(str(sent.message_id))
        except RetryAfter as error:
            # The limiter has paused everyone; this message simply waits its turn again.
            wait = retry_after_seconds(error)
            at = self._clock() + timedelta(seconds=wait)
            await self._record_retry(message, f"429 retry after {wait:g}s", sent_ids, at=at)
        except Forbidden as error:
            await self._record_blocked(message, sent_ids, error)
        except BadRequest as error:
            if "chat not found" in error.message.lower():
                await self._record_blocked(message, sent_ids, error)
            else:
                await self._record_failed(message, f"Telegram từ chối: {error.message}", sent_ids)
        except NetworkError as error:  # 5xx, timeouts and connection errors: try again
            reason = f"{type(error).__name__}: {error.message}"
            if message.attempts + 1 >= MAX_ATTEMPTS:
                await self._record_failed(
                    message, f"lỗi mạng sau {MAX_ATTEMPTS} lần: {reason}", sent_ids
                )
            else:
                await self._record_retry(message, reason, sent_ids, count_attempt=True)
        except TelegramError as error:
            await self._record_failed(message, f"lỗi Telegram: {error.message}", sent_ids)
        else:
            now = self._clock()
            prepared = self._prepared.get(message.directive_id or 0)
            after = None if prepared is None else prepared.first_reminder_after
            async with self._sessionmaker.begin() as session:
                await outbox.mark_sent(
                    session,
                    message,
                    sent_ids,
                    now,
                    first_reminder_at=None if after is None else now + after,
                )
                await record_event(
                    session,
                    "message.sent",
                    actor_type="bot",
                    directive_id=message.directive_id,
                    agency_id=message.agency_id,
                    chat_id=message.chat_id,
                    message_kind=message.kind,
                    telegram_message_ids=sent_ids,
                )

    async def _send_directive(
        self, message: outbox.Claimed, directive_id: int, sent_ids: list[str]
    ) -> None:
        prepared = await self._prepare(directive_id)
        keyboard = directive_keyboard(
            message.delivery_id, prepared.links, relay_units=message.relay_units
        )
        last = len(prepared.parts) - 1
        for index in range(message.parts_sent, len(prepared.parts)):
            markup = keyboard if index == last else None
            if index == 0 and prepared.attachment_name is not None:
                sent = await self._send_attachment(
                    message, directive_id, prepared.attachment_name, prepared, markup
                )
            else:
                sent = await self._bot.send_message(
                    message.chat_id, prepared.parts[index], reply_markup=markup, rate_limit_args=0
                )
            sent_ids.append(str(sent.message_id))

    async def _still_wanted(self, message: outbox.Claimed) -> bool:
        """A reminder queued before the agency answered is dropped, not sent."""
        phase = str(message.payload.get("phase", ReminderPhase.ACK))
        async with self._sessionmaker.begin() as session:
            if message.delivery_id is not None and await still_chased(
                session, message.delivery_id, phase
            ):
                return True
            await outbox.mark_cancelled(session, message, "answered before the reminder went out")
        return False

    async def _send_reminder(self, message: outbox.Claimed, sent_ids: list[str]) -> None:
        links = [str(link) for link in message.payload.get("links", [])]  # type: ignore[attr-defined]
        keyboard = directive_keyboard(
            message.delivery_id,
            links,
            str(message.payload.get("lang", "vi")),
            relay_units=message.relay_units,
        )
        sent = await self._bot.send_message(
            message.chat_id,
            str(message.payload["text"]),
            reply_markup=keyboard,
            disable_web_page_preview=True,
            rate_limit_args=0,
        )
        sent_ids.append(str(sent.message_id))

    async def _send_attachment(
        self,
        message: outbox.Claimed,
        directive_id: int,
        file_name: str,
        prepared: _Prepared,
        markup: InlineKeyboardMarkup | None,
    ) -> Message:
        """Upload the file once, under a lock; every later contact gets Telegram's file_id."""
        if prepared.file_id is None:
            async with prepared.upload_lock:
                if prepared.file_id is None:
                    return await self._upload(message, directive_id, file_name, prepared, markup)
        return await self._bot.send_document(
            message.chat_id,
            prepared.file_id,
            caption=prepared.parts[0],
            reply_markup=markup,
            rate_limit_args=0,
        )

    async def _upload(
        self,
        message: outbox.Claimed,
        directive_id: int,
        file_name: str,
        prepared: _Prepared,
        markup: InlineKeyboardMarkup | None,
    ) -> Message:
        async with self._sessionmaker() as session:
            data = await get_directive_file(session, directive_id)
        if data is None:
            raise BadRequest("attachment bytes missing")
        sent = await self._bot.send_document(
            message.chat_id,
            InputFile(data, filename=file_name),
            caption=prepared.parts[0],
            reply_markup=markup,
            rate_limit_args=0,
        )
        if sent.document is not None:
            prepared.file_id = sent.document.file_id
            async with self._sessionmaker.begin() as session:
                directive = await get_directive(session, directive_id)
                if directive is not None:
                    directive.attachment_file_id = prepared.file_id
        return sent

    async def _prepare(self, directive_id: int) -> _Prepared:
        prepared = self._prepared.get(directive_id)
        if prepared is not None:
            return prepared
        async with self._sessionmaker() as session:
            directive = await get_directive(session, directive_id)
        if directive is None:
            raise BadRequest("directive deleted")
        prepared = _Prepared(
            parts=render_directive(directive_content(directive)),
            links=list(directive.links),
            attachment_name=directive.attachment_name,
            file_id=directive.attachment_file_id,
            first_reminder_after=self._first_reminder_after(directive),
        )
        return self._prepared.setdefault(directive_id, prepared)

    # outcomes --------------------------------------------------------------------------------

    async def _record_retry(
        self,
        message: outbox.Claimed,
        reason: str,
        sent_ids: list[str],
        *,
        at: datetime | None = None,
        count_attempt: bool = False,
    ) -> None:
        if at is None:
            at = self._clock() + timedelta(seconds=backoff(message.attempts, self._rng))
        log.info("message %s to retry at %s: %s", message.id, at.isoformat(), reason)
        async with self._sessionmaker.begin() as session:
            await outbox.mark_retry(
                session,
                message,
                error=reason,
                at=at,
                message_ids=sent_ids,
                count_attempt=count_attempt,
            )
        self.wake()

    async def _record_failed(
        self, message: outbox.Claimed, reason: str, sent_ids: list[str]
    ) -> None:
        log.warning("message %s failed: %s", message.id, reason)
        async with self._sessionmaker.begin() as session:
            await outbox.mark_failed(session, message, error=reason, message_ids=sent_ids)
            await record_event(
                session,
                "message.failed",
                actor_type="bot",
                directive_id=message.directive_id,
                agency_id=message.agency_id,
                message_id=message.id,
                chat_id=message.chat_id,
                reason=reason,
            )

    async def _record_blocked(
        self, message: outbox.Claimed, sent_ids: list[str], error: TelegramError
    ) -> None:
        async with self._sessionmaker.begin() as session:
            if message.contact_id is not None:
                await block_contact(session, message.contact_id, self._clock())
            await outbox.mark_failed(session, message, error=BLOCKED_REASON, message_ids=sent_ids)
            await record_event(
                session,
                "contact.blocked",
                actor_type="bot",
                directive_id=message.directive_id,
                agency_id=message.agency_id,
                chat_id=message.chat_id,
                telegram_error=error.message,
            )
