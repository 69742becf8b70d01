"""Agencies answering a directive: acknowledgement (Đã nhận), completion, by hand or not."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, select, update
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


async def press_context(
    session: AsyncSession, delivery_id: int, telegram_user_id: int
) -> PressContext | None:
    acknowledger = Contact.__table__.alias("acknowledger")
    row = (
        await session.execute(
            select(
                Delivery.id,
                Delivery.agency_id,
                Directive.id,
                Directive.number,
                Directive.status,
                Delivery.acknowledged_at,
                acknowledger.c.display_name,
            )
            .join(Directive, Directive.id == Delivery.directive_id)
            .outerjoin(acknowledger, acknowledger.c.id == Delivery.acknowledged_by_contact_id)
            .where(Delivery.id == delivery_id)
        )
    ).one_or_none()
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
    )


async def acknowledge(
    session: AsyncSession, delivery_id: int, contact_id: int, now: datetime
) -> bool:
    """Record the agency's acknowledgement if it has none yet: True for the first press.

    One conditional UPDATE, so concurrent presses and replays cannot both win. It also
    stops the acknowledgement reminders (next_reminder_at cleared).
    """
    result = await session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.acknowledged_at.is_(None))
        .values(
            acknowledged_at=now,
            acknowledged_by_contact_id=contact_id,
            next_reminder_at=None,
            # A completed agency stays completed; any other becomes acknowledged.
            status=case(
                (Delivery.status == DeliveryStatus.COMPLETED, DeliveryStatus.COMPLETED.value),
                else_=DeliveryStatus.ACKNOWLEDGED.value,
            ),
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


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
