"""Who leads: one instance among those sharing a database sends, reminds and polls.

On PostgreSQL the leader holds a session-level advisory lock on a connection of its own
(in autocommit, so it never sits idle inside a transaction, which a server's
`idle_in_transaction_session_timeout` would kill). A loop checks it every second, within a
deadline: a standby tries to take the lock, the leader checks its connection is alive. If
that connection dies, the lock goes with it and another instance takes over.

The lock only elects. What keeps two senders apart is the claim on each message row (a
lease, see the dispatcher), and the claim itself is fenced: it is taken only in a
transaction that sees, in pg_locks, this instance's lock connection holding the lock — an
instance that cannot confirm it leads claims nothing. SQLite has no such lock; there one
process runs (a file lock, bot.runner), and it always leads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from bot.metrics import Metrics
from bot.resilience import DatabaseStatus, database_unavailable, describe
from db.queries import locks

log = logging.getLogger(__name__)

LEADER_LOCK_KEY = 0x6167656E6379
CHECK_INTERVAL_SECONDS = 1.0
# One look at the lock (connect, take or check it) must answer within this.
CHECK_TIMEOUT_SECONDS = 3.0
RELEASE_TIMEOUT_SECONDS = 5.0
LOCK_IDLE_TIMEOUT_SECONDS = 10.0


class Leadership:
    def __init__(
        self,
        engine: AsyncEngine,
        *,
        metrics: Metrics,
        database: DatabaseStatus,
        check_interval: float = CHECK_INTERVAL_SECONDS,
        check_timeout: float = CHECK_TIMEOUT_SECONDS,
    ) -> None:
        self._engine = engine
        self._postgres = engine.dialect.name == "postgresql"
        self._metrics = metrics
        self._database = database
        self._check_interval = check_interval
        self._check_timeout = check_timeout
        # The server ends the lock's session (and frees the lock) when the leader has been
        # silent this long: a leader cut off by the network hands over without waiting for
        # TCP to notice (hours); it pings every `check_interval`.
        self._idle_timeout = max(LOCK_IDLE_TIMEOUT_SECONDS, 5 * check_interval)
        self._connection: AsyncConnection | None = None
        self._pid: int | None = None
        self._leading = asyncio.Event()
        self._following = asyncio.Event()
        self._stepping = asyncio.Lock()
        self._set(not self._postgres)

    @property
    def is_leader(self) -> bool:
        return self._leading.is_set()

    @property
    def lock_pid(self) -> int | None:
        """The server's pid of the connection holding the lock (PostgreSQL, while leading)."""
        return self._pid

    @property
    def exclusive(self) -> bool:
        """No other instance can exist (SQLite, one process per file)."""
        return not self._postgres

    def _set(self, leading: bool) -> None:
        (self._leading if leading else self._following).set()
        (self._following if leading else self._leading).clear()
        self._metrics.leader.set(1 if leading else 0)

    async def wait_until(self, leading: bool) -> None:
        await (self._leading if leading else self._following).wait()

    async def ensure(self) -> bool:
        """One look: a standby tries to take the lead, the leader checks it still has it.
        True if this instance leads afterwards."""
        if not self._postgres:
            return True
        async with self._stepping:
            try:
                async with asyncio.timeout(self._check_timeout):
                    await self._step()
            except Exception as error:
                await self._lose(error)
            else:
                self._database.succeeded()
        return self.is_leader

    async def _step(self) -> None:
        if self._connection is None:
            connection = await self._engine.connect()
            self._connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await locks.end_when_silent(self._connection, self._idle_timeout)
        if self.is_leader:
            await locks.ping(self._connection)
            return
        if await locks.try_lock(self._connection, LEADER_LOCK_KEY):
            self._pid = await locks.backend_pid(self._connection)
            self._set(True)
            log.warning("this instance now leads: sending, reminders and polling")

    async def _lose(self, error: BaseException) -> None:
        if self.is_leader:
            log.warning(
                "lost the leader lock (%s); no more claims until it is back", describe(error)
            )
        if database_unavailable(error):
            self._database.failed("leadership", error)
        elif not isinstance(error, TimeoutError):
            log.error("checking the leader lock failed", exc_info=error)
        self._set(False)
        self._pid = None
        await self._drop_connection()

    async def confirm(self, session: AsyncSession) -> bool:
        """Inside a claim's transaction: whether the server still sees this instance's lock
        connection holding the lock. If not, this instance stops leading at once."""
        if not self._postgres:
            return True
        pid = self._pid
        if not self.is_leader or pid is None:
            return False
        if await locks.holds_lock(session, pid, LEADER_LOCK_KEY):
            return True
        log.warning("the leader lock is no longer held by this instance; claiming nothing")
        self._set(False)
        self._pid = None
        return False

    async def run(self) -> None:
        """Look every `check_interval` seconds, until cancelled."""
        while True:
            await self.ensure()
            await asyncio.sleep(self._check_interval)

    async def _drop_connection(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            async with asyncio.timeout(RELEASE_TIMEOUT_SECONDS):
                await connection.close()
        except Exception:  # already broken, or stuck: let the server drop it
            log.debug("closing the lock connection failed", exc_info=True)
            with contextlib.suppress(Exception):
                await connection.invalidate()

    async def release(self) -> None:
        """Give the lead up; bounded in time, as a stop must not hang on a sick connection."""
        async with self._stepping:
            if self._connection is not None and self.is_leader:
                try:
                    async with asyncio.timeout(RELEASE_TIMEOUT_SECONDS):
                        await locks.unlock(self._connection, LEADER_LOCK_KEY)
                except Exception:
                    log.debug("unlocking failed; closing the connection releases it", exc_info=True)
            await self._drop_connection()
            if self._postgres:
                self._set(False)
                self._pid = None
