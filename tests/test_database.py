"""The schema and the queries, on SQLite and (when configured) PostgreSQL alike."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.onboarding.invites import create_invite
from db.migrate import current_revision, upgrade
from db.models import Agency, Base, Event, Invite
from db.queries.agencies import AgencyInput, list_agencies, upsert_agencies
from db.session import make_engine


def _diff(connection: Connection) -> list[object]:
    return list(compare_metadata(MigrationContext.configure(connection), Base.metadata))


async def test_migrations_from_an_empty_database_match_the_models(blank_db_url: str) -> None:
    engine = make_engine(blank_db_url)
    try:
        assert await current_revision(engine) is None
        await upgrade(engine)
        async with engine.connect() as connection:
            assert await connection.run_sync(_diff) == []
    finally:
        await engine.dispose()


async def test_upgrade_is_idempotent(engine: AsyncEngine) -> None:
    before = await current_revision(engine)
    await upgrade(engine)
    assert before is not None
    assert await current_revision(engine) == before


async def test_sqlite_runs_in_wal_mode(engine: AsyncEngine) -> None:
    if engine.dialect.name != "sqlite":
        return
    async with engine.connect() as connection:
        assert (await connection.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await connection.execute(text("PRAGMA busy_timeout"))).scalar() == 10_000


async def test_timestamps_come_back_aware_and_in_utc(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    hanoi = timezone(timedelta(hours=7))
    moment = datetime(2020, 6, 15, 9, 30, tzinfo=hanoi)
    async with sessionmaker.begin() as session:
        session.add(Event(kind="test", actor_type="cli", at=moment))
    async with sessionmaker() as session:
        stored = await session.scalar(select(Event.at))
    assert stored == moment
    assert stored is not None
    assert stored.tzinfo == UTC


async def test_upsert_creates_updates_and_links_parents(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    rows = [
        AgencyInput("thu-vien", "Thư viện tỉnh", "so-nganh", "so-vh"),
        AgencyInput("so-vh", "Sở Văn hóa", "so-nganh", None),
    ]
    async with sessionmaker.begin() as session:
        first = await upsert_agencies(session, rows)
    renamed = [rows[0], AgencyInput("so-vh", "Sở Văn hóa, Thể thao và Du lịch", "so-nganh", None)]
    async with sessionmaker.begin() as session:
        second = await upsert_agencies(session, renamed)
    async with sessionmaker() as session:
        listing = {a.code: a for a in await list_agencies(session)}
    assert (first.created, first.updated) == (2, 0)
    assert (second.created, second.updated, second.unchanged) == (0, 1, 1)
    assert listing["thu-vien"].parent == "so-vh"
    assert listing["so-vh"].name == "Sở Văn hóa, Thể thao và Du lịch"


async def test_the_last_use_of_an_invite_goes_to_one_officer(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """Two officers racing for a one-use link: exactly one joins."""
    from bot.onboarding.joining import Joiner, JoinResult, redeem_invite

    async with sessionmaker.begin() as session:
        await upsert_agencies(session, [AgencyInput("so-y-te", "Sở Y tế", "so-nganh", None)])
        invite = await create_invite(session, agency_code="so-y-te", now=datetime.now(UTC))

    async def join(user_id: int) -> JoinResult:
        async with sessionmaker.begin() as session:
            outcome = await redeem_invite(
                session, invite.token, Joiner(user_id, f"User {user_id}", None), datetime.now(UTC)
            )
        return outcome.result

    results = await asyncio.gather(join(1), join(2), return_exceptions=True)
    joined = [r for r in results if r == JoinResult.JOINED]
    assert len(joined) == 1, results
    async with sessionmaker() as session:
        uses = await session.scalar(select(Invite.uses))
        agencies = await session.scalar(select(Agency.code))
    assert uses == 1
    assert agencies == "so-y-te"
