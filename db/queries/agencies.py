"""Queries on the roster of agencies."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from db.models import Agency, Contact, ContactStatus, utcnow


@dataclass(frozen=True)
class AgencyInput:
    code: str
    name: str
    group: str
    parent: str | None


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


@dataclass(frozen=True)
class AgencyListing:
    code: str
    name: str
    group: str
    parent: str | None
    active: bool
    active_contacts: int


async def existing_parents(session: AsyncSession) -> dict[str, str | None]:
    """Every code in the database with its parent's code: an import checks that its rows,
    together with the agencies already there, still form a tree."""
    parent = aliased(Agency)
    rows = await session.execute(
        select(Agency.code, parent.code).outerjoin(parent, Agency.parent_id == parent.id)
    )
    return {code: parent_code for code, parent_code in rows.all()}


async def get_agency_by_code(session: AsyncSession, code: str) -> Agency | None:
    return await session.scalar(select(Agency).where(Agency.code == code))


async def upsert_agencies(session: AsyncSession, rows: Sequence[AgencyInput]) -> ImportResult:
    """Insert new codes and update changed ones; parents are resolved after all rows exist.

    The rows must already be validated (by the roster file reader); the caller's transaction
    makes the whole import all-or-nothing. An agency staff deactivated stays so (only
    `agency-bot agencies activate` brings it back): a yearly roster must not undo that.
    """
    by_code = {a.code: a for a in (await session.scalars(select(Agency))).all()}
    code_of = {a.id: a.code for a in by_code.values()}
    updated = unchanged = 0
    new: list[dict[str, str]] = []
    for row in rows:
        agency = by_code.get(row.code)
        if agency is None:
            new.append({"code": row.code, "name": row.name, "group": row.group})
            continue
        current = (agency.name, agency.group, code_of.get(agency.parent_id or 0))
        if current == (row.name, row.group, row.parent):
            unchanged += 1
            continue
        agency.name, agency.group = row.name, row.group
        agency.updated_at = utcnow()
        updated += 1
    # New agencies in one statement (not one per row), so that parents can point at them.
    id_of = {code: agency.id for code, agency in by_code.items()}
    if new:
        inserted = await session.execute(insert(Agency).returning(Agency.code, Agency.id), new)
        id_of.update({code: agency_id for code, agency_id in inserted.all()})
    parent_of_new = []
    for row in rows:
        parent_id = id_of[row.parent] if row.parent else None
        if row.code in by_code:
            by_code[row.code].parent_id = parent_id
        elif parent_id is not None:
            parent_of_new.append({"id": id_of[row.code], "parent_id": parent_id})
    if parent_of_new:
        await session.execute(update(Agency), parent_of_new)
    await session.flush()
    return ImportResult(len(new), updated, unchanged)


async def list_agencies(session: AsyncSession) -> list[AgencyListing]:
    parent = aliased(Agency)
    active_contacts = (
        select(func.count(Contact.id))
        .where(Contact.agency_id == Agency.id, Contact.status == ContactStatus.ACTIVE)
        .scalar_subquery()
    )
    rows = await session.execute(
        select(Agency.code, Agency.name, Agency.group, parent.code, Agency.active, active_contacts)
        .outerjoin(parent, Agency.parent_id == parent.id)
        .order_by(Agency.group, Agency.code)
    )
    return [AgencyListing(*row) for row in rows.all()]
