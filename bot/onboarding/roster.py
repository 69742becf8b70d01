"""Importing the roster: parse and validate the file, then upsert in one transaction."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.onboarding.roster_file import read_roster
from db.queries.agencies import AgencyInput, ImportResult, existing_codes, upsert_agencies
from db.queries.events import record_event


async def import_roster(sessionmaker: async_sessionmaker[AsyncSession], path: Path) -> ImportResult:
    """All or nothing: any bad row raises RosterFileError before anything is written."""
    async with sessionmaker.begin() as session:
        rows = read_roster(path, known_codes=await existing_codes(session))
        result = await upsert_agencies(
            session, [AgencyInput(r.code, r.name, r.group, r.parent) for r in rows]
        )
        await record_event(
            session,
            "agencies.imported",
            actor_type="cli",
            file=path.name,
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
        )
    return result
