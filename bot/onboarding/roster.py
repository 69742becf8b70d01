"""Importing the roster: parse and validate the file, then upsert in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.onboarding.roster_file import read_roster
from db.queries.agencies import (
    AgencyInput,
    AgencyListing,
    ImportResult,
    existing_parents,
    upsert_agencies,
)
from db.queries.events import record_event


async def import_roster(sessionmaker: async_sessionmaker[AsyncSession], path: Path) -> ImportResult:
    """All or nothing: any bad row raises RosterFileError before anything is written."""
    async with sessionmaker.begin() as session:
        # Code -> parent code: a cycle running through agencies already in the database (a
        # file that makes an old agency the child of its own descendant) is refused too.
        rows = read_roster(path, known_codes=await existing_parents(session))
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


def as_tree(agencies: Sequence[AgencyListing]) -> list[tuple[int, AgencyListing]]:
    """The roster in the order of its tree, each agency with its depth: every agency
    followed by the units under it (in the listing's order), at any depth."""
    children: dict[str | None, list[AgencyListing]] = {}
    codes = {a.code for a in agencies}
    for agency in agencies:
        parent = agency.parent if agency.parent in codes else None
        children.setdefault(parent, []).append(agency)
    ordered: list[tuple[int, AgencyListing]] = []
    seen: set[str] = set()
    stack = [(0, a) for a in reversed(children.get(None, []))]
    while stack:  # iterative: a deep tree must not hit Python's recursion limit
        depth, agency = stack.pop()
        if agency.code in seen:
            continue
        seen.add(agency.code)
        ordered.append((depth, agency))
        stack.extend((depth + 1, c) for c in reversed(children.get(agency.code, [])))
    return ordered
