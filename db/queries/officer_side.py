"""The officer's side of a letter: an agency's open letters, its requests for more
time and its own deadline, "not ours", and sending a rejected letter to another agency."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, case, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    Agency,
    Contact,
    ContactStatus,
    Delivery,
    DeliveryStatus,
    Directive,
    DirectiveStatus,
    ExtensionRequest,
    ExtensionStatus,
    MessageKind,
    MessageStatus,
    OutboundMessage,
    ReminderPhase,
)
from db.queries.items import for_information
from db.rows import affected

OPEN_DIRECTIVE = (DirectiveStatus.QUEUED, DirectiveStatus.SENDING, DirectiveStatus.SENT)
# What an agency still owes: it has the letter, and has neither reported nor sent it back.
OWED = (DeliveryStatus.SENT, DeliveryStatus.ACKNOWLEDGED)


@dataclass(frozen=True)
class LetterFacts:
    """One agency's delivery of a letter, as the officer-side actions need it."""

    delivery_id: int
    status: DeliveryStatus
    own_deadline: date | None
    reminder_phase: str | None
    agency_id: int
    agency_code: str
    agency_name: str
    directive_id: int
    number: str
    subject: str
    directive_status: DirectiveStatus
    letter_deadline: date | None
    sender: int | None

    @property
    def deadline(self) -> date | None:
        """The agency's deadline: its own (an extension), else the letter's."""
        return self.own_deadline or self.letter_deadline

    @property
    def open(self) -> bool:
        return self.directive_status in OPEN_DIRECTIVE


async def letter_facts(session: AsyncSession, delivery_id: int) -> LetterFacts | None:
    row = (
        await session.execute(
            select(
                Delivery.id,
                Delivery.status,
                Delivery.deadline,
                Delivery.reminder_phase,
                Agency.id,
                Agency.code,
                Agency.name,
                Directive.id,
                Directive.number,
                Directive.subject,
                Directive.status,
                Directive.deadline,
                Directive.created_by,
            )
            .join(Agency, Agency.id == Delivery.agency_id)
            .join(Directive, Directive.id == Delivery.directive_id)
            .where(Delivery.id == delivery_id)
        )
    ).one_or_none()
    return None if row is None else LetterFacts(*tuple(row))


async def active_chats(session: AsyncSession, agency_id: int) -> list[tuple[int, int]]:
    """(contact id, chat id) of the agency's active contacts, first joined first."""
    rows = await session.execute(
        select(Contact.id, Contact.chat_id)
        .where(Contact.agency_id == agency_id, Contact.status == ContactStatus.ACTIVE)
        .order_by(Contact.joined_at, Contact.id)
    )
    return [(contact_id, chat_id) for contact_id, chat_id in rows.all()]


# --- /viec -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenLetter:
    delivery_id: int
    directive_id: int
    number: str
    subject: str
    status: DeliveryStatus
    deadline: date | None
    own_deadline: bool
    extension_asked: bool


async def open_letters(
    session: AsyncSession, agency_id: int, *, limit: int
) -> tuple[int, list[OpenLetter]]:
    """The agency's open letters it still owes an answer to, nearest deadline first (those
    without one last, newest first among equals): how many in all, and the first `limit`."""
    deadline = func.coalesce(Delivery.deadline, Directive.deadline)
    asked = exists().where(
        ExtensionRequest.delivery_id == Delivery.id,
        ExtensionRequest.status == ExtensionStatus.PENDING,
    )
    owed = and_(
        Delivery.agency_id == agency_id,
        Delivery.status.in_(OWED),
        Directive.status.in_(OPEN_DIRECTIVE),
        # Sent for information and acknowledged: nothing more is owed.
        ~and_(for_information(), Delivery.status == DeliveryStatus.ACKNOWLEDGED),
    )
    total = await session.scalar(
        select(func.count(Delivery.id))
        .join(Directive, Directive.id == Delivery.directive_id)
        .where(owed)
    )
    rows = await session.execute(
        select(
            Delivery.id,
            Directive.id,
            Directive.number,
            Directive.subject,
            Delivery.status,
            deadline,
            Delivery.deadline.is_not(None),
            asked,
        )
        .join(Directive, Directive.id == Delivery.directive_id)
        .where(owed)
        .order_by(case((deadline.is_(None), 1), else_=0), deadline, Directive.id.desc())
        .limit(limit)
    )
    letters = [
        OpenLetter(d, i, number, subject, status, day, bool(own), bool(asked_))
        for d, i, number, subject, status, day, own, asked_ in rows.all()
    ]
    return total or 0, letters


# --- more time -------------------------------------------------------------------------------


