"""What the staff notices need to know."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Agency, Delivery, DeliveryStatus, Directive, Event, Verification


@dataclass(frozen=True)
class UnverifiedReport:
    sender: int | None
    number: str
    agency: str


async def unacknowledged_reachable(session: AsyncSession, directive_id: int) -> int:
    count = await session.scalar(
        select(func.count(Delivery.id)).where(
            Delivery.directive_id == directive_id,
            Delivery.acknowledged_at.is_(None),
            # Unreachable agencies cannot answer; those that sent it back did answer.
            Delivery.status.not_in([DeliveryStatus.FAILED, DeliveryStatus.REJECTED]),
        )
    )
    return count or 0


async def acknowledged_count(session: AsyncSession, directive_id: int) -> int:
    count = await session.scalar(
        select(func.count(Delivery.id)).where(
            Delivery.directive_id == directive_id,
            Delivery.acknowledged_at.is_not(None),
            Delivery.status != DeliveryStatus.REJECTED,
        )
    )
    return count or 0


async def has_event(session: AsyncSession, directive_id: int, kind: str) -> bool:
    return bool(
        await session.scalar(
            select(exists().where(Event.directive_id == directive_id, Event.kind == kind))
        )
    )


async def unverified_report(session: AsyncSession, delivery_id: int) -> UnverifiedReport | None:
    """The report of this delivery if its evidence ended up unverified."""
    row = (
        await session.execute(
            select(Directive.created_by, Directive.number, Agency.name)
            .join(Delivery, Delivery.directive_id == Directive.id)
            .join(Agency, Agency.id == Delivery.agency_id)
            .where(
                Delivery.id == delivery_id,
                Delivery.evidence_verified == Verification.UNVERIFIED,
            )
        )
    ).one_or_none()
    return UnverifiedReport(row[0], row[1], row[2]) if row else None
