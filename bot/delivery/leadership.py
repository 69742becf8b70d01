"""Who sends: one leader among the instances sharing a database.

On PostgreSQL the leader holds a session-level advisory lock on a connection of its own;
if that connection dies, the lock goes with it and another instance takes over. The lock
only elects: claiming rows with SKIP LOCKED is what keeps two senders apart. SQLite has no
such lock and one process sends, so there it is always the leader.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from db.queries.outbox import recover_in_flight

log = logging.getLogger(__name__)

LEADER_LOCK_KEY = 0x6167656E6379
# The leader checks that its lock connection is alive this often (not on every claim).
HEALTH_CHECK_SECONDS = 5.0
RELEASE_TIMEOUT_SECONDS = 5.0


class Leadership:
    def __init__(self, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._engine = engine
        self._sessionmaker = sessionmaker
        self._connection: AsyncConnection | None = None
        self._is_leader = engine.dialect.name != "postgresql"
        self._recovered = False
        self._checked_at = 0.0

    @property
    def is_leader(self) -> bool:
        return self._is_leader

    async def ensure(self) -> bool:
        """True if this instance leads (taking the lead if it is free)."""
        if self._engine.dialect.name == "postgresql":
            await self._check_lock()
        if self._is_leader and not self._recovered:
            # New leader: what the previous one left `sending` goes back to the queue.
            async with self._sessionmaker.begin() as session:
                count = await recover_in_flight(session)
            if count:
                log.warning("re-queued %d message(s) left in flight by a crash", count)
            self._recovered = True
        return self._is_leader

    async def _check_lock(self) -> None:
        now = asyncio.get_running_loop().time()
        if self._is_leader and now - self._checked_at < HEALTH_CHECK_SECONDS:
            return
        self._checked_at = now
        try:
            if self._connection is None:
                self._connection = await self._engine.connect()
            if self._is_leader:
                await self._connection.execute(text("SELECT 1"))
                return
            got = await self._connection.scalar(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": LEADER_LOCK_KEY}
            )
            await self._connection.commit()
            if got:
                log.info("this instance now leads sending and reminders")
                self._is_leader, self._recovered = True, False
        except Exception:
            log.warning("lost the database connection of the leader lock", exc_info=True)
            self._is_leader = False
            await self._drop_connection()

    async def _drop_connection(self) -> None:
        if self._connection is not None:
            try:
                async with asyncio.timeout(RELEASE_TIMEOUT_SECONDS):
                    await self._connection.close()
            except Exception:  # already broken, or stuck: let the server drop it
                log.debug("closing the lock connection failed", exc_info=True)
                with contextlib.suppress(Exception):
                    await self._connection.invalidate()
            self._connection = None

    async def release(self) -> None:
        """Give the lead up; bounded in time, as a stop must not hang on a sick connection."""
        if self._connection is not None and self._is_leader:
            try:
                async with asyncio.timeout(RELEASE_TIMEOUT_SECONDS):
                    await self._connection.execute(
                        text("SELECT pg_advisory_unlock(:key)"), {"key": LEADER_LOCK_KEY}
                    )
            except Exception:
                log.debug("unlocking failed; closing the connection releases it", exc_info=True)
        await self._drop_connection()
        if self._engine.dialect.name == "postgresql":
            self._is_leader = False
