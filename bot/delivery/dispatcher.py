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
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, ReplyParameters
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import ExtBot

from bot.delivery.leadership import Leadership
from bot.delivery.render import DirectiveContent, directive_content, render_directive
from bot.telegram.keyboards import directive_keyboard
from bot.telegram.limiter import SendLimiter, retry_after_seconds
from db.models import Directive, MessageKind, MessageStatus, ReminderPhase
from db.queries import outbox
from db.queries.directives import BLOCKED_REASON, get_directive, get_directive_file
from db.queries.events import record_event
from db.queries.people import block_contact
from db.queries.recall import RECALLED_ERROR, recalled
from db.queries.reminders import still_chased

log = logging.getLogger(__name__)

WORKERS = 24
MAX_ATTEMPTS = 6
BACKOFF_BASE_SECONDS = 1.0
BACKOFF_MAX_SECONDS = 300.0
IDLE_POLL_SECONDS = 1.0
STOP_GRACE_SECONDS = 10.0
RECALL_CHECK_SECONDS = 1.0
"""How often a letter being sent is looked at again, in case it was recalled meanwhile."""
SOURCE_WAIT_SECONDS = 1.0
"""How long an edit or a correction waits before looking again at a copy not yet sent."""
# Telegram's answers to an edit of a message that is gone or that cannot change any more:
# the copy is as edited as it will be, so the edit moves on to the next part.
_UNEDITABLE = ("message to edit not found", "message can't be edited")


def backoff(attempt: int, rng: random.Random) -> float:
    """Exponential backoff with full jitter: 1 s, 2 s, 4 s … scattered so retries spread out."""
    ceiling = min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS * 2**attempt)
    return float(ceiling / 2 + rng.uniform(0, ceiling / 2))


@dataclass
class _Prepared:
    """A directive read once and reused for all its contacts: rendered once per distinct set
    of items (agencies addressed by the same items read the same letter)."""

    content: DirectiveContent
    links: list[str]
    attachment_name: str | None
    file_id: str | None
    first_reminder_after: timedelta | None
    upload_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    rendered: dict[int, list[str]] = field(default_factory=dict)
    recalled: bool = False
    status_read_at: float = float("-inf")  # the event loop's time of the last look

    def parts(self, items_mask: int) -> list[str]:
        found = self.rendered.get(items_mask)
        if found is None:
            found = self.rendered.setdefault(
                items_mask, render_directive(self.content, items_mask=items_mask)
            )
        return found


