"""Questions the bot awaits a reply to (one open question per user)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Prompt


async def open_prompt(
    session: AsyncSession, user_id: int, kind: str, payload: dict[str, Any], expires_at: datetime
) -> None:
    """Await an answer from `user_id`; an older open question is replaced."""
    await session.execute(delete(Prompt).where(Prompt.telegram_user_id == user_id))
    session.add(Prompt(telegram_user_id=user_id, kind=kind, payload=payload, expires_at=expires_at))
    await session.flush()


async def set_prompt_message(
    session: AsyncSession, user_id: int, kind: str, message_id: int
) -> None:
    """The question of kind `kind` was sent as `message_id`."""
    await session.execute(
        update(Prompt)
        .where(Prompt.telegram_user_id == user_id, Prompt.kind == kind)
        .values(message_id=message_id)
    )


async def find_prompt(
    session: AsyncSession, user_id: int, replied_to: int, now: datetime
) -> Prompt | None:
    """The open question this reply answers; None when the reply answers none (no open
    question, an expired one, or a reply to another message)."""
    prompt = await session.get(Prompt, user_id)
    if prompt is None or prompt.expires_at <= now:
        return None
    if prompt.message_id is not None and prompt.message_id != replied_to:
        return None
    return prompt


async def close_prompt(session: AsyncSession, user_id: int, kind: str) -> None:
    """The question of kind `kind` was answered: stop awaiting it."""
    await session.execute(
        delete(Prompt).where(Prompt.telegram_user_id == user_id, Prompt.kind == kind)
    )


async def has_prompt(session: AsyncSession, user_id: int, now: datetime) -> bool:
    found = await session.scalar(
        select(Prompt.telegram_user_id).where(
            Prompt.telegram_user_id == user_id, Prompt.expires_at > now
        )
    )
    return found is not None


async def expire_prompts(session: AsyncSession, now: datetime) -> None:
    await session.execute(delete(Prompt).where(Prompt.expires_at <= now))
