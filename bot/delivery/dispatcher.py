"""The dispatcher: sends what the send queue (outbound_messages) holds, at Telegram's pace.

A feeder claims due rows (committed as `sending` before any API call) and hands them to a
pool of workers; the shared SendLimiter paces them, so that the pool only has to be large
enough to cover the API latency. Every outcome is written back to the row: sent with its
Telegram message ids, retried later with backoff, or failed with the reason.

A claim is a lease: the row records this instance and until when it holds it, and
a keeper renews the leases while the instance works. A worker sends only while its lease
has time left (checked after waiting for the rate limiter, right before the request), and
every outcome is written only if the row is still this instance's (`outbox.mark_*` are
fenced by the claim). Another instance takes back only expired leases; so a leader cut off
from the database stops sending before its rows can be taken over, and a late write of
its can never undo what the new leader did.

Nothing here stops for a database outage: the feeder backs off and claims again, a worker
holding a sent message retries writing the outcome until the database is back (so nothing
already sent is sent again), and a worker whose lease ran out waits for it to be renewed.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import secrets
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, ReplyParameters
from telegram.error import (
    BadRequest,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import ExtBot

from bot.delivery.leadership import Leadership
from bot.delivery.render import DirectiveContent, directive_content, render_directive
from bot.metrics import Metrics
from bot.resilience import (
    Backoff,
    DatabaseStatus,
    Supervisor,
    database_unavailable,
    until_written,
    wait_at_most,
)
from bot.telegram.keyboards import directive_keyboard
from bot.telegram.limiter import PACED_BY_CALLER, SendLimiter, retry_after_seconds
from db.models import Directive, MessageKind, MessageStatus, ReminderPhase
from db.queries import outbox
from db.queries.directives import BLOCKED_REASON, get_directive, get_directive_file
from db.queries.events import record_event
from db.queries.people import block_contact
from db.queries.recall import RECALLED_ERROR, recalled
from db.queries.reminders import still_chased

log = logging.getLogger(__name__)

WORKERS = 24
PROBE_AFTER_SECONDS = 1.0
"""After Telegram fails in several chats, the pause before its first probe."""
MAX_ATTEMPTS = 6
BACKOFF_BASE_SECONDS = 1.0
BACKOFF_MAX_SECONDS = 300.0
IDLE_POLL_SECONDS = 1.0
STOP_GRACE_SECONDS = 10.0
RELEASE_TIMEOUT_SECONDS = 5.0
LEASE_SECONDS = 10.0
RECALL_CHECK_SECONDS = 1.0
"""How often a letter being sent is looked at again, in case it was recalled meanwhile."""
SOURCE_WAIT_SECONDS = 1.0
"""How long an edit or a correction waits before looking again at a copy not yet sent."""
# Telegram's answers to an edit of a message that is gone or that cannot change any more:
# the copy is as edited as it will be, so the edit moves on to the next part.
_UNEDITABLE = ("message to edit not found", "message can't be edited")
T = TypeVar("T")


def backoff(attempt: int, rng: random.Random) -> float:
    """Exponential backoff with full jitter: 1 s, 2 s, 4 s … scattered so retries spread out."""
    ceiling = min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS * 2**attempt)
    return float(ceiling / 2 + rng.uniform(0, ceiling / 2))


def instance_name() -> str:
    """This process among the instances: host, pid and a random tag (a pid is reused)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"


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


# What became of one attempt at a message; written back to its row in one transaction.


@dataclass(frozen=True)
class _Sent:
    ids: list[str]


@dataclass(frozen=True)
class _Retry:
    reason: str
    category: str  # a metrics.RETRY_REASONS word
    ids: list[str]
    at: datetime | None = None
    count_attempt: bool = False


@dataclass(frozen=True)
class _Failed:
    reason: str
    category: str  # a metrics.FAILURE_REASONS word
    ids: list[str]
    blocked_by: str | None = None  # Telegram's words when the contact blocked the bot


