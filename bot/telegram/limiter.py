"""Telegram's sending limits, shared by every message the bot sends.

PTB's AIORateLimiter has no per-chat limit for private chats and retries a 429 without
holding back the other requests; Telegram, though, counts all of a bot's messages together
and answers 429 to the next ones too. So one SendLimiter paces everything: the dispatcher's
broadcasts and the handlers' replies (through SharedRateLimiter, PTB's hook for exactly
this).

Pacing reserves evenly spaced time slots. aiolimiter's leaky bucket (capacity 1, the only
setting without a burst) was measured first: every wake-up comes about 1 ms late and the
delay is never made up, which held a 30/s broadcast to 0.949 of the rate (bench/broadcast.py);
reserved slots absorb the timer's lateness and reach 0.97 with no 429.
"""

from __future__ import annotations

import asyncio
import time
import warnings
from collections import deque
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning

# Messages count against the global limit; edits only against the chat's.
_GLOBAL_ENDPOINTS = ("send", "copyMessage", "copyMessages", "forwardMessage", "forwardMessages")
_CHAT_ENDPOINTS = (*_GLOBAL_ENDPOINTS, "editMessage")
# Telegram counts over any one-second window; pacing a little under the configured rate (and
# a little over a second apart in one chat) keeps the jitter between here and Telegram from
# ever putting one message too many in a window.
SAFETY_MARGIN = 0.97
JITTER_GUARD_SECONDS = 0.02
# Telegram: one message per second in a chat.
CHAT_INTERVAL_SECONDS = 1.0 + JITTER_GUARD_SECONDS
# A chat's next message waits for the previous one's answer (below), but never longer than
# this: a slot taken and not used must not hold the chat for good.
IN_FLIGHT_LIMIT_SECONDS = 10.0
IN_FLIGHT_POLL_SECONDS = 0.01
# `rate_limit_args` of a request whose caller took its slot itself (SendLimiter.acquire):
# the dispatcher does, so that it can check its claim on a message after waiting for the
# slot and right before the request. No 429 retry either: the caller decides.
PACED_BY_CALLER = -1


