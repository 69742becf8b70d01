"""Telegram's flood limits, as sliding windows over successfully sent messages.

Telegram counts over *any* window, not fixed buckets, so a limiter in the bot that bursts at
the start of each second gets 429s here just as it would in production.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

GLOBAL_WINDOW = 1.0


@dataclass
class RateLimits:
    """Limits the sandbox enforces; mutable at runtime (``None`` disables a limit)."""

    global_per_second: int | None = 30
    per_chat_per_second: float | None = 1
    per_chat_window: float = 3.0


class RateLimiter:
    """Sliding-window counters: global and per chat. Synchronous, so check+record is atomic."""

    def __init__(self, limits: RateLimits) -> None:
        self.limits = limits
        self._global: deque[float] = deque()
        self._per_chat: dict[int, deque[float]] = {}

    def retry_after(self, chat_id: int | None, now: float, count: int = 1) -> int | None:
        """Seconds the caller must wait before ``count`` more messages fit, or None if they fit."""
        waits: list[float] = []
        cap = self.limits.global_per_second
        if cap is not None:
            waits.append(_wait(self._global, now, GLOBAL_WINDOW, cap, count))
        rate = self.limits.per_chat_per_second
        if rate is not None and chat_id is not None:
            window = self.limits.per_chat_window
            per_chat_cap = max(1, math.floor(rate * window + 1e-9))
            stamps = self._per_chat.get(chat_id)
            if stamps is not None:
                waits.append(_wait(stamps, now, window, per_chat_cap, count))
        longest = max(waits, default=0.0)
        if longest <= 0:
            return None
        return max(1, math.ceil(longest))

    def record(self, chat_id: int | None, now: float, count: int = 1) -> None:
        """Count ``count`` messages sent at ``now``."""
        for _ in range(count):
            self._global.append(now)
        if chat_id is not None:
            stamps = self._per_chat.setdefault(chat_id, deque())
            for _ in range(count):
                stamps.append(now)


def _wait(stamps: deque[float], now: float, window: float, cap: int, count: int) -> float:
    """How long until ``count`` more stamps fit in a window of ``window`` seconds (0 = now)."""
    while stamps and stamps[0] <= now - window:
        stamps.popleft()
    excess = len(stamps) + count - cap
    if excess <= 0:
        return 0.0
    if excess > len(stamps):  # more than the cap at once: can never fit; wait a full window
        return window
    return stamps[excess - 1] + window - now