@dataclass(frozen=True)
class _Cancelled:
    reason: str


_Outcome = _Sent | _Retry | _Failed | _Cancelled


class TelegramBreaker:
    """Telegram itself failing (5xx, timeouts, no connection): stop hammering it, probe.

    After failures in `threshold` different chats in a row with no success between (one
    chat failing again and again is that chat's problem, and its message is given up after
    MAX_ATTEMPTS as usual), the breaker opens: no send for a delay (1 s, doubling up to
    30 s); then one send goes as a probe while the others wait for its outcome. A success
    closes it, a failure opens it again for longer. So a Telegram outage of minutes costs a
    probe every half minute, not every message's attempts, and no message is given up for
    it; the first success lets everything go.
    """

    def __init__(
        self, threshold: int = 3, first: float = PROBE_AFTER_SECONDS, ceiling: float = 30.0
    ) -> None:
        self._threshold = threshold
        self._first = first
        self._ceiling = ceiling
        self._failed_chats: set[int] = set()
        self._delay = first
        self._open_until: float | None = None
        self._prober: asyncio.Task[object] | None = None
        self._changed = asyncio.Event()

    @property
    def open(self) -> bool:
        return self._open_until is not None

    def probing(self) -> bool:
        """Whether the current task's send is the probe (its failure says nothing about
        the message: it does not count against the message's attempts)."""
        return self._prober is not None and self._prober is asyncio.current_task()

    async def admit(self) -> None:
        """Until this send may go: at once while closed; else as the probe, or once the
        probe succeeded."""
        loop = asyncio.get_running_loop()
        while self._open_until is not None and not self.probing():
            wait = self._open_until - loop.time()
            if wait <= 0 and self._prober is None:
                self._prober = asyncio.current_task()
                return
            self._changed.clear()
            await wait_at_most(wait if wait > 0 else None, self._changed.wait())

    def succeeded(self) -> None:
        """Telegram answered (a 4xx is an answer too)."""
        if self._open_until is not None:
            log.warning("Telegram answers again: sending resumes")
        self._failed_chats.clear()
        self._delay, self._open_until, self._prober = self._first, None, None
        self._changed.set()

    def failed(self, chat_id: int) -> None:
        """Telegram did not answer a send to `chat_id`, or answered 5xx."""
        self._failed_chats.add(chat_id)
        if self.probing():
            self._delay = min(self._ceiling, self._delay * 2)
        elif len(self._failed_chats) < self._threshold or self._open_until is not None:
            return
        else:
            log.warning("Telegram is failing: sending pauses, one probe at a time")
        self._prober = None
        self._open_until = asyncio.get_running_loop().time() + self._delay
        self._changed.set()

    def released(self) -> None:
        """The current task sends nothing after all: if it was the probe, another goes."""
        if self.probing():
            self._prober = None
            self._changed.set()


class _LostClaim(Exception):
    """Another instance took the row back (this instance's lease ran out): not ours to send."""


def _network_category(error: NetworkError) -> str:
    if isinstance(error, TimedOut):
        return "timeout"
    if error.message.startswith("aiohttp.") or "Error:" in error.message:
        return "network"
    return "server_error"


