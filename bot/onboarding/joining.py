"""Binding a Telegram user to an agency through an invite (`/start TOKEN`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.onboarding.invites import TOKEN_PATTERN
from db.models import Contact, ContactRole, ContactStatus, utcnow
from db.queries import people
from db.queries.directives import open_directives_of_agency, queue_messages
from db.queries.events import record_event
from db.queries.invites import get_invite, take_invite_use


class JoinResult(StrEnum):
    JOINED = "joined"
    REJOINED = "rejoined"
    ALREADY_MEMBER = "already_member"
    OTHER_AGENCY = "other_agency"
    INVALID = "invalid"
    USED_UP = "used_up"
    EXPIRED = "expired"
    AGENCY_INACTIVE = "agency_inactive"


@dataclass(frozen=True)
class Joiner:
    user_id: int
    display_name: str
    username: str | None


@dataclass(frozen=True)
class JoinOutcome:
    result: JoinResult
    agency_name: str | None = None
    agency_code: str | None = None
    role: ContactRole | None = None
    expired_at: datetime | None = None


def _outcome(result: JoinResult, contact: Contact) -> JoinOutcome:
    return JoinOutcome(result, contact.agency.name, contact.agency.code, contact.role)


async def redeem_invite(
    session: AsyncSession, token: str, joiner: Joiner, now: datetime
) -> JoinOutcome:
    """Bind `joiner` to the invite's agency, or say precisely why not; a refusal changes nothing.

    The first contact ever to join an agency is its primary, later ones are backups,
    unless the invite names a role.
    """
    invite = await get_invite(session, token) if TOKEN_PATTERN.match(token) else None
    if invite is None:
        await record_event(
            session, "invite.rejected", actor_type="user", actor_id=joiner.user_id, reason="invalid"
        )
        return JoinOutcome(JoinResult.INVALID)
    agency = invite.agency
    existing = await people.get_contact(session, joiner.user_id)
    if existing is not None and existing.status != ContactStatus.LEFT:
        if existing.agency_id != agency.id:
            return _outcome(JoinResult.OTHER_AGENCY, existing)
        if existing.status == ContactStatus.ACTIVE:
            return _outcome(JoinResult.ALREADY_MEMBER, existing)
        people.reactivate_contact(existing, joiner.display_name, joiner.username)
        await record_event(
            session,
            "contact.rejoined",
            actor_type="user",
            actor_id=joiner.user_id,
            agency_id=agency.id,
        )
        await send_open_directives(session, existing, now)
        return _outcome(JoinResult.REJOINED, existing)

    refusal = None
    if not agency.active:
        refusal = JoinOutcome(JoinResult.AGENCY_INACTIVE, agency.name, agency.code)
    elif invite.uses >= invite.max_uses:
        refusal = JoinOutcome(JoinResult.USED_UP, agency.name, agency.code)
    elif invite.expires_at <= now:
        refusal = JoinOutcome(
            JoinResult.EXPIRED, agency.name, agency.code, expired_at=invite.expires_at
        )
    elif not await take_invite_use(session, invite.id):
        refusal = JoinOutcome(JoinResult.USED_UP, agency.name, agency.code)
    if refusal is not None:
        await record_event(
            session,
            "invite.rejected",
            actor_type="user",
            actor_id=joiner.user_id,
            agency_id=agency.id,
            reason=refusal.result.value,
        )
        return refusal

    # "First to join" must hold for officers joining at the same moment: the agency's row
    # is locked before counting, so the second one counts the first.
    await people.lock_agency(session, agency.id)
    role = invite.role or (
        ContactRole.PRIMARY
        if await people.count_contacts(session, agency.id) == 0
        else ContactRole.BACKUP
    )
    if existing is not None:  # someone who had left joins again, perhaps another agency
        existing.agency_id, existing.role = agency.id, role
        people.reactivate_contact(existing, joiner.display_name, joiner.username)
        contact = existing
    else:
        contact = await people.add_contact(
            session,
            agency_id=agency.id,
            telegram_user_id=joiner.user_id,
            display_name=joiner.display_name,
            username=joiner.username,
            role=role,
        )
    await record_event(
        session,
        "contact.joined",
        actor_type="user",
        actor_id=joiner.user_id,
        agency_id=agency.id,
        role=role.value,
        invite_id=invite.id,
    )
    await send_open_directives(session, contact, now)
    return JoinOutcome(JoinResult.JOINED, agency.name, agency.code, role)


async def send_open_directives(session: AsyncSession, contact: Contact, now: datetime) -> int:
    """A contact who joins or comes back receives the directives still open for its agency."""
    queued = 0
    for directive_id in await open_directives_of_agency(session, contact.agency_id):
        queued += await queue_messages(session, directive_id, now, contact_id=contact.id)
    return queued


async def reactivate_on_start(
    session: AsyncSession, joiner: Joiner, now: datetime
) -> JoinOutcome | None:
    """A blocked contact who sends /start again receives letters again."""
    contact = await people.get_contact(session, joiner.user_id)
    if contact is None or contact.status != ContactStatus.BLOCKED:
        return None
    people.reactivate_contact(contact, joiner.display_name, joiner.username)
    await record_event(
        session,
        "contact.rejoined",
        actor_type="user",
        actor_id=joiner.user_id,
        agency_id=contact.agency_id,
    )
    await send_open_directives(session, contact, now)
    return _outcome(JoinResult.REJOINED, contact)


async def mark_blocked(session: AsyncSession, user_id: int) -> bool:
    """The user blocked the bot (my_chat_member): stop sending to them."""
    contact = await people.get_contact(session, user_id)
    if contact is None or not await people.block_contact(session, contact.id, utcnow()):
        return False
    await record_event(
        session, "contact.blocked", actor_type="user", actor_id=user_id, agency_id=contact.agency_id
    )
    return True
