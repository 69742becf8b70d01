"""Adding and removing Department staff (admins add operators; config admins are fixed)."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from db.models import StaffRole
from db.queries import people
from db.queries.events import record_event


class RemoveResult(StrEnum):
    REMOVED = "removed"
    NOT_FOUND = "not_found"
    CONFIG_ADMIN = "config_admin"


async def add_staff(session: AsyncSession, user_id: int, role: StaffRole, *, added_by: int) -> None:
    await people.upsert_staff(session, user_id, role, added_by=added_by)
    await record_event(
        session, "staff.added", actor_type="staff", actor_id=added_by, user_id=user_id, role=role
    )


async def remove_staff(
    session: AsyncSession, settings: Settings, user_id: int, *, removed_by: int
) -> RemoveResult:
    if user_id in settings.staff.admins:
        return RemoveResult.CONFIG_ADMIN
    if not await people.remove_staff(session, user_id):
        return RemoveResult.NOT_FOUND
    await record_event(
        session, "staff.removed", actor_type="staff", actor_id=removed_by, user_id=user_id
    )
    return RemoveResult.REMOVED