class Dispatcher:
    def __init__(
        self,
        bot: ExtBot[int],
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        clock: Callable[[], datetime],
        leadership: Leadership,
        limiter: SendLimiter,
        metrics: Metrics,
        database: DatabaseStatus,
        supervisor: Supervisor,
        wake: asyncio.Event,
        on_progress: Callable[[], None] = lambda: None,
        on_finished: Callable[[list[int]], None] = lambda _: None,
        first_reminder_after: Callable[[Directive], timedelta | None] = lambda _: None,
        due_after: Callable[[datetime, timedelta], datetime] = lambda at, after: at + after,
        workers: int = WORKERS,
        idle_poll: float = IDLE_POLL_SECONDS,
        lease: float = LEASE_SECONDS,
        probe_after: float = PROBE_AFTER_SECONDS,
        instance: str | None = None,
    ) -> None:
        self._bot = bot
        self._sessionmaker = sessionmaker
        self._clock = clock
        self._leadership = leadership
        self._limiter = limiter
        self._metrics = metrics
        self._database = database
        self._supervisor = supervisor
        self._worker_count = workers
        self._queue: asyncio.Queue[outbox.Claimed] = asyncio.Queue()
        self._wake = wake
        self._on_progress = on_progress
        self._on_finished = on_finished
        self._idle_poll = idle_poll
        self._first_reminder_after = first_reminder_after
        self._due_after = due_after  # the working clock: a cadence counts working time
        self._room = asyncio.Event()
        self._prepared: dict[int, _Prepared] = {}
        self._task_names: list[str] = []
        self._in_flight = 0
        self._rng = random.Random()  # noqa: S311 (jitter spreads retries; no secret here)
        self.instance = instance or instance_name()
        """Who claims: written on every row this instance sends."""
        self._lease = lease
        self._renew_every = lease / 5
        # A send starts only with this much of its lease left: it has that long to finish
        # before another instance could take the row back.
        self._send_margin = lease * 0.3
        self._recover_every = lease / 5
        self._next_recovery = 0.0
        # Rows this instance claimed and has not finished, and (event-loop time) until when
        # their lease is known to run.
        self._held: dict[int, outbox.Claimed] = {}
        self._valid: dict[int, float] = {}
        self._recording: set[int] = set()  # rows whose outcome a worker is writing
        self._renewed = asyncio.Event()
        self._breaker = TelegramBreaker(first=probe_after)

    @property
    def is_leader(self) -> bool:
        return self._leadership.is_leader

    def wake(self) -> None:
        """New messages were queued: look now instead of at the next poll."""
        self._wake.set()

    async def start(self) -> None:
        spawn = self._supervisor.spawn
        self._task_names = ["dispatcher-feeder", "dispatcher-leases"]
        spawn("dispatcher-feeder", self._feed)
        spawn("dispatcher-leases", self._keep_leases)
        for n in range(self._worker_count):
            name = f"dispatcher-worker-{n}"
            self._task_names.append(name)
            spawn(name, self._work)

    async def stop(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """Stop claiming, give back what no worker started, and let the sends under way
        finish (up to `grace` seconds).

        Cutting a send off mid-request would leave it ambiguous (Telegram may have it), and
        the next sender would send it again; letting it finish keeps a restart
        duplicate-free. Rows given back are queued again at once; a row whose give-back
        fails keeps its lease, and whoever leads next takes it back when the lease runs out.
        """
        await self._supervisor.stop(["dispatcher-feeder"])
        unstarted: list[int] = []
        while not self._queue.empty():
            unstarted.append(self._queue.get_nowait().id)
        await self._release(unstarted)
        await wait_at_most(grace, self._idle())
        await self._supervisor.stop(self._task_names)
        self._task_names = []

    async def _release(self, ids: list[int]) -> None:
        for message_id in ids:
            self._held.pop(message_id, None)
            self._valid.pop(message_id, None)
        if not ids:
            return
        try:
            async with asyncio.timeout(RELEASE_TIMEOUT_SECONDS):
                async with self._sessionmaker.begin() as session:
                    await outbox.release_claims(session, self.instance, ids)
        except Exception:  # their leases run out instead; the next leader takes them back
            log.warning("could not give back %d claimed message(s) at stop", len(ids))

    async def _idle(self) -> None:
        while self._in_flight:
            self._room.clear()
            await self._room.wait()

    # feeding ---------------------------------------------------------------------------------

    async def _feed(self) -> None:
        retry = Backoff()
        while True:
            # Cleared before looking, not after: a message queued while this loop looks
            # (or finishes directives) sets it again, and the wait below returns at once.
            self._wake.clear()
            try:
                claimed = await self._feed_once()
            except Exception as error:
                if database_unavailable(error):
                    self._database.failed("dispatcher", error)
                else:
                    log.exception("claiming messages failed; trying again")
                await retry.wait()
                continue
            retry.reset()
            if claimed == 0:
                await self._finish_directives()
                # Idle: wake when something is queued, or poll for retries falling due.
                await wait_at_most(self._idle_poll, self._wake.wait())

    async def _feed_once(self) -> int:
        """Take back expired leases now and then, then claim what there is room for: the
        number claimed (-1: no room, a worker has just finished one)."""
        if not self._leadership.is_leader:
            return 0
        loop = asyncio.get_running_loop()
        if loop.time() >= self._next_recovery:
            await self._recover()
            self._next_recovery = loop.time() + self._recover_every
        room = 2 * self._worker_count - self._queue.qsize() - self._in_flight
        if room <= 0:  # enough claimed already: wait until a worker finishes one
            self._room.clear()
            await wait_at_most(self._idle_poll, self._room.wait())
            return -1
        started = loop.time()
        with self._database.watching():
            async with self._sessionmaker.begin() as session:
                if not await self._leadership.confirm(session):
                    return 0
                claimed = await outbox.claim_due(
                    session,
                    self._clock(),
                    room,
                    owner=self.instance,
                    lease=timedelta(seconds=self._lease),
                )
        self._database.succeeded()
        for message in claimed:
            if message.id in self._held:  # re-queued and claimed again while a worker had it
                continue
            self._held[message.id] = message
            self._valid[message.id] = started + self._lease
            self._queue.put_nowait(message)
        return len(claimed)

    async def _recover(self) -> None:
        """What a dead instance left `sending` goes back to the queue once its lease ran out
        (on SQLite at once: no other process can be sending)."""
        async with self._sessionmaker.begin() as session:
            count = await outbox.recover_expired(
                session,
                self._clock(),
                owner=self.instance,
                held=list(self._held),
                exclusive=self._leadership.exclusive,
            )
        self._database.succeeded()
        if count:
            log.warning("re-queued %d message(s) left in flight by an instance that stopped", count)

    async def _finish_directives(self) -> None:
        """Directives whose every message has an outcome are `sent` (the leader decides)."""
        if not self._leadership.is_leader:
            return
        try:
            async with self._sessionmaker.begin() as session:
                finished = await outbox.finish_sent_directives(session)
        except Exception as error:  # the next idle look tries again
            if database_unavailable(error):
                self._database.failed("dispatcher", error)
            else:
                log.exception("marking finished directives failed; retrying")
            return
        if finished:
            self._on_finished(finished)

    # leases ----------------------------------------------------------------------------------

    async def _keep_leases(self) -> None:
        """Renew the leases of every row this instance holds, every fifth of a lease; a row
        another instance took back meanwhile is dropped (its worker will not send it).

        On SQLite no other process can take a row (the file lock), so the leases only run
        on here, without a write that would queue behind the workers' own.
        """
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(self._renew_every)
            ids = list(self._held)
            if not ids:
                continue
            started = loop.time()
            if self._leadership.exclusive:
                for message_id in ids:
                    if message_id in self._held:
                        self._valid[message_id] = started + self._lease
                continue
            until = self._clock() + timedelta(seconds=self._lease)
            try:
                with self._database.watching():
                    async with self._sessionmaker.begin() as session:
                        kept = await outbox.renew_leases(session, self.instance, ids, until)
            except Exception as error:
                if database_unavailable(error):
                    self._database.failed("dispatcher leases", error)
                else:
                    log.exception("renewing the leases failed")
                continue
            self._database.succeeded()
            for message_id in ids:
                if message_id in kept:
                    if message_id in self._held:
                        self._valid[message_id] = started + self._lease
                elif message_id in self._held and message_id not in self._recording:
                    # (a row whose outcome is being written is no longer `sending` when done)
                    del self._held[message_id]
                    self._valid.pop(message_id, None)
                    log.warning("message %s was taken over by another instance", message_id)
            self._renewed.set()
            self._renewed.clear()

    def _lease_left(self, message: outbox.Claimed) -> float:
        if message.id not in self._held:
            raise _LostClaim
        return self._valid.get(message.id, 0.0) - asyncio.get_running_loop().time()

    async def _await_lease(self, message: outbox.Claimed) -> None:
        """Until the lease on `message` has enough time left for a send (it may have run out
        while the database was away: then until the keeper renews it, or learns it is lost)."""
        while self._lease_left(message) < self._send_margin:
            await wait_at_most(self._renew_every, self._renewed.wait())

    async def _before_send(self, message: outbox.Claimed) -> None:
        """Take the rate limiter's slot for this chat, holding a lease with time left, while
        the database answers: a send whose outcome could not be written would go again."""
        while True:
            await self._database.wait_answering()
            await self._breaker.admit()
            await self._await_lease(message)
            await self._limiter.acquire(message.chat_id)
            if self._lease_left(message) >= self._send_margin and self._database.answering():
                return
            self._limiter.finished(message.chat_id)  # the slot goes unused: free the chat

    # sending ---------------------------------------------------------------------------------

    async def _work(self) -> None:
        while True:
            message = await self._queue.get()
            self._in_flight += 1
            try:
                await self._handle(message)
            finally:
                self._held.pop(message.id, None)
                self._valid.pop(message.id, None)
                self._in_flight -= 1
                self._room.set()
                self._on_progress()

    async def _handle(self, message: outbox.Claimed) -> None:
        sent_ids = list(message.telegram_message_ids)
        try:
            outcome = await self._attempt(message, sent_ids)
        except _LostClaim:
            log.info("message %s is no longer this instance's to send", message.id)
            return
        except Exception:
            self._breaker.released()
            log.exception("unexpected error sending message %s", message.id)
            if message.attempts + 1 >= MAX_ATTEMPTS:
                outcome = _Failed("lỗi không mong đợi", "unexpected", sent_ids)
            else:
                outcome = _Retry("unexpected error", "unexpected", sent_ids, count_attempt=True)
        await self._record(message, outcome)

    async def _read(self, message: outbox.Claimed, operation: Callable[[], Awaitable[T]]) -> T:
        """A read before sending `message`, retried through an outage (nothing is sent
        meanwhile); given up if the row stops being this instance's."""
        retry = Backoff()
        while True:
            try:
                result = await operation()
            except Exception as error:
                if not database_unavailable(error):
                    raise
                self._database.failed("dispatcher", error)
                await retry.wait()
                self._lease_left(message)
                continue
            self._database.succeeded()
            return result

    async def _attempt(self, message: outbox.Claimed, sent_ids: list[str]) -> _Outcome:
        try:
            directive_id = message.directive_id
            if message.kind == MessageKind.DIRECTIVE and directive_id is not None:
                if not await self._read(message, lambda: self._letter_still_wanted(directive_id)):
                    return _Cancelled(RECALLED_ERROR)
                await self._send_directive(message, directive_id, sent_ids)
            elif message.kind == MessageKind.REMINDER:
                if not await self._read(message, lambda: self._still_wanted(message)):
                    return _Cancelled("answered before the reminder went out")
                await self._send_reminder(message, sent_ids)
            elif message.kind in (MessageKind.EDIT, MessageKind.CORRECTION):
                source = await self._read(message, lambda: self._source_of(message))
                if not isinstance(source, outbox.Source):
                    return source
                if message.kind == MessageKind.EDIT:
                    await self._edit_copy(message, source, sent_ids)
                else:
                    await self._send_correction(message, source, sent_ids)
            else:
                await self._before_send(message)
                sent = await self._bot.send_message(
                    message.chat_id,
                    str(message.payload["text"]),
                    reply_markup=_keyboard(message.payload),
                    disable_web_page_preview=True,
                    rate_limit_args=PACED_BY_CALLER,
                )
                sent_ids.append(str(sent.message_id))
        except BadRequest as error:  # a NetworkError to PTB, but Telegram answered: it is up
            self._breaker.succeeded()
            return self._refused(message, error, sent_ids)
        except NetworkError as error:  # 5xx, timeouts and connection errors: try again
            return self._network_failure(message, error, sent_ids)
        except TelegramError as error:  # Telegram answered: it is up
            self._breaker.succeeded()
            return self._refused(message, error, sent_ids)
        except _LostClaim:
            self._breaker.released()
            raise
        self._breaker.succeeded()
        return _Sent(sent_ids)

    def _network_failure(
        self, message: outbox.Claimed, error: NetworkError, sent_ids: list[str]
    ) -> _Outcome:
        """Try again later; a failed probe does not count against the message (it is
        Telegram that fails, not this message), the others count up to MAX_ATTEMPTS."""
        probe = self._breaker.probing()
        self._breaker.failed(message.chat_id)
        reason = f"{type(error).__name__}: {error.message}"
        if probe:
            return _Retry(reason, _network_category(error), sent_ids)
        if message.attempts + 1 >= MAX_ATTEMPTS:
            return _Failed(f"lỗi mạng sau {MAX_ATTEMPTS} lần: {reason}", "network", sent_ids)
        return _Retry(reason, _network_category(error), sent_ids, count_attempt=True)

    def _refused(
        self, message: outbox.Claimed, error: TelegramError, sent_ids: list[str]
    ) -> _Outcome:
        """What Telegram answered with an error: wait (429), blocked (403), refused (400)."""
        if isinstance(error, RetryAfter):
            # The limiter has paused everyone; this message simply waits its turn again.
            wait = retry_after_seconds(error)
            at = self._clock() + timedelta(seconds=wait)
            return _Retry(f"429 retry after {wait:g}s", "rate_limited", sent_ids, at=at)
        if isinstance(error, Forbidden):
            return _Failed(BLOCKED_REASON, "blocked", sent_ids, blocked_by=error.message)
        if isinstance(error, BadRequest):
            if "chat not found" in error.message.lower():
                return _Failed(BLOCKED_REASON, "blocked", sent_ids, blocked_by=error.message)
            return _Failed(f"Telegram từ chối: {error.message}", "rejected", sent_ids)
        return _Failed(f"lỗi Telegram: {error.message}", "telegram", sent_ids)

    async def _send_directive(
        self, message: outbox.Claimed, directive_id: int, sent_ids: list[str]
    ) -> None:
        prepared = await self._read(message, lambda: self._prepare(directive_id))
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
                await self._before_send(message)
                sent = await self._bot.send_message(
                    message.chat_id,
                    parts[index],
                    reply_markup=markup,
                    rate_limit_args=PACED_BY_CALLER,
                )
            sent_ids.append(str(sent.message_id))

    async def _letter_still_wanted(self, directive_id: int) -> bool:
        """False when the letter was recalled: a copy claimed before the recall is dropped,
        not sent (the recall cancelled what was queued; this catches what was claimed).

        The letter's status is read at most once a second, not for every copy: a query per
        message costs a broadcast its pace on SQLite (bench/broadcast.py), and a second of
        copies sent after a recall is edited like the ones before it.
        """
        prepared = await self._prepare(directive_id)
        now = asyncio.get_running_loop().time()
        if now - prepared.status_read_at >= RECALL_CHECK_SECONDS:
            async with self._sessionmaker() as session:
                prepared.recalled = await recalled(session, directive_id)
            prepared.status_read_at = now
        return not prepared.recalled

    async def _source_of(self, message: outbox.Claimed) -> outbox.Source | _Outcome:
        """The copy an edit or a correction acts on, once it is sent; else the message waits
        (a retry that does not count) or, when the copy never will be sent, is dropped."""
        async with self._sessionmaker() as session:
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
        if source is not None and source.status in (MessageStatus.QUEUED, MessageStatus.SENDING):
            at = self._clock() + timedelta(seconds=SOURCE_WAIT_SECONDS)
            return _Retry(
                "waiting for the letter to be sent",
                "waiting",
                list(message.telegram_message_ids),
                at,
            )
        return _Cancelled("the letter never reached this chat")

    async def _edit_copy(
        self, message: outbox.Claimed, source: outbox.Source, done: list[str]
    ) -> None:
        """Rewrite every message of a delivered copy (a recall), its buttons taken away; the
        parts already rewritten are in `done`, so a retry goes on where it stopped."""
        for index in range(len(done), len(source.telegram_message_ids)):
            message_id = int(source.telegram_message_ids[index])
            text = str(message.payload["text" if index == 0 else "rest"])
            await self._before_send(message)
            try:
                if index == 0 and message.payload.get("caption_first"):
                    await self._bot.edit_message_caption(
                        message.chat_id, message_id, caption=text, rate_limit_args=PACED_BY_CALLER
                    )
                else:
                    await self._bot.edit_message_text(
                        text, message.chat_id, message_id, rate_limit_args=PACED_BY_CALLER
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
        await self._before_send(message)
        sent = await self._bot.send_message(
            message.chat_id,
            str(message.payload["text"]),
            reply_parameters=reply,
            disable_web_page_preview=True,
            rate_limit_args=PACED_BY_CALLER,
        )
        sent_ids.append(str(sent.message_id))

    async def _still_wanted(self, message: outbox.Claimed) -> bool:
        """A reminder queued before the agency answered is dropped, not sent."""
        if message.delivery_id is None:
            return True
        phase = str(message.payload.get("phase", ReminderPhase.ACK))
        scheduled = bool(message.payload.get("scheduled", False))
        async with self._sessionmaker() as session:
            return await still_chased(session, message.delivery_id, phase, scheduled=scheduled)

    async def _send_reminder(self, message: outbox.Claimed, sent_ids: list[str]) -> None:
        links = [str(link) for link in message.payload.get("links", [])]  # type: ignore[attr-defined]
        keyboard = directive_keyboard(
            message.delivery_id,
            links,
            str(message.payload.get("lang", "vi")),
            relay_units=message.relay_units,
        )
        await self._before_send(message)
        sent = await self._bot.send_message(
            message.chat_id,
            str(message.payload["text"]),
            reply_markup=keyboard,
            disable_web_page_preview=True,
            rate_limit_args=PACED_BY_CALLER,
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
        await self._before_send(message)
        return await self._bot.send_document(
            message.chat_id,
            prepared.file_id,
            caption=caption,
            reply_markup=markup,
            rate_limit_args=PACED_BY_CALLER,
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
        data = await self._read(message, lambda: self._file_of(directive_id))
        if data is None:
            raise BadRequest("attachment bytes missing")
        await self._before_send(message)
        sent = await self._bot.send_document(
            message.chat_id,
            InputFile(data, filename=file_name),
            caption=caption,
            reply_markup=markup,
            rate_limit_args=PACED_BY_CALLER,
        )
        if sent.document is not None:
            prepared.file_id = sent.document.file_id
            try:
                async with self._sessionmaker.begin() as session:
                    directive = await get_directive(session, directive_id)
                    if directive is not None:
                        directive.attachment_file_id = prepared.file_id
            except Exception as error:  # kept in memory; a restart uploads once more
                if not database_unavailable(error):
                    raise
                self._database.failed("dispatcher", error)
        return sent

    async def _file_of(self, directive_id: int) -> bytes | None:
        async with self._sessionmaker() as session:
            return await get_directive_file(session, directive_id)

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

    async def _record(self, message: outbox.Claimed, outcome: _Outcome) -> None:
        """Write the outcome, waiting out an outage: a message Telegram has is recorded as
        sent once the database is back, not sent again. Nothing is written if the row is
        no longer this instance's (its lease ran out and another instance took it)."""
        if isinstance(outcome, _Retry) and outcome.at is None:
            delay = backoff(message.attempts, self._rng)
            outcome = _Retry(
                outcome.reason,
                outcome.category,
                outcome.ids,
                self._clock() + timedelta(seconds=delay),
                outcome.count_attempt,
            )
        owned = False

        async def write() -> None:
            nonlocal owned
            with self._database.watching():
                async with self._sessionmaker.begin() as session:
                    owned = await self._write(session, message, outcome)

        self._recording.add(message.id)
        try:
            if not await until_written(write, status=self._database, where="dispatcher"):
                return
        finally:
            self._recording.discard(message.id)
            self._held.pop(message.id, None)
            self._valid.pop(message.id, None)
        if not owned:
            log.warning(
                "message %s: not recording %s, another instance took the message over",
                message.id,
                type(outcome).__name__.strip("_").lower(),
            )
            return
        if isinstance(outcome, _Sent):
            self._metrics.messages_sent.labels(kind=message.kind).inc()
        elif isinstance(outcome, _Retry):
            self._metrics.messages_retried.labels(reason=outcome.category).inc()
            log.info("message %s to retry at %s: %s", message.id, outcome.at, outcome.reason)
            self.wake()
        elif isinstance(outcome, _Failed):
            self._metrics.messages_failed.labels(reason=outcome.category).inc()
            if outcome.blocked_by is None:
                log.warning("message %s failed: %s", message.id, outcome.reason)

    async def _write(
        self, session: AsyncSession, message: outbox.Claimed, outcome: _Outcome
    ) -> bool:
        owner = self.instance
        if isinstance(outcome, _Cancelled):
            return await outbox.mark_cancelled(session, message, outcome.reason, owner=owner)
        if isinstance(outcome, _Retry):
            return await outbox.mark_retry(
                session,
                message,
                owner=owner,
                error=outcome.reason,
                at=outcome.at or self._clock(),
                message_ids=outcome.ids,
                count_attempt=outcome.count_attempt,
            )
        if isinstance(outcome, _Failed):
            if not await outbox.mark_failed(
                session, message, owner=owner, error=outcome.reason, message_ids=outcome.ids
            ):
                return False
            if outcome.blocked_by is not None:
                if message.contact_id is not None:
                    await block_contact(session, message.contact_id, self._clock())
                await record_event(
                    session,
                    "contact.blocked",
                    actor_type="bot",
                    directive_id=message.directive_id,
                    agency_id=message.agency_id,
                    chat_id=message.chat_id,
                    telegram_error=outcome.blocked_by,
                )
            else:
                await record_event(
                    session,
                    "message.failed",
                    actor_type="bot",
                    directive_id=message.directive_id,
                    agency_id=message.agency_id,
                    message_id=message.id,
                    chat_id=message.chat_id,
                    reason=outcome.reason,
                )
            return True
        now = self._clock()
        prepared = self._prepared.get(message.directive_id or 0)
        after = None if prepared is None else prepared.first_reminder_after
        if not await outbox.mark_sent(
            session,
            message,
            outcome.ids,
            now,
            owner=owner,
            first_reminder_at=None if after is None else self._due_after(now, after),
        ):
            return False
        await record_event(
            session,
            "message.sent",
            actor_type="bot",
            directive_id=message.directive_id,
            agency_id=message.agency_id,
            chat_id=message.chat_id,
            message_kind=message.kind,
            telegram_message_ids=outcome.ids,
        )
        return True
