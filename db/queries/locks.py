"""PostgreSQL advisory locks: who leads among the instances sharing a database.

A session-level advisory lock lives as long as the connection that took it; the queries
here run on that connection (try, release, its backend pid) or, for the fence, in any
transaction (does that backend still hold it?).
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession


def _halves(key: int) -> tuple[int, int]:
    """pg_locks shows a bigint advisory key as classid (high 32 bits) and objid (low)."""
    return (key >> 32) & 0xFFFFFFFF, key & 0xFFFFFFFF


async def try_lock(connection: AsyncConnection, key: int) -> bool:
    return bool(await connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}))


async def unlock(connection: AsyncConnection, key: int) -> None:
    await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})


async def backend_pid(connection: AsyncConnection) -> int:
    return int(await connection.scalar(text("SELECT pg_backend_pid()")) or 0)


async def end_when_silent(connection: AsyncConnection, seconds: float) -> None:
    """Ask the server to end this session after `seconds` without a statement (PostgreSQL
    14+: idle_session_timeout; older servers ignore it, they drop the session when TCP
    notices)."""
    await connection.execute(
        text(
            "SELECT set_config('idle_session_timeout', :ms, false) "
            "WHERE current_setting('server_version_num')::int >= 140000"
        ),
        {"ms": f"{int(seconds * 1000)}"},
    )


async def ping(connection: AsyncConnection) -> None:
    await connection.execute(text("SELECT 1"))


async def holds_lock(session: AsyncSession, pid: int, key: int) -> bool:
    """Whether backend `pid` holds advisory lock `key` right now, as the server sees it."""
    high, low = _halves(key)
    held = await session.scalar(
        text(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND pid = :pid AND classid = :high AND objid = :low AND objsubid = 1)"
        ),
        {"pid": pid, "high": high, "low": low},
    )
    return bool(held)
