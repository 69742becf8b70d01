"""Recall and correction of a letter: set-based, so 10,000 copies cost a few statements."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    Delivery,
    Directive,
    DirectiveStatus,
    MessageKind,
    MessageStatus,
    OutboundMessage,
)
from db.rows import affected

RECALLABLE = (
    DirectiveStatus.QUEUED,
    DirectiveStatus.SENDING,
    DirectiveStatus.SENT,
    DirectiveStatus.CLOSED,
)
RECALLED_ERROR = "the letter was recalled"


async def mark_recalled(
    session: AsyncSession, directive_id: int, *, reason: str, by: int | None, now: datetime
) -> bool:
    """The directive is recalled, its reminders stop; False if it could not be (a draft, or
    recalled already: two staff confirming at once recall it once)."""
    result = await session.execute(
        update(Directive)
        .where(Directive.id == directive_id, Directive.status.in_(RECALLABLE))
        .values(
            status=DirectiveStatus.RECALLED, recalled_at=now, recalled_by=by, recall_reason=reason
        )
        .execution_options(synchronize_session=False)
    )
    if not affected(result):
        return False
    await session.execute(
        update(Delivery)
        .where(Delivery.directive_id == directive_id)
        .values(next_reminder_at=None, reminder_phase=None)
    )
    return True


def _of_directive(directive_id: int) -> Any:
    return select(Delivery.id).where(Delivery.directive_id == directive_id)


async def recalled(session: AsyncSession, directive_id: int) -> bool:
    status = await session.scalar(select(Directive.status).where(Directive.id == directive_id))
    return status == DirectiveStatus.RECALLED


async def cancel_queued(session: AsyncSession, directive_id: int) -> int:
    """Whatever of the letter has not gone out yet (copies, reminders, corrections) never
    will; returns how many messages that was."""
    result = await session.execute(
        update(OutboundMessage)
        .where(
            OutboundMessage.delivery_id.in_(_of_directive(directive_id)),
            OutboundMessage.status == MessageStatus.QUEUED,
            OutboundMessage.kind != MessageKind.EDIT,
        )
        .values(status=MessageStatus.CANCELLED, error=RECALLED_ERROR)
        .execution_options(synchronize_session=False)
    )
    return affected(result)


async def queue_for_copies(
    session: AsyncSession,
    directive_id: int,
    *,
    kind: MessageKind,
    payload: dict[str, Any],
    of: tuple[MessageStatus, ...],
    now: datetime,
) -> int:
    """One message of `kind` per copy of the letter whose status is one of `of`, to the
    same chat, acting on that copy (`source_id`); one INSERT … SELECT for all of them."""
    source = select(
        literal(kind.value),
        OutboundMessage.delivery_id,
        OutboundMessage.contact_id,
        OutboundMessage.chat_id,
        literal(payload, JSON()),
        literal(MessageStatus.QUEUED.value),
        literal(0),
        literal(0),
        literal(now, OutboundMessage.next_attempt_at.type),
        literal([], JSON()),
        literal(now, OutboundMessage.created_at.type),
        OutboundMessage.id,
    ).where(
        OutboundMessage.delivery_id.in_(_of_directive(directive_id)),
        OutboundMessage.kind == MessageKind.DIRECTIVE,
        OutboundMessage.status.in_(of),
    )
    result = await session.execute(
        insert(OutboundMessage).from_select(
            [
                "kind",
                "delivery_id",
                "contact_id",
                "chat_id",
                "payload",
                "status",
                "attempts",
                "parts_sent",
                "next_attempt_at",
                "telegram_message_ids",
                "created_at",
                "source_id",
            ],
            source,
        )
    )
    return affected(result)
