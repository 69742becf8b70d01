"""Revocation: staff take back what onboarding gave, and each taking back is audited.

A contact who left (or whose phone was lost) is marked `left`: no more letters, and their
presses and reports are refused from then on. An invite not yet used is deleted, so a
/start with it is refused like any unknown token. A deactivated agency is no longer among
new letters' recipients and is not reminded any more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Agency, Contact
from db.queries import revocation as queries
from db.queries.agencies import get_agency_by_code
from db.queries.events import record_event


class Revoked(StrEnum):
    DONE = "done"
    ALREADY = "already"  # nothing to take back: left already, already (in)active
    UNKNOWN = "unknown"  # no such agency, contact of that agency, or invite


@dataclass(frozen=True)
class Actor:
    """Who takes access back: a staff member in Telegram, or the command line."""

    kind: str  # "staff" or "cli"
    user_id: int | None = None


async def agency_and_contacts(
    session: AsyncSession, code: str
) -> tuple[Agency, list[Contact]] | None:
    """/contacts CODE: the agency and its contacts who have not left."""
    agency = await get_agency_by_code(session, code)
    if agency is None:
        return None
    return agency, await queries.agency_contacts(session, agency.id)


async def _remove(session: AsyncSession, contact: Contact, now: datetime, actor: Actor) -> Revoked:
    if not await queries.leave(session, contact, now):
        return Revoked.ALREADY
    await record_event(
        session,
        "contact.removed",
        actor_type=actor.kind,
        actor_id=actor.user_id,
        agency_id=contact.agency_id,
        user_id=contact.telegram_user_id,
        name=contact.display_name,
    )
    return Revoked.DONE


async def remove_contact(
    session: AsyncSession, code: str, user_id: int, now: datetime, actor: Actor
) -> Revoked:
    """`agency-bot contacts remove CODE USER_ID`."""
    found = await agency_and_contacts(session, code)
    if found is None:
        return Revoked.UNKNOWN
    contact = next((c for c in found[1] if c.telegram_user_id == user_id), None)
    if contact is None:
        return Revoked.UNKNOWN
    return await _remove(session, contact, now, actor)


@dataclass(frozen=True)
class Removal:
    """What a Gỡ press did, and the agency's contacts after it (to show the list again)."""

    result: Revoked
    name: str = ""
    agency: Agency | None = None
    contacts: tuple[Contact, ...] = ()


async def remove_contact_by_id(
    session: AsyncSession, contact_id: int, now: datetime, actor: Actor
) -> Removal:
    """The Gỡ button under /contacts: the contact row it names."""
    contact = await queries.contact_by_id(session, contact_id)
    if contact is None:
        return Removal(Revoked.UNKNOWN)
    result = await _remove(session, contact, now, actor)
    agency = await queries.agency_by_id(session, contact.agency_id)
    remaining = await queries.agency_contacts(session, contact.agency_id)
    return Removal(result, contact.display_name, agency, tuple(remaining))


async def revoke_invite(session: AsyncSession, token: str, actor: Actor) -> Revoked:
    """`agency-bot invite revoke TOKEN`."""
    invite = await queries.delete_invite(session, token)
    if invite is None:
        return Revoked.UNKNOWN
    await record_event(
        session,
        "invite.revoked",
        actor_type=actor.kind,
        actor_id=actor.user_id,
        agency_id=invite.agency_id,
        invite_id=invite.id,
        uses=invite.uses,
    )
    return Revoked.DONE


async def set_agency_active(
    session: AsyncSession, code: str, active: bool, actor: Actor
) -> Revoked:
    """`agency-bot agencies deactivate|activate CODE`."""
    agency = await get_agency_by_code(session, code)
    if agency is None:
        return Revoked.UNKNOWN
    if not await queries.set_active(session, agency.id, active):
        return Revoked.ALREADY
    cancelled = 0 if active else await queries.stop_reminders(session, agency.id)
    await record_event(
        session,
        "agency.activated" if active else "agency.deactivated",
        actor_type=actor.kind,
        actor_id=actor.user_id,
        agency_id=agency.id,
        code=agency.code,
        reminders_cancelled=cancelled,
    )
    return Revoked.DONE
