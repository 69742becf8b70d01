"""Engine and session factory for SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

SQLITE_BUSY_TIMEOUT_MS = 10_000
# Everything that can block has a deadline: connecting to PostgreSQL, waiting for a pooled
# connection, and any one statement (a server that stops answering must not hang a loop).
POSTGRES_CONNECT_TIMEOUT_S = 5.0
POSTGRES_COMMAND_TIMEOUT_S = 60.0
POOL_TIMEOUT_S = 10.0
# A transaction left open by an instance cut off from the server (its COMMIT never comes)
# would hold its row locks for as long as TCP takes to notice (hours), and every other
# instance would queue behind them: the server ends such a session after this. The bot's
# transactions never wait on anything but the database.
IDLE_IN_TRANSACTION_TIMEOUT_MS = 10_000


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets readers run beside the one writer; the busy timeout makes writers queue."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """Create the engine; SQLite connections get WAL, a busy timeout and foreign keys."""
    if url.startswith("sqlite"):
        engine = create_async_engine(url, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("pool_timeout", POOL_TIMEOUT_S)
    connect_args = kwargs.setdefault("connect_args", {})
    connect_args.setdefault("timeout", POSTGRES_CONNECT_TIMEOUT_S)
    connect_args.setdefault("command_timeout", POSTGRES_COMMAND_TIMEOUT_S)
    server_settings = connect_args.setdefault("server_settings", {})
    server_settings.setdefault(
        "idle_in_transaction_session_timeout", str(IDLE_IN_TRANSACTION_TIMEOUT_MS)
    )
    return create_async_engine(url, **kwargs)


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # expire_on_commit=False: objects stay readable after the transaction that loaded them.
    return async_sessionmaker(engine, expire_on_commit=False)
