"""Living through a database that goes away: telling an outage from a bug, backing off,
saying so once, and restarting a task that died anyway.

Every long-running loop of the bot (the dispatcher's feeder, workers and lease keeper, the
leadership check, the reminder clock, the progress messages, the notices, the expiry job)
catches what an outage throws, reports it to the one `DatabaseStatus` of the process, waits
a `Backoff` and tries again: the database coming back is all it takes to resume. The status
logs the outage once when it starts and once when it ends, however many loops and rows met
it. What is not an outage is a bug: it is logged with its traceback and the loop goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import sqlite3
from collections.abc import Awaitable, Callable, Iterator

import asyncpg
import sqlalchemy.exc

from bot.metrics import Metrics

log = logging.getLogger(__name__)

# SQLSTATE classes of PostgreSQL that mean "the server or the connection is not there":
# 08 connection exception, 53 insufficient resources (too many connections), 57 operator
# intervention (shutdown, terminated backend, cannot connect now), 58 system error.
_UNAVAILABLE_CLASSES = ("08", "53", "57", "58")
# 55000 object_not_in_prerequisite_state: "database … is not currently accepting connections".
_UNAVAILABLE_STATES = ("55000",)

# asyncpg's own words for a connection that is gone or left unusable (a query cut off by a
# terminated backend): the connection is thrown away and the next one is a new one.
_ASYNCPG_CONNECTION_ERRORS = (
    asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.InterfaceError,
    asyncpg.exceptions.InternalClientError,
)

# A database operation still waiting for its answer after this long means the database is
# not answering (a network that drops packets): sending pauses, as for a refused connection,
# until it answers. PostgreSQL answers in milliseconds; a SQLite file cannot be cut off.
STALL_SECONDS = 0.25
# SQLite's OperationalError is also "no such table"; these words mean the file is out of reach.
_SQLITE_UNAVAILABLE = ("locked", "busy", "unable to open", "disk i/o", "disk is full", "readonly")

FIRST_BACKOFF_SECONDS = 0.5
MAX_BACKOFF_SECONDS = 10.0
SUPERVISOR_FIRST_DELAY = 1.0
SUPERVISOR_MAX_DELAY = 30.0


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        orig = getattr(current, "orig", None)
        if isinstance(orig, BaseException) and id(orig) not in seen:
            yield orig
            seen.add(id(orig))
        current = current.__cause__ or current.__context__


def database_unavailable(error: BaseException) -> bool:
    """Whether `error` says the database cannot be reached now (an outage to wait out), as
    opposed to a bug or a refused statement (an integrity error, bad SQL)."""
    for link in _chain(error):
        if isinstance(
            link,
            sqlalchemy.exc.InterfaceError
            | sqlalchemy.exc.TimeoutError
            | sqlalchemy.exc.DisconnectionError
            | ConnectionError
            | TimeoutError,
        ):
            return True
        if isinstance(link, sqlite3.OperationalError) and any(
            words in str(link).lower() for words in _SQLITE_UNAVAILABLE
        ):
            return True
        if isinstance(link, sqlalchemy.exc.DBAPIError) and link.connection_invalidated:
            return True
        if isinstance(link, OSError) and not isinstance(link, sqlite3.Error):
            return True
        if isinstance(link, _ASYNCPG_CONNECTION_ERRORS):
            return True
        state = getattr(link, "sqlstate", None)
        if isinstance(state, str) and (
            state[:2] in _UNAVAILABLE_CLASSES or state in _UNAVAILABLE_STATES
        ):
            return True
    return False


def describe(error: BaseException) -> str:
    """One line about an error, for a log line or an operator: type and first line."""
    text = str(error).strip().splitlines()
    first = text[0] if text else ""
    return f"{type(error).__name__}: {first}"[:300]


async def wait_at_most(seconds: float | None, awaitable: Awaitable[object]) -> None:
    """Wait for `awaitable`, but no longer than `seconds` (None: no limit); running out of
    time is not an error.

    Not `asyncio.wait_for`: on Python 3.11 it swallows a cancellation that arrives just as
    the awaited event is set, and a loop waiting that way never stops (a bot's stop hung
    on it for good, its dispatcher's feeder cancelled just as a notice woke it).
    """
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            await awaitable


class Backoff:
    """Exponential backoff with jitter: 0.5 s, 1 s, 2 s … up to 10 s, each scattered so
    that the loops of a process (and the processes of a cluster) do not retry together."""

    def __init__(
        self, first: float = FIRST_BACKOFF_SECONDS, ceiling: float = MAX_BACKOFF_SECONDS
    ) -> None:
        self._first = first
        self._ceiling = ceiling
        self._attempt = 0
        self._rng = random.Random()  # noqa: S311 (jitter, no secret)

    def next_delay(self) -> float:
        top = min(self._ceiling, self._first * 2.0**self._attempt)
        self._attempt += 1
        return top / 2 + self._rng.uniform(0, top / 2)

    async def wait(self) -> None:
        await asyncio.sleep(self.next_delay())

    def reset(self) -> None:
        self._attempt = 0


class DatabaseStatus:
    """The process's one view of whether the database is there.

    Loops report each failure and success; the first failure of an outage is logged (with
    what failed and why), the first success after it too (with how long it lasted), and
    nothing in between, so an outage is two log lines, not one per row or per tick.
    """

    def __init__(
        self,
        metrics: Metrics,
        clock: Callable[[], float] | None = None,
        *,
        stall: float | None = STALL_SECONDS,
    ) -> None:
        self._metrics = metrics
        self._stall = stall
        self._clock = clock or _monotonic
        self._down_since: float | None = None
        self._up = asyncio.Event()
        self._up.set()
        self._pending: dict[object, float] = {}
        metrics.database_available.set(1)

    @property
    def available(self) -> bool:
        return self._down_since is None

    async def wait_available(self) -> None:
        await self._up.wait()

    @contextlib.contextmanager
    def watching(self) -> Iterator[None]:
        """Around a database operation whose lateness should pause sending (`answering`)."""
        key = object()
        self._pending[key] = self._clock()
        try:
            yield
        finally:
            del self._pending[key]

    def answering(self) -> bool:
        """Available, and no watched operation waiting longer than the stall limit."""
        if self._down_since is not None:
            return False
        oldest = min(self._pending.values(), default=None)
        return oldest is None or self._stall is None or self._clock() - oldest < self._stall

    async def wait_answering(self) -> None:
        """Until the database answers: what a send waits for, since an outcome that cannot
        be written would make the message go again."""
        while not self.answering():
            await self._up.wait()
            if not self.answering():
                await asyncio.sleep(STALL_SECONDS / 5)

    def failed(self, where: str, error: BaseException) -> None:
        self._metrics.database_errors.labels(where=where).inc()
        if self._down_since is None:
            self._down_since = self._clock()
            self._up.clear()
            self._metrics.database_available.set(0)
            log.warning(
                "database unavailable (%s, in %s): pausing what needs it and retrying",
                describe(error),
                where,
            )

    def succeeded(self) -> None:
        if self._down_since is not None:
            lasted = self._clock() - self._down_since
            self._down_since = None
            self._up.set()
            self._metrics.database_available.set(1)
            log.warning("database available again after %.1f s: resuming", lasted)


def _monotonic() -> float:
    return float(asyncio.get_running_loop().time())


async def until_written(
    operation: Callable[[], Awaitable[None]],
    *,
    status: DatabaseStatus,
    where: str,
) -> bool:
    """Run `operation` until it succeeds, waiting out outages (with backoff); False if it
    failed for another reason (a bug, logged with its traceback: retrying would not help)."""
    backoff = Backoff()
    while True:
        try:
            await operation()
        except Exception as error:
            if not database_unavailable(error):
                log.exception("%s failed", where)
                return False
            status.failed(where, error)
            await backoff.wait()
            continue
        status.succeeded()
        return True


class JobGuard:
    """A periodic job's body, run so that it never overlaps itself and waits out outages.

    The job itself only starts the body in a task and returns, so the scheduler never sees
    a run still going; a trigger that finds the previous run still going does nothing, and
    after a failure the triggers that fall inside the backoff are skipped. A database away
    for minutes thus costs a handful of attempts and one pair of log lines (DatabaseStatus),
    not one per tick.
    """

    def __init__(self, where: str, status: DatabaseStatus) -> None:
        self._where = where
        self._status = status
        self._task: asyncio.Task[None] | None = None
        self._not_before = 0.0
        self._backoff = Backoff()
        self._stopped = False

    def trigger(self, body: Callable[[], Awaitable[None]]) -> None:
        loop = asyncio.get_running_loop()
        busy = self._task is not None and not self._task.done()
        if self._stopped or busy or loop.time() < self._not_before:
            return
        self._task = asyncio.create_task(self._run(body), name=f"job-{self._where}")

    async def _run(self, body: Callable[[], Awaitable[None]]) -> None:
        try:
            await body()
        except Exception as error:
            if not database_unavailable(error):
                log.exception("%s failed", self._where)
                return
            self._status.failed(self._where, error)
            loop = asyncio.get_running_loop()
            self._not_before = loop.time() + self._backoff.next_delay()
        else:
            self._backoff.reset()

    async def stop(self) -> None:
        """No more runs; the one under way is cancelled."""
        self._stopped = True
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


class Supervisor:
    """Runs the bot's long-lived tasks and restarts one that ends with an error.

    Each loop catches what it can survive; this is the net under it. A task that raised is
    logged with the traceback and started again after a growing delay, and the log says
    so; a task that returned has finished its work and stays finished.
    """

    def __init__(self) -> None:
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self.restarts: dict[str, int] = {}

    def spawn(self, name: str, factory: Callable[[], Awaitable[None]]) -> asyncio.Task[None]:
        task = asyncio.create_task(self._keep(name, factory), name=name)
        self._tasks[name] = task
        return task

    async def _keep(self, name: str, factory: Callable[[], Awaitable[None]]) -> None:
        backoff = Backoff(SUPERVISOR_FIRST_DELAY, SUPERVISOR_MAX_DELAY)
        while True:
            try:
                await factory()
                return
            except asyncio.CancelledError:
                raise
            except Exception:
                delay = backoff.next_delay()
                self.restarts[name] = self.restarts.get(name, 0) + 1
                log.exception("task %s died; restarting it in %.1f s", name, delay)
                await asyncio.sleep(delay)
                log.warning("task %s restarted", name)

    async def stop(self, names: list[str] | None = None) -> None:
        """Cancel these tasks (all by default) and wait for them to end."""
        chosen = list(self._tasks) if names is None else [n for n in names if n in self._tasks]
        tasks = [self._tasks.pop(name) for name in chosen]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