async def pending_request(session: AsyncSession, delivery_id: int) -> ExtensionRequest | None:
    return await session.scalar(
        select(ExtensionRequest)
        .where(
            ExtensionRequest.delivery_id == delivery_id,
            ExtensionRequest.status == ExtensionStatus.PENDING,
        )
        .order_by(ExtensionRequest.id.desc())
        .limit(1)
    )


async def add_request(
    session: AsyncSession,
    *,
    delivery_id: int,
    contact_id: int | None,
    user_id: int,
    new_deadline: date,
    reason: str,
    now: datetime,
) -> ExtensionRequest:
    request = ExtensionRequest(
        delivery_id=delivery_id,
        contact_id=contact_id,
        requested_by=user_id,
        new_deadline=new_deadline,
        reason=reason,
        status=ExtensionStatus.PENDING,
        created_at=now,
    )
    session.add(request)
    await session.flush()
    return request


async def get_request(session: AsyncSession, request_id: int) -> ExtensionRequest | None:
    return await session.get(ExtensionRequest, request_id)


async def decide_request(
    session: AsyncSession, request_id: int, status: ExtensionStatus, staff_id: int, now: datetime
) -> bool:
    """Answer a pending request; False when it was answered already (a second press)."""
    result = await session.execute(
        update(ExtensionRequest)
        .where(
            ExtensionRequest.id == request_id,
            ExtensionRequest.status == ExtensionStatus.PENDING,
        )
        .values(status=status, decided_at=now, decided_by=staff_id)
    )
    return bool(affected(result))


async def supersede_requests(
    session: AsyncSession, delivery_id: int, staff_id: int | None, now: datetime
) -> None:
    """Staff set the deadline themselves: requests still waiting are answered by it."""
    await session.execute(
        update(ExtensionRequest)
        .where(
            ExtensionRequest.delivery_id == delivery_id,
            ExtensionRequest.status == ExtensionStatus.PENDING,
        )
        .values(status=ExtensionStatus.SUPERSEDED, decided_at=now, decided_by=staff_id)
    )


async def set_own_deadline(
    session: AsyncSession,
    delivery_id: int,
    deadline: date,
    *,
    next_reminder_at: datetime | None,
    chase_report: bool,
) -> None:
    """The agency's own deadline; an acknowledged agency's report reminders start over from
    it (`chase_report`), at `next_reminder_at`."""
    values: dict[str, object] = {"deadline": deadline}
    if chase_report:
        values.update(
            reminder_phase=ReminderPhase.COMPLETION,
            next_reminder_at=next_reminder_at,
            scheduled_reminders=0,
        )
    await session.execute(update(Delivery).where(Delivery.id == delivery_id).values(**values))


# --- not ours --------------------------------------------------------------------------------


async def reject_delivery(
    session: AsyncSession, delivery_id: int, contact_id: int, reason: str, now: datetime
) -> bool:
    """The agency sends the letter back; False when it was not waiting for its answer (it
    reported, or rejected already, or the letter is no longer open). Its reminders stop."""
    open_directive = exists().where(
        Directive.id == Delivery.directive_id, Directive.status.in_(OPEN_DIRECTIVE)
    )
    result = await session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.status.in_(OWED), open_directive)
        .values(
            status=DeliveryStatus.REJECTED,
            rejected_at=now,
            rejected_by_contact_id=contact_id,
            rejection_reason=reason,
            next_reminder_at=None,
            reminder_phase=None,
        )
        .execution_options(synchronize_session=False)
    )
    return bool(affected(result))


async def add_delivery(
    session: AsyncSession,
    *,
    directive_id: int,
    agency_id: int,
    items_mask: int,
    check_links: bool,
    now: datetime,
) -> tuple[int, int]:
    """A delivery of the letter to one more agency, and its letter queued for the agency's
    active contacts: (delivery id, messages queued)."""
    delivery = Delivery(
        directive_id=directive_id,
        agency_id=agency_id,
        status=DeliveryStatus.PENDING,
        items_mask=items_mask,
        check_links=check_links,
        created_at=now,
    )
    session.add(delivery)
    await session.flush()
    chats = await active_chats(session, agency_id)
    for contact_id, chat_id in chats:
        session.add(
            OutboundMessage(
                kind=MessageKind.DIRECTIVE,
                delivery_id=delivery.id,
                contact_id=contact_id,
                chat_id=chat_id,
                payload={},
                status=MessageStatus.QUEUED,
                next_attempt_at=now,
                created_at=now,
            )
        )
    return delivery.id, len(chats)


async def fail_delivery(session: AsyncSession, delivery_id: int, reason: str) -> None:
    await session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id)
        .values(status=DeliveryStatus.FAILED, failure_reason=reason)
    )
