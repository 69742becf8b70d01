"""The audit trail."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Event


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