def retry_after_seconds(error: RetryAfter) -> float:
    """RetryAfter.retry_after is an int or a timedelta depending on PTB_TIMEDELTA."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class SendLimiter:
    """At most `rate_per_second` messages overall, evenly spaced (no initial burst), at
    most one per `chat_interval` seconds in each chat, and a pause for everyone on 429.

    Two guards work together. Reserved slots space messages evenly and serve waiters in
    order. But a message that leaves late (a busy event loop) followed by one that leaves on
    time would be closer than a slot apart, so the moments messages actually leave are
    checked as well: never more than the rate in any window of a second (plus a little for
    the jitter between here and Telegram). In one chat the interval runs from the previous
    message's answer (`finished`), not from its slot: a request delayed between its slot
    and Telegram (a loaded machine) can then never arrive within the interval of the next.
    A broadcast sends one message per chat, so this costs it nothing.
    """

    def __init__(
        self,
        rate_per_second: float,
        *,
        chat_interval: float = CHAT_INTERVAL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._global_interval = 1 / (rate_per_second * SAFETY_MARGIN)
        self._global_next = 0.0
        self._window_limit = max(1, int(rate_per_second))
        self._window = 1.0 + JITTER_GUARD_SECONDS
        self._released: deque[float] = deque()
        self._chat_interval = chat_interval
        self._chat_next: dict[int, float] = {}
        self._chat_released: dict[int, float] = {}
        self._chat_in_flight: dict[int, float] = {}
        self._paused_until = 0.0
        self._clock = clock

    def pause(self, seconds: float) -> None:
        """Telegram said 429: nobody sends until it allows again, and then not all at once."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)
        self._global_next = max(self._global_next, self._paused_until)

    async def _wait_pause(self) -> None:
        # Sleeps exactly until the pause ends; a new 429 meanwhile extends it, hence the loop.
        while (delay := self._paused_until - self._clock()) > 0:  # noqa: ASYNC110
            await asyncio.sleep(delay)

    async def _wait_chat(self, chat_id: int) -> None:
        # Reserve the chat's next slot before sleeping: concurrent senders queue in order.
        now = self._clock()
        slot = max(now, self._chat_next.get(chat_id, 0.0))
        self._chat_next[chat_id] = slot + self._chat_interval
        if slot > now:
            await asyncio.sleep(slot - now)
        # Then wait for the chat's last message to be answered, and measure from then.
        while True:
            now = self._clock()
            started = self._chat_in_flight.get(chat_id)
            if started is not None and now - started < IN_FLIGHT_LIMIT_SECONDS:
                await asyncio.sleep(IN_FLIGHT_POLL_SECONDS)
                continue
            last = self._chat_released.get(chat_id)
            if last is None or (delay := last + self._chat_interval - now) <= 0:
                return
            await asyncio.sleep(delay)

    def finished(self, chat_id: int) -> None:
        """The message to `chat_id` whose slot was taken has been answered (or will not be
        sent): the chat's next message may go one interval from now."""
        if self._chat_in_flight.pop(chat_id, None) is not None:
            self._chat_released[chat_id] = self._clock()

    async def _wait_global(self) -> None:
        # Slots are 1/rate apart from the previous slot, not from the previous wake-up, so a
        # late timer does not slow the rate down.
        now = self._clock()
        slot = max(now, self._global_next)
        self._global_next = slot + self._global_interval
        if slot > now:
            await asyncio.sleep(slot - now)
        while True:
            now = self._clock()
            while self._released and now - self._released[0] >= self._window:
                self._released.popleft()
            if len(self._released) < self._window_limit:
                break
            await asyncio.sleep(self._released[0] + self._window - now)

    def _forget_idle_chats(self, now: float) -> None:
        for chat_id in [c for c, t in self._chat_next.items() if t < now - self._chat_interval]:
            self._chat_next.pop(chat_id, None)
            self._chat_released.pop(chat_id, None)
            self._chat_in_flight.pop(chat_id, None)

    async def acquire(self, chat_id: int | None, *, counts_globally: bool = True) -> None:
        """Wait until one message to `chat_id` may go."""
        while True:
            await self._wait_pause()
            if chat_id is not None:
                await self._wait_chat(chat_id)
            if counts_globally:
                await self._wait_global()
            now = self._clock()
            if now >= self._paused_until:
                break
            # A 429 arrived while this sender waited: its slot is void, take a new one.
        if counts_globally:
            self._released.append(now)
        if chat_id is not None:
            self._chat_in_flight[chat_id] = now
            if len(self._chat_next) > 10_000:
                self._forget_idle_chats(now)


class SharedRateLimiter(BaseRateLimiter[int]):
    """PTB's rate-limiter hook over a SendLimiter.

    `rate_limit_args` is the number of 429 retries for that request (default
    `max_retries`); the dispatcher passes PACED_BY_CALLER: it took the slot itself, and
    decides itself what to do with a 429.
    """

    def __init__(self, limiter: SendLimiter, max_retries: int = 3) -> None:
        self.limiter = limiter
        self._max_retries = max_retries

    async def initialize(self) -> None:
        """Nothing to set up: the limiter lives as long as the application."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        retries = self._max_retries if rate_limit_args is None else max(0, rate_limit_args)
        chat_id = data.get("chat_id")
        to_chat = endpoint.startswith(_CHAT_ENDPOINTS)
        paced = to_chat and rate_limit_args != PACED_BY_CALLER
        for attempt in range(retries + 1):
            if paced:
                await self.limiter.acquire(
                    chat_id if isinstance(chat_id, int) else None,
                    counts_globally=endpoint.startswith(_GLOBAL_ENDPOINTS),
                )
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                self.limiter.pause(retry_after_seconds(error))
                if attempt == retries:
                    raise
            finally:  # answered (or failed): the chat's interval runs from now
                if to_chat and isinstance(chat_id, int):
                    self.limiter.finished(chat_id)
        raise AssertionError("unreachable")
