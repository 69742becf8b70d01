"""Who a Telegram user is to the bot: staff role, agency contact, language."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import User

from bot.config import Settings
from bot.texts import language_from_telegram
from db.models import Contact, StaffRole
from db.queries import people


@dataclass(frozen=True)
class Who:
    """Everything a handler needs to know about the sender, read in one place."""

    user_id: int
    lang: str
    staff_role: StaffRole | None
    contact: Contact | None

    @property
    def is_staff(self) -> bool:
        return self.staff_role is not None


async def who_is(session: AsyncSession, settings: Settings, user: User) -> Who:
    return Who(
        user_id=user.id,
        lang=await language_of(session, user.id, user.language_code),
        staff_role=await role_of(session, settings, user.id),
        contact=await people.get_contact(session, user.id),
    )


async def role_of(session: AsyncSession, settings: Settings, user_id: int) -> StaffRole | None:
    """Admins of the config file are always admins; others come from the staff table."""
    if user_id in settings.staff.admins:
        return StaffRole.ADMIN
    return await people.staff_role(session, user_id)


async def language_of(session: AsyncSession, user_id: int, language_code: str | None) -> str:
    """The language chosen with /lang, else the one of the user's Telegram app."""
    chosen = await people.get_language(session, user_id)
    return chosen or language_from_telegram(language_code)


async def staff_ids(session: AsyncSession, settings: Settings) -> dict[int, StaffRole]:
    """Every staff member, config admins first: used to give each the staff command menu."""
    roles = {s.telegram_user_id: s.role for s in await people.list_staff(session)}
    roles.update(dict.fromkeys(settings.staff.admins, StaffRole.ADMIN))
    return roles


async def choose_language(
    sessionmaker: async_sessionmaker[AsyncSession], user_id: int, lang: str
) -> None:
    """Remember the language a user chose with /lang (every later message follows it)."""
    async with sessionmaker.begin() as session:
        await people.set_language(session, user_id, lang)
