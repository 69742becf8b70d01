"""One sender among instances sharing a PostgreSQL database."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.delivery.leadership import Leadership
from db.session import make_engine, make_sessionmaker


async def test_one_leader_at_a_time_and_a_successor_takes_over(
    engine: AsyncEngine, db_url: str
) -> None:
    other_engine = make_engine(db_url)
    first = Leadership(engine, make_sessionmaker(engine))
    second = Leadership(other_engine, make_sessionmaker(other_engine))
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
