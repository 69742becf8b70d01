"""How updates are taken in: each sender's one after the other, many senders at once.

PTB's processor runs up to 256 updates at once, whoever sent them, and a reply waits for
its chat's one-message-a-second slot (bot.telegram.limiter) inside the handler. One
stranger's 300 × /help held every slot for minutes, and the next officer's Đã nhận was
answered after Telegram's 15 s window ("query is too old"). Here a sender's updates run in
order, one at a time (their replies would wait for the same chat's slot anyway), and only
the one running counts against the 256: a flood from one chat holds one slot, and
everyone else's presses go straight through.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

RUNNING_UPDATES = 256
# PTB's own semaphore wraps ours and must never be the one that waits: updates beyond it
# would queue whoever sent them, which is the stall this class exists to avoid.
_UNBOUNDED = 1_000_000


def sender_of(update: object) -> int | None:
    """Whose turn an update waits for: the presser for a button (its answer is not paced
    by chat), else the chat the reply goes to; None for what has neither."""
    if not isinstance(update, Update):
        return None
    if update.callback_query is not None:
        return update.callback_query.from_user.id
    if update.effective_chat is not None:
        return update.effective_chat.id
    return update.effective_user.id if update.effective_user is not None else None


class _Turn:
    """A sender's lock, and how many of their updates hold or wait for it."""

    __slots__ = ("lock", "users")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()  # FIFO: a sender's updates run in the order they came
        self.users = 0


class PerSenderProcessor(BaseUpdateProcessor):
    """At most `running` updates at once, and one at a time per sender."""

    def __init__(self, running: int = RUNNING_UPDATES) -> None:
        super().__init__(max_concurrent_updates=_UNBOUNDED)
        self._running = asyncio.Semaphore(running)
        self._turns: dict[int, _Turn] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        sender = sender_of(update)
        if sender is None:
            async with self._running:
                await coroutine
            return
        turn = self._turns.setdefault(sender, _Turn())
        turn.users += 1
        try:
            async with turn.lock, self._running:
                await coroutine
        finally:
            turn.users -= 1
            if turn.users == 0:
                del self._turns[sender]

    def waiting(self) -> int:
        """Updates waiting for their sender's turn (for the tests and the benchmark)."""
        return sum(turn.users for turn in self._turns.values())

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release: PTB awaits the running updates itself."""
