"""Queries on invites."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from db.models import ContactRole, Invite
from db.rows import affected


async def add_invite(
    session: AsyncSession,
    *,
    token: str,
    agency_id: int,
    role: ContactRole | None,
    max_uses: int,
    expires_at: datetime,
    created_by: int | None,
) -> Invite:
    invite = Invite(
        token=token,
        agency_id=agency_id,
        role=role,
        max_uses=max_uses,
        uses=0,
        expires_at=expires_at,
        created_by=created_by,
    )
    session.add(invite)
    await session.flush()
    return invite


async def get_invite(session: AsyncSession, token: str) -> Invite | None:
    return await session.scalar(
        select(Invite).options(joinedload(Invite.agency)).where(Invite.token == token)
    )


async def take_invite_use(session: AsyncSession, invite_id: int) -> bool:
    """Count one use, atomically: two officers racing for the last use cannot both win."""
    result = await session.execute(
        update(Invite)
        .where(Invite.id == invite_id, Invite.uses < Invite.max_uses)
        .values(uses=Invite.uses + 1)
    )
    return bool(affected(result))
