"""Wake waiters when the sandbox's state changes, so tests wait on conditions, never on sleeps."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class Notifier:
    """A broadcast signal that synchronous code can fire (an ``asyncio.Condition`` needs a lock).

    Waiters re-check their predicate after every :meth:`notify`; there is no polling.
    """

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        """Wake every current waiter."""
        self._event.set()
        self._event = asyncio.Event()

    async def wait_until(
        self, probe: Callable[[], T | None], timeout: float, describe: Callable[[], str]
    ) -> T:
        """Return the first non-None ``probe()``; ``TimeoutError(describe())`` after ``timeout``."""
        try:
            async with asyncio.timeout(timeout):
                while True:
                    event = self._event
                    found = probe()
                    if found is not None:
                        return found
                    await event.wait()
        except TimeoutError:
            raise TimeoutError(describe()) from None

    async def wait_changed(self, timeout: float) -> None:
        """Wait for the next :meth:`notify` or ``timeout`` seconds, whichever comes first."""
        event = self._event
        try:
            async with asyncio.timeout(timeout):
                await event.wait()
        except TimeoutError:
            return
