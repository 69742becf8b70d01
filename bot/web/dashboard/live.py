"""A letter's live counts, cached per letter for a few seconds.

Every browser watching a running broadcast polls; they all share one aggregate per letter
per interval: the first poll after the interval runs the query, those arriving meanwhile
wait for the same result instead of starting their own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from db.queries.dashboard import LiveCounts


@dataclass
class _Entry:
    at: float
    task: asyncio.Task[LiveCounts]


class LiveCache:
    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._entries: dict[int, _Entry] = {}

    async def get(self, directive_id: int, load: Callable[[], Awaitable[LiveCounts]]) -> LiveCounts:
        loop = asyncio.get_running_loop()
        now = loop.time()
        entry = self._entries.get(directive_id)
        fresh = entry is not None and now - entry.at < self.interval
        failed = entry is not None and entry.task.done() and entry.task.exception() is not None
        if entry is None or not fresh or failed:
            entry = _Entry(now, asyncio.ensure_future(load()))
            self._entries[directive_id] = entry
        return await asyncio.shield(entry.task)

    def forget(self, directive_id: int) -> None:
        """After an action on the letter: its next poll shows the change at once."""
        self._entries.pop(directive_id, None)
