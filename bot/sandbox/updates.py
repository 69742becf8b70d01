"""The bot's pending updates, with getUpdates' offset and long-polling semantics."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Iterable

from bot.sandbox.botapi import ApiError
from bot.sandbox.models import JSON
from bot.sandbox.notify import Notifier

# Update kinds Telegram leaves out unless the bot asks for them explicitly.
OPT_IN_KINDS = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)


class UpdateQueue:
    """Unconfirmed updates in order; shared by getUpdates and the webhook pusher."""

    def __init__(self, notifier: Notifier) -> None:
        self.pending: deque[JSON] = deque()
        self.waiting_polls = 0
        self.allowed: frozenset[str] | None = None
        self._next_id = 1
        self._poll_generation = 0
        self._closed = False
        self._changed = asyncio.Event()
        self._notifier = notifier

    def push(self, kind: str, payload: JSON) -> JSON | None:
        """Queue an update of ``kind``; None if the bot's ``allowed_updates`` filter drops it."""
        if not self.accepts(kind):
            return None
        update: JSON = {"update_id": self._next_id, kind: payload}
        self._next_id += 1
        self.pending.append(update)
        self._wake()
        return update

    def accepts(self, kind: str) -> bool:
        """Whether an update of ``kind`` would be delivered under the current filter."""
        if self.allowed is None:
            return kind not in OPT_IN_KINDS
        return kind in self.allowed

    def set_allowed(self, kinds: Iterable[str] | None) -> None:
        """Replace the filter; an empty list restores Telegram's default."""
        if kinds is None:
            return
        chosen = frozenset(kinds)
        self.allowed = chosen or None

    def confirm(self, offset: int) -> None:
        """Forget updates below ``offset``; a negative offset keeps only the last ``-offset``."""
        if offset < 0:
            while len(self.pending) > -offset:
                self.pending.popleft()
            return
        while self.pending and self.pending[0]["update_id"] < offset:
            self.pending.popleft()

    def drop_all(self) -> None:
        """Forget every pending update (``drop_pending_updates``)."""
        self.pending.clear()

    async def poll(self, offset: int | None, limit: int, timeout: float) -> list[JSON]:
        """getUpdates: confirm, then return up to ``limit`` updates, waiting up to ``timeout``.

        A newer poll supersedes a waiting one, which then fails with 409 like Telegram's, so a
        second bot instance polling the same token is caught.
        """
        if offset:
            self.confirm(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        self._wake()  # a poll still waiting is now superseded
        deadline = time.monotonic() + max(0.0, timeout)
        while True:
            if generation != self._poll_generation:
                raise ApiError(409, POLL_CONFLICT)
            if self.pending or self._closed:
                return list(self.pending)[:limit]
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return []
            changed = self._changed
            self.waiting_polls += 1
            self._notifier.notify()
            try:
                async with asyncio.timeout(remaining):
                    await changed.wait()
            except TimeoutError:
                return []
            finally:
                self.waiting_polls -= 1

    async def wait_pending(self) -> None:
        """Return once there is an update to deliver (or the queue is closed)."""
        while not self.pending and not self._closed:
            await self._changed.wait()

    @property
    def closed(self) -> bool:
        """Whether the sandbox is stopping."""
        return self._closed

    def close(self) -> None:
        """End every long poll now (the sandbox is stopping)."""
        self._closed = True
        self._wake()

    def supersede_polls(self) -> None:
        """Make waiting long polls fail with 409 (a webhook was set)."""
        self._poll_generation += 1
        self._wake()

    def _wake(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()
        self._notifier.notify()
