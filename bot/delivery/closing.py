"""Closing a letter's campaign (/close, the dashboard): no more reminders, no more answers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from db.queries.directives import close_directive
from db.queries.events import record_event


async def close_letter(
    session: AsyncSession, directive_id: int, now: datetime, *, actor_type: str, actor_id: int
) -> bool:
    """Close the letter and record who did; False (nothing done) if it was not open."""
    closed = await close_directive(session, directive_id, now)
    if closed:
        await record_event(
            session,
            "directive.closed",
            actor_type=actor_type,
            actor_id=actor_id,
            directive_id=directive_id,
        )
    return closed