def _keyboard(payload: dict[str, object]) -> InlineKeyboardMarkup | None:
    """The buttons a notice carries (rows of {"text", "callback_data"}), if any."""
    rows = payload.get("keyboard")
    if not isinstance(rows, list) or not rows:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(str(b["text"]), callback_data=str(b["callback_data"]))
                for b in row
            ]
            for row in rows
        ]
    )


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
        due_after: Callable[[datetime, timedelta], datetime] = lambda at, after: at + after,
        workers: int = WORKERS,
        idle_poll: float = IDLE_POLL_SECONDS,
        limiter: SendLimiter | None = None,
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
        self._due_after = due_after  # the working clock: a cadence counts working time
        # Edits count against the chat's limit in PTB's hook; a recall edits thousands of
        # copies, so they take a slot of the overall rate here as well.
        self._limiter = limiter
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
                if not await self._letter_still_wanted(message, message.directive_id):
                    return
                await self._send_directive(message, message.directive_id, sent_ids)
            elif message.kind == MessageKind.REMINDER:
                if not await self._still_wanted(message):
                    return
                await self._send_reminder(message, sent_ids)
            elif message.kind in (MessageKind.EDIT, MessageKind.CORRECTION):
                source = await self._source_sent(message)
                if source is None:
                    return
                if message.kind == MessageKind.EDIT:
                    await self._edit_copy(message, source, sent_ids)
                else:
                    await self._send_correction(message, source, sent_ids)
            else:
                sent = await self._bot.send_message(
                    message.chat_id,
                    str(message.payload["text"]),
                    reply_markup=_keyboard(message.payload),
                    disable_web_page_preview=True,
                    rate_limit_args=0,
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
                    first_reminder_at=None if after is None else self._due_after(now, after),
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
        parts = prepared.parts(message.items_mask)
        keyboard = directive_keyboard(
            message.delivery_id, prepared.links, relay_units=message.relay_units
        )
        last = len(parts) - 1
        for index in range(message.parts_sent, len(parts)):
            markup = keyboard if index == last else None
            if index == 0 and prepared.attachment_name is not None:
                sent = await self._send_attachment(
                    message, directive_id, prepared.attachment_name, prepared, parts[0], markup
                )
            else:
                sent = await self._bot.send_message(
                    message.chat_id, parts[index], reply_markup=markup, rate_limit_args=0
                )
            sent_ids.append(str(sent.message_id))

    async def _letter_still_wanted(self, message: outbox.Claimed, directive_id: int) -> bool:
        """A copy claimed before its letter was recalled is dropped, not sent (the recall
        cancelled what was queued; this catches what was already claimed).

        The letter's status is read at most once a second, not for every copy: a query per
        message costs a broadcast its pace on SQLite (bench/broadcast.py), and a second of
        copies sent after a recall is edited like the ones before it.
        """
        prepared = await self._prepare(directive_id)
        now = asyncio.get_running_loop().time()
        if now - prepared.status_read_at >= RECALL_CHECK_SECONDS:
            prepared.status_read_at = now
            async with self._sessionmaker() as session:
                prepared.recalled = await recalled(session, directive_id)
        if not prepared.recalled:
            return True
        async with self._sessionmaker.begin() as session:
            await outbox.mark_cancelled(session, message, RECALLED_ERROR)
        return False

    async def _source_sent(self, message: outbox.Claimed) -> outbox.Source | None:
        """The copy an edit or a correction acts on, once it is sent; None meanwhile (the
        message waits) or when it never will be (the message is dropped)."""
        async with self._sessionmaker.begin() as session:
            source = (
                None
                if message.source_id is None
                else await outbox.source_of(session, message.source_id)
            )
            if (
                message.kind == MessageKind.CORRECTION
                and message.directive_id is not None
                and await recalled(session, message.directive_id)
            ):
                source = None  # a correction of a recalled letter has nothing to correct
            if source is not None and source.status == MessageStatus.SENT:
                return source
            if source is not None and source.status in (
                MessageStatus.QUEUED,
                MessageStatus.SENDING,
            ):
                at = self._clock() + timedelta(seconds=SOURCE_WAIT_SECONDS)
                await outbox.mark_retry(
                    session,
                    message,
                    error="waiting for the letter to be sent",
                    at=at,
                    message_ids=list(message.telegram_message_ids),
                    count_attempt=False,
                )
            else:
                await outbox.mark_cancelled(session, message, "the letter never reached this chat")
        return None

    async def _edit_copy(
        self, message: outbox.Claimed, source: outbox.Source, done: list[str]
    ) -> None:
        """Rewrite every message of a delivered copy (a recall), its buttons taken away; the
        parts already rewritten are in `done`, so a retry goes on where it stopped."""
        for index in range(len(done), len(source.telegram_message_ids)):
            message_id = int(source.telegram_message_ids[index])
            text = str(message.payload["text" if index == 0 else "rest"])
            if self._limiter is not None:
                await self._limiter.acquire(None)
            try:
                if index == 0 and message.payload.get("caption_first"):
                    await self._bot.edit_message_caption(
                        message.chat_id, message_id, caption=text, rate_limit_args=0
                    )
                else:
                    await self._bot.edit_message_text(
                        text, message.chat_id, message_id, rate_limit_args=0
                    )
            except BadRequest as error:
                reason = error.message.lower()
                if "not modified" not in reason and not any(m in reason for m in _UNEDITABLE):
                    raise
            done.append(str(message_id))

    async def _send_correction(
        self, message: outbox.Claimed, source: outbox.Source, sent_ids: list[str]
    ) -> None:
        """The correction, as a reply to the copy of the letter it corrects."""
        reply = (
            ReplyParameters(int(source.telegram_message_ids[0]), allow_sending_without_reply=True)
            if source.telegram_message_ids
            else None
        )
        sent = await self._bot.send_message(
            message.chat_id,
            str(message.payload["text"]),
            reply_parameters=reply,
            disable_web_page_preview=True,
            rate_limit_args=0,
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
        caption: str,
        markup: InlineKeyboardMarkup | None,
    ) -> Message:
        """Upload the file once, under a lock; every later contact gets Telegram's file_id."""
        if prepared.file_id is None:
            async with prepared.upload_lock:
                if prepared.file_id is None:
                    return await self._upload(
                        message, directive_id, file_name, prepared, caption, markup
                    )
        return await self._bot.send_document(
            message.chat_id,
            prepared.file_id,
            caption=caption,
            reply_markup=markup,
            rate_limit_args=0,
        )

    async def _upload(
        self,
        message: outbox.Claimed,
        directive_id: int,
        file_name: str,
        prepared: _Prepared,
        caption: str,
        markup: InlineKeyboardMarkup | None,
    ) -> Message:
        async with self._sessionmaker() as session:
            data = await get_directive_file(session, directive_id)
        if data is None:
            raise BadRequest("attachment bytes missing")
        sent = await self._bot.send_document(
            message.chat_id,
            InputFile(data, filename=file_name),
            caption=caption,
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
            content=directive_content(directive),
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
