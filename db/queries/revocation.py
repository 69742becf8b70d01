"""Taking access back: a contact who left, an invite not yet used, an agency closed down."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    Agency,
    CompletionSession,
    Contact,
    ContactStatus,
    Delivery,
    Directive,
    Invite,
    MessageKind,
    MessageStatus,
    OutboundMessage,
)
from db.queries.reminders import OPEN_DIRECTIVE
from db.rows import affected


async def agency_contacts(session: AsyncSession, agency_id: int) -> list[Contact]:
    """The agency's contacts who have not left (active or blocked), first joined first."""
    rows = await session.scalars(
        select(Contact)
        .where(Contact.agency_id == agency_id, Contact.status != ContactStatus.LEFT)
        .order_by(Contact.joined_at, Contact.id)
    )
    return list(rows.all())


async def contact_by_id(session: AsyncSession, contact_id: int) -> Contact | None:
    return await session.get(Contact, contact_id)


async def agency_by_id(session: AsyncSession, agency_id: int) -> Agency | None:
    return await session.get(Agency, agency_id)


async def leave(session: AsyncSession, contact: Contact, now: datetime) -> bool:
    """Mark the contact `left`, once; what was queued for them, and a report they had
    open, go with it. False: they had left already."""
    result = await session.execute(
        update(Contact)
        .where(Contact.id == contact.id, Contact.status != ContactStatus.LEFT)
        .values(status=ContactStatus.LEFT, status_changed_at=now)
        .execution_options(synchronize_session=False)
    )
    if not affected(result):
        return False
    await session.execute(
        update(OutboundMessage)
        .where(
            OutboundMessage.contact_id == contact.id,
            OutboundMessage.status == MessageStatus.QUEUED,
        )
        .values(status=MessageStatus.CANCELLED, error="the contact was removed")
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        delete(CompletionSession).where(CompletionSession.contact_id == contact.id)
    )
    return True


async def delete_invite(session: AsyncSession, token: str) -> Invite | None:
    """Remove an invite (a /start with it is then refused as an unknown one); the invite
    it was, or None when there is no such token."""
    invite = await session.scalar(select(Invite).where(Invite.token == token))
    if invite is None:
        return None
    await session.delete(invite)
    await session.flush()
    return invite


async def set_active(session: AsyncSession, agency_id: int, active: bool) -> bool:
    """False when the agency already was so."""
    result = await session.execute(
        update(Agency)
        .where(Agency.id == agency_id, Agency.active.is_not(active))
        .values(active=active)
        .execution_options(synchronize_session=False)
    )
    return bool(affected(result))


async def stop_reminders(session: AsyncSession, agency_id: int) -> int:
    """No more reminder rounds for the agency on the letters still open, and those already
    queued do not go; returns how many queued reminders were cancelled."""
    open_letters = select(Directive.id).where(Directive.status.in_(OPEN_DIRECTIVE))
    of_agency = select(Delivery.id).where(
        Delivery.agency_id == agency_id, Delivery.directive_id.in_(open_letters)
    )
    await session.execute(
        update(Delivery)
        .where(Delivery.id.in_(of_agency))
        .values(next_reminder_at=None, relay_remind_at=None)
        .execution_options(synchronize_session=False)
    )
    result = await session.execute(
        update(OutboundMessage)
        .where(
            OutboundMessage.delivery_id.in_(of_agency),
            OutboundMessage.kind == MessageKind.REMINDER,
            OutboundMessage.status == MessageStatus.QUEUED,
        )
        .values(status=MessageStatus.CANCELLED, error="the agency was deactivated")
        .execution_options(synchronize_session=False)
    )
    return affected(result)
