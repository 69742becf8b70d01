"""A clock that can be moved forward: the demo's accelerated time, and the tests'."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class OffsetClock:
    """Real time plus an offset that only grows: moving it forward skips the wait."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def advance(self, delta: timedelta) -> None:
        self.offset += delta

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset
