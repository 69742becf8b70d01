"""What must happen once across every instance sharing the database.

`take_once(session, key)` inserts the key if nobody has: True means this transaction does
the thing. The insert and the thing commit together, so a rollback frees the key again;
on PostgreSQL a second instance inserting the same key waits for the first to commit and
then finds it taken.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import OnceMark
from db.rows import affected


async def take_once(session: AsyncSession, key: str, now: datetime) -> bool:
    """Mark `key` done; False if it already was (by this or another instance)."""
    values = {"key": key, "done_at": now}
    bind = session.bind
    if bind is not None and bind.dialect.name == "postgresql":
        taken = await session.execute(
            postgresql.insert(OnceMark).values(values).on_conflict_do_nothing()
        )
    else:
        taken = await session.execute(
            sqlite.insert(OnceMark).values(values).on_conflict_do_nothing()
        )
    return affected(taken) == 1
