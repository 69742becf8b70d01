"""Agencies answering a directive: acknowledgement (Đã nhận), completion, by hand or not."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, case, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    Agency,
    Contact,
    ContactStatus,
    Delivery,
    DeliveryStatus,
    Directive,
    DirectiveStatus,
)

OPEN_DIRECTIVE = (DirectiveStatus.QUEUED, DirectiveStatus.SENDING, DirectiveStatus.SENT)


@dataclass(frozen=True)
class PressContext:
    """What a button press is about, read in one query: the delivery and the presser."""

    delivery_id: int
    agency_id: int
    directive_id: int
    directive_number: str
    directive_open: bool
    contact_id: int | None
    contact_active: bool
    contact_agency_id: int | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    directive_recalled: bool = False
    rejected: bool = False  # the agency sent the letter back (not its business)


def _delivery_facts() -> Select[Any]:
    """What a press needs to know of its delivery: agency, directive, who acknowledged."""
    acknowledger = Contact.__table__.alias("acknowledger")
    return (
        select(
            Delivery.id,
            Delivery.agency_id,
            Directive.id,
            Directive.number,
            Directive.status,
            Delivery.acknowledged_at,
            acknowledger.c.display_name,
            Delivery.status,
        )
        .join(Directive, Directive.id == Delivery.directive_id)
        .outerjoin(acknowledger, acknowledger.c.id == Delivery.acknowledged_by_contact_id)
    )


async def press_context(
    session: AsyncSession, delivery_id: int, telegram_user_id: int
) -> PressContext | None:
    row = (await session.execute(_delivery_facts().where(Delivery.id == delivery_id))).one_or_none()
    if row is None:
        return None
    contact = (
        await session.execute(
            select(Contact.id, Contact.status, Contact.agency_id).where(
                Contact.telegram_user_id == telegram_user_id
            )
        )
    ).one_or_none()
    contact_status = contact[1] if contact is not None else None
    return PressContext(
        delivery_id=row[0],
        agency_id=row[1],
        directive_id=row[2],
        directive_number=row[3],
        directive_open=row[4] in OPEN_DIRECTIVE,
        contact_id=contact[0] if contact is not None else None,
        contact_active=contact_status == ContactStatus.ACTIVE,
        contact_agency_id=contact[2] if contact is not None else None,
        acknowledged_at=row[5],
        acknowledged_by=row[6],
        directive_recalled=row[4] == DirectiveStatus.RECALLED,
        rejected=row[7] == DeliveryStatus.REJECTED,
    )


@dataclass(frozen=True)
class AckPress:
    """One press of Đã nhận: which delivery, by whom (a Telegram user)."""

    delivery_id: int
    telegram_user_id: int


@dataclass(frozen=True)
class Acknowledged:
    """A delivery this call acknowledged, and the contact (and its user) recorded for it."""

    delivery_id: int
    directive_id: int
    agency_id: int
    contact_id: int
    telegram_user_id: int


async def acknowledge(
    session: AsyncSession, presses: Sequence[AckPress], now: datetime
) -> dict[int, Acknowledged]:
    """Record the acknowledgements these presses make: the first press of an active contact
    of the delivery's agency on an open directive whose agency has not acknowledged yet.
    Returns the deliveries acknowledged now, by delivery id; any other press changes nothing.

    The one place an acknowledgement is written. Every condition is checked by one
    conditional UPDATE, so concurrent presses, replays and presses racing a contact's
    removal or the directive's closing cannot both win. It also stops the acknowledgement
    reminders (next_reminder_at cleared). One statement for many presses: the bot groups
    presses that arrive together into one transaction (bot/answers.py).
    """
    users = {p.telegram_user_id for p in presses}
    contacts = {
        user_id: contact_id
        for user_id, contact_id in (
            await session.execute(
                select(Contact.telegram_user_id, Contact.id).where(
                    Contact.telegram_user_id.in_(users),
                    Contact.status == ContactStatus.ACTIVE,
                )
            )
        ).all()
    }
    acknowledged: dict[int, Acknowledged] = {}
    tried: set[AckPress] = set()
    while True:
        # One press of a contact per delivery at a time, in order: if it does not count (a
        # contact of another agency, say), the next press on that delivery gets its turn.
        pressed_by: dict[int, AckPress] = {}
        for press in presses:
            if (
                press.telegram_user_id in contacts
                and press.delivery_id not in acknowledged
                and press not in tried
            ):
                pressed_by.setdefault(press.delivery_id, press)
        if not pressed_by:
            return acknowledged
        tried.update(pressed_by.values())
        contact = case(
            {d: contacts[p.telegram_user_id] for d, p in pressed_by.items()}, value=Delivery.id
        )
        active_contact = (
            select(Contact.id)
            .where(
                Contact.id == contact,
                Contact.agency_id == Delivery.agency_id,
                Contact.status == ContactStatus.ACTIVE,
            )
            .exists()
        )
        open_directive = (
            select(Directive.id)
            .where(Directive.id == Delivery.directive_id, Directive.status.in_(OPEN_DIRECTIVE))
            .exists()
        )
        rows = await session.execute(
            update(Delivery)
            .where(
                Delivery.id.in_(pressed_by),
                Delivery.acknowledged_at.is_(None),
                # An agency that sent the letter back keeps its answer (not its business).
                Delivery.status != DeliveryStatus.REJECTED,
                active_contact,
                open_directive,
            )
            .values(
                acknowledged_at=now,
                acknowledged_by_contact_id=contact,
                next_reminder_at=None,
                # A completed agency stays completed; any other becomes acknowledged.
                status=case(
                    (Delivery.status == DeliveryStatus.COMPLETED, DeliveryStatus.COMPLETED.value),
                    else_=DeliveryStatus.ACKNOWLEDGED.value,
                ),
            )
            .returning(Delivery.id, Delivery.directive_id, Delivery.agency_id)
            .execution_options(synchronize_session=False)
        )
        for delivery_id, directive_id, agency_id in rows.all():
            user_id = pressed_by[delivery_id].telegram_user_id
            acknowledged[delivery_id] = Acknowledged(
                delivery_id, directive_id, agency_id, contacts[user_id], user_id
            )


async def press_contexts(
    session: AsyncSession, presses: Sequence[AckPress]
) -> dict[AckPress, PressContext | None]:
    """`press_context` for many presses in two queries (None: no such delivery)."""
    wanted = {p.delivery_id for p in presses}
    deliveries = {
        row[0]: row
        for row in (await session.execute(_delivery_facts().where(Delivery.id.in_(wanted)))).all()
    }
    contacts = {
        row[0]: row
        for row in (
            await session.execute(
                select(
                    Contact.telegram_user_id, Contact.id, Contact.status, Contact.agency_id
                ).where(Contact.telegram_user_id.in_({p.telegram_user_id for p in presses}))
            )
        ).all()
    }
    found: dict[AckPress, PressContext | None] = {}
    for press in presses:
        row = deliveries.get(press.delivery_id)
        contact = contacts.get(press.telegram_user_id)
        found[press] = (
            None
            if row is None
            else PressContext(
                delivery_id=row[0],
                agency_id=row[1],
                directive_id=row[2],
                directive_number=row[3],
                directive_open=row[4] in OPEN_DIRECTIVE,
                contact_id=contact[1] if contact is not None else None,
                contact_active=contact is not None and contact[2] == ContactStatus.ACTIVE,
                contact_agency_id=contact[3] if contact is not None else None,
                acknowledged_at=row[5],
                acknowledged_by=row[6],
                directive_recalled=row[4] == DirectiveStatus.RECALLED,
                rejected=row[7] == DeliveryStatus.REJECTED,
            )
        )
    return found


async def delivery_for(
    session: AsyncSession, directive_id: int, agency_code: str
) -> Delivery | None:
    return await session.scalar(
        select(Delivery)
        .join(Agency, Agency.id == Delivery.agency_id)
        .where(Delivery.directive_id == directive_id, Agency.code == agency_code)
    )


@dataclass(frozen=True)
class AnswerRow:
    agency_code: str
    agency_name: str
    status: DeliveryStatus
    acknowledged_by: str | None
    evidence_verified: str | None


async def answer_rows(session: AsyncSession, directive_id: int) -> list[AnswerRow]:
    """Per agency: its status, who acknowledged, and the evidence check (for the demo and
    the summary views)."""
    rows = await session.execute(
        select(
            Agency.code,
            Agency.name,
            Delivery.status,
            Contact.display_name,
            Delivery.evidence_verified,
        )
        .join(Agency, Agency.id == Delivery.agency_id)
        .outerjoin(Contact, Contact.id == Delivery.acknowledged_by_contact_id)
        .where(Delivery.directive_id == directive_id)
        .order_by(Agency.code)
    )
    return [AnswerRow(c, n, s, by, v.value if v else None) for c, n, s, by, v in rows.all()]
