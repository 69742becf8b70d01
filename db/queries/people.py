"""Queries on the people the bot knows: contacts, staff and their preferences."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from db.models import (
    Agency,
    Contact,
    ContactRole,
    ContactStatus,
    Staff,
    StaffRole,
    UserPreference,
    utcnow,
)
from db.rows import affected


async def get_contact(session: AsyncSession, telegram_user_id: int) -> Contact | None:
    """The contact with its agency loaded, whatever its status."""
    return await session.scalar(
        select(Contact)
        .options(joinedload(Contact.agency))
        .where(Contact.telegram_user_id == telegram_user_id)
    )


async def lock_agency(session: AsyncSession, agency_id: int) -> None:
    """Hold the agency's row until the transaction ends (PostgreSQL; SQLite has one writer
    anyway): two officers joining at once then take their roles one after the other."""
    await session.execute(select(Agency.id).where(Agency.id == agency_id).with_for_update())


async def count_contacts(session: AsyncSession, agency_id: int) -> int:
    """Everyone who ever joined the agency: "first contact" means the first to join."""
    count = await session.scalar(
        select(func.count(Contact.id)).where(Contact.agency_id == agency_id)
    )
    return count or 0


async def add_contact(
    session: AsyncSession,
    *,
    agency_id: int,
    telegram_user_id: int,
    display_name: str,
    username: str | None,
    role: ContactRole,
) -> Contact:
    contact = Contact(
        agency_id=agency_id,
        telegram_user_id=telegram_user_id,
        chat_id=telegram_user_id,
        display_name=display_name,
        username=username,
        role=role,
        status=ContactStatus.ACTIVE,
    )
    session.add(contact)
    await session.flush()
    return contact


async def block_contact(session: AsyncSession, contact_id: int, now: datetime) -> bool:
    """The contact blocked the bot: stop sending to them. False if it was not active."""
    result = await session.execute(
        update(Contact)
        .where(Contact.id == contact_id, Contact.status == ContactStatus.ACTIVE)
        .values(status=ContactStatus.BLOCKED, status_changed_at=now)
    )
    return bool(affected(result))


def reactivate_contact(contact: Contact, display_name: str, username: str | None) -> None:
    contact.status = ContactStatus.ACTIVE
    contact.status_changed_at = utcnow()
    contact.display_name = display_name
    contact.username = username


async def staff_role(session: AsyncSession, telegram_user_id: int) -> StaffRole | None:
    return await session.scalar(
        select(Staff.role).where(Staff.telegram_user_id == telegram_user_id)
    )


async def list_staff(session: AsyncSession) -> list[Staff]:
    return list((await session.scalars(select(Staff).order_by(Staff.role, Staff.id))).all())


async def upsert_staff(
    session: AsyncSession,
    telegram_user_id: int,
    role: StaffRole,
    *,
    added_by: int | None,
    display_name: str | None = None,
) -> Staff:
    staff = await session.scalar(select(Staff).where(Staff.telegram_user_id == telegram_user_id))
    if staff is None:
        staff = Staff(telegram_user_id=telegram_user_id, role=role, added_by=added_by)
        session.add(staff)
    staff.role = role
    if display_name:
        staff.display_name = display_name
    await session.flush()
    return staff


async def remove_staff(session: AsyncSession, telegram_user_id: int) -> bool:
    result = await session.execute(delete(Staff).where(Staff.telegram_user_id == telegram_user_id))
    return bool(affected(result))


async def get_language(session: AsyncSession, telegram_user_id: int) -> str | None:
    return await session.scalar(
        select(UserPreference.language).where(UserPreference.telegram_user_id == telegram_user_id)
    )


async def languages_of(session: AsyncSession, telegram_user_ids: Iterable[int]) -> dict[int, str]:
    """The chosen language of each of these users who chose one (one query for a round)."""
    wanted = set(telegram_user_ids)
    if not wanted:
        return {}
    rows = await session.execute(
        select(UserPreference.telegram_user_id, UserPreference.language).where(
            UserPreference.telegram_user_id.in_(wanted)
        )
    )
    return {user_id: language for user_id, language in rows.all()}


async def set_language(session: AsyncSession, telegram_user_id: int, language: str) -> None:
    preference = await session.get(UserPreference, telegram_user_id)
    if preference is None:
        session.add(UserPreference(telegram_user_id=telegram_user_id, language=language))
    else:
        preference.language = language
    await session.flush()


@dataclass(frozen=True)
class ContactListing:
    display_name: str
    username: str | None
    role: ContactRole
    status: ContactStatus
    agency_code: str
    agency_name: str
    user_id: int = 0


async def list_contacts(session: AsyncSession) -> list[ContactListing]:
    rows = await session.execute(
        select(
            Contact.display_name,
            Contact.username,
            Contact.role,
            Contact.status,
            Agency.code,
            Agency.name,
            Contact.telegram_user_id,
        )
        .join(Agency, Contact.agency_id == Agency.id)
        .order_by(Contact.joined_at, Contact.id)
    )
    return [ContactListing(*row) for row in rows.all()]
