"""Button presses whose data no button of the bot ever carried: a modified client, or
someone probing. Each is written to the event log (what was sent, by whom), at most once
per user every few minutes, so that a script pressing in a loop cannot fill the table."""

from __future__ import annotations

import time

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.queries.events import record_event

LOG_EVERY_SECONDS = 600.0
MAX_TRACKED_USERS = 10_000
MAX_LOGGED = 64


class MalformedPresses:
    """Remembers when each user's malformed press was last logged (in memory, bounded)."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker
        self._seen: dict[int, float] = {}

    def _first_in_a_while(self, user_id: int) -> bool:
        now = time.monotonic()
        last = self._seen.get(user_id)
        if last is not None and now - last < LOG_EVERY_SECONDS:
            return False
        if len(self._seen) >= MAX_TRACKED_USERS:  # many probing users: forget the oldest half
            for old in sorted(self._seen, key=self._seen.__getitem__)[: MAX_TRACKED_USERS // 2]:
                del self._seen[old]
        self._seen[user_id] = now
        return True

    async def record(self, user_id: int, data: str | None) -> None:
        """Log the press unless this user's last one was logged a moment ago."""
        if not self._first_in_a_while(user_id):
            return
        async with self._sessionmaker.begin() as session:
            await record_event(
                session,
                "callback.malformed",
                actor_type="user",
                actor_id=user_id,
                data=(data or "")[:MAX_LOGGED],
            )
