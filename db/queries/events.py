"""The audit trail."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Delivery, DeliveryStatus, Event


async def record_event(
    session: AsyncSession,
    kind: str,
    *,
    actor_type: str,
    actor_id: int | None = None,
    directive_id: int | None = None,
    agency_id: int | None = None,
    **detail: Any,
) -> None:
    """Add an event to the caller's transaction, so it commits with the change it records."""
    session.add(
        Event(
            kind=kind,
            actor_type=actor_type,
            actor_id=actor_id,
            directive_id=directive_id,
            agency_id=agency_id,
            detail=detail,
        )
    )


@dataclass(frozen=True)
class NewEvent:
    """An event for `record_events`: the arguments of `record_event`, as a value."""

    kind: str
    actor_type: str
    actor_id: int | None = None
    directive_id: int | None = None
    agency_id: int | None = None
    detail: dict[str, Any] = field(default_factory=dict)


async def record_events(session: AsyncSession, events: Sequence[NewEvent]) -> None:
    """Many events in one INSERT, in the caller's transaction."""
    if not events:
        return
    await session.execute(
        insert(Event),
        [
            {
                "kind": e.kind,
                "actor_type": e.actor_type,
                "actor_id": e.actor_id,
                "directive_id": e.directive_id,
                "agency_id": e.agency_id,
                "detail": e.detail,
            }
            for e in events
        ],
    )


async def record_failed_deliveries(session: AsyncSession, directive_id: int) -> int:
    """One `delivery.failed` event per agency that could not be reached when the directive
    was queued (no officer, or all blocked the bot), in one INSERT."""
    rows = (
        await session.execute(
            select(Delivery.agency_id, Delivery.failure_reason).where(
                Delivery.directive_id == directive_id, Delivery.status == DeliveryStatus.FAILED
            )
        )
    ).all()
    await record_events(
        session,
        [
            NewEvent(
                "delivery.failed",
                "bot",
                directive_id=directive_id,
                agency_id=agency_id,
                detail={"reason": reason},
            )
            for agency_id, reason in rows
        ],
    )
    return len(rows)
