"""One sender among instances sharing a PostgreSQL database."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.delivery.leadership import Leadership
from bot.metrics import Metrics
from bot.resilience import DatabaseStatus
from bot.sandbox.proxy import TcpProxy
from db.session import make_engine, make_sessionmaker
from tests.helpers import DatabaseOutage


def leadership(engine: AsyncEngine) -> Leadership:
    metrics = Metrics()
    return Leadership(engine, metrics=metrics, database=DatabaseStatus(metrics))


async def test_one_leader_at_a_time_and_a_successor_takes_over(
    engine: AsyncEngine, db_url: str
) -> None:
    other_engine = make_engine(db_url)
    first = leadership(engine)
    second = leadership(other_engine)
    try:
        assert await first.ensure()
        if engine.dialect.name != "postgresql":
            return  # SQLite: one process sends, always the leader
        assert not await second.ensure()
        await first.release()
        assert await second.ensure()
        assert not await first.ensure()
    finally:
        await first.release()
        await second.release()
        await other_engine.dispose()


@pytest.mark.postgresql_only
async def test_the_lock_connection_never_sits_idle_in_a_transaction(
    engine: AsyncEngine, db_url: str
) -> None:
    """A server's idle_in_transaction_session_timeout would end it, and the lead with it."""
    leader = leadership(engine)
    try:
        assert await leader.ensure()
        assert await leader.ensure()  # the leader's own check
        pid = leader.lock_pid
        async with engine.connect() as connection:
            state = await connection.scalar(
                text("SELECT state FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
            )
        assert state == "idle"
    finally:
        await leader.release()


@pytest.mark.postgresql_only
async def test_an_instance_whose_lock_is_gone_claims_nothing(
    engine: AsyncEngine, db_url: str
) -> None:
    leader = leadership(engine)
    sessionmaker = make_sessionmaker(engine)
    try:
        assert await leader.ensure()
        async with sessionmaker() as session:
            assert await leader.confirm(session)
        await DatabaseOutage(db_url).terminate(leader.lock_pid or 0)
        async with sessionmaker() as session:
            assert not await leader.confirm(session)  # before its own check notices
        assert not leader.is_leader
    finally:
        await leader.release()


@pytest.mark.postgresql_only
async def test_the_lock_check_has_a_deadline(db_url: str) -> None:
    """The network to the server drops packets: the check gives up, it does not hang."""
    server = make_url(db_url)
    async with TcpProxy(server.host or "127.0.0.1", server.port or 5432) as proxy:
        engine = make_engine(
            server.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        )
        metrics = Metrics()
        leader = Leadership(
            engine, metrics=metrics, database=DatabaseStatus(metrics), check_timeout=0.5
        )
        try:
            assert await leader.ensure()
            proxy.cut(blackhole=True)
            async with asyncio.timeout(10):  # a hang fails here
                assert not await leader.ensure()
            proxy.restore()
        finally:
            await leader.release()
            await engine.dispose()
