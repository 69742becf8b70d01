"""The send queue as the dispatcher sees it: claim, record the outcome, recover."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, exists, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    Agency,
    Delivery,
    DeliveryStatus,
    Directive,
    DirectiveStatus,
    MessageKind,
    MessageStatus,
    OutboundMessage,
    ReminderPhase,
)
from db.rows import affected


@dataclass(frozen=True)
class Claimed:
    id: int
    kind: str
    delivery_id: int | None
    directive_id: int | None
    contact_id: int | None
    chat_id: int
    payload: dict[str, object]
    attempts: int
    parts_sent: int
    telegram_message_ids: list[str]
    agency_id: int | None = None  # for the audit trail: whom a send or failure concerned
    items_mask: int = 0  # the letter's items addressed to the agency (its rendering)
    source_id: int | None = None  # the copy of a letter an edit or a correction acts on
    relay_units: int = 0  # units under a relay's agency: its letter has Chuyển tiếp


@dataclass(frozen=True)
class Progress:
    directive_id: int
    total: int
    sent: int
    failed: int
    waiting: int


async def claim_due(session: AsyncSession, now: datetime, limit: int) -> list[Claimed]:
    """Mark up to `limit` due messages `sending` and return them.

    The caller commits before sending: a crash then leaves the rows `sending`, and
    recovery re-queues them (the one window where a message may go twice).
    On PostgreSQL, SKIP LOCKED keeps two senders off the same row.
    """
    due = (
        select(OutboundMessage.id)
        .where(
            OutboundMessage.status == MessageStatus.QUEUED, OutboundMessage.next_attempt_at <= now
        )
        .order_by(OutboundMessage.id)
        .limit(limit)
    )
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    ids = list((await session.scalars(due)).all())
    if not ids:
        return []
    await session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.id.in_(ids))
        .values(status=MessageStatus.SENDING)
    )
    rows = await session.execute(
        select(
            OutboundMessage,
            Delivery.directive_id,
            Delivery.agency_id,
            Delivery.items_mask,
            # Once relayed, later messages (reminders) no longer offer Chuyển tiếp.
            case((Delivery.relayed_directive_id.is_(None), Delivery.relay_units), else_=0),
        )
        .outerjoin(Delivery, Delivery.id == OutboundMessage.delivery_id)
        .where(OutboundMessage.id.in_(ids))
        .order_by(OutboundMessage.id)
    )
    return [
        Claimed(
            m.id,
            m.kind,
            m.delivery_id,
            directive_id,
            m.contact_id,
            m.chat_id,
            m.payload,
            m.attempts,
            m.parts_sent,
            list(m.telegram_message_ids),
            agency_id,
            items_mask or 0,
            m.source_id,
            relay_units or 0,
        )
        for m, directive_id, agency_id, items_mask, relay_units in rows.all()
    ]


async def recover_in_flight(session: AsyncSession) -> int:
    """After a crash or a leader change: what was being sent is queued again."""
    result = await session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.status == MessageStatus.SENDING)
        .values(status=MessageStatus.QUEUED)
    )
    return affected(result)


async def mark_sent(
    session: AsyncSession,
    message: Claimed,
    message_ids: list[str],
    now: datetime,
    *,
    first_reminder_at: datetime | None = None,
) -> None:
    """Record the send; an agency reached for the first time by its letter starts its
    reminder schedule (other messages to it change nothing of its delivery)."""
    await session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.id == message.id)
        .values(
            status=MessageStatus.SENT,
            telegram_message_ids=message_ids,
            parts_sent=len(message_ids),
            sent_at=now,
            error=None,
        )
    )
    if message.delivery_id is not None and message.kind == MessageKind.DIRECTIVE:
        # A copy that was on its way when its letter was recalled arrived, and is edited;
        # nothing chases it.
        recalled = exists().where(
            Directive.id == Delivery.directive_id, Directive.status == DirectiveStatus.RECALLED
        )
        await session.execute(
            update(Delivery)
            .where(
                Delivery.id == message.delivery_id,
                Delivery.status.in_([DeliveryStatus.PENDING, DeliveryStatus.FAILED]),
            )
            .values(
                status=DeliveryStatus.SENT,
                sent_at=now,
                failure_reason=None,
                reminder_phase=case((recalled, None), else_=ReminderPhase.ACK.value),
                scheduled_reminders=0,
                next_reminder_at=case(
                    (recalled, None),
                    else_=literal(first_reminder_at, Delivery.next_reminder_at.type),
                ),
            )
            .execution_options(synchronize_session=False)
        )
        # An officer quicker than this commit (the press raced the send's bookkeeping): the
        # agency was reached all the same, and its schedule must still move on from
        # acknowledged (to the report or relay reminders) at the reminder clock's next look.
        await session.execute(
            update(Delivery)
            .where(
                Delivery.id == message.delivery_id,
                Delivery.sent_at.is_(None),
                Delivery.status.in_([DeliveryStatus.ACKNOWLEDGED, DeliveryStatus.COMPLETED]),
            )
            .values(sent_at=now, reminder_phase=ReminderPhase.ACK, next_reminder_at=None)
        )


async def mark_cancelled(session: AsyncSession, message: Claimed, reason: str) -> None:
    await session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.id == message.id)
        .values(status=MessageStatus.CANCELLED, error=reason)
    )


async def mark_retry(
    session: AsyncSession,
    message: Claimed,
    *,
    error: str,
    at: datetime,
    message_ids: list[str],
    count_attempt: bool = True,
) -> None:
    await session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.id == message.id)
        .values(
            status=MessageStatus.QUEUED,
            attempts=message.attempts + (1 if count_attempt else 0),
            next_attempt_at=at,
            error=error,
            parts_sent=len(message_ids),
            telegram_message_ids=message_ids,
        )
    )


async def mark_failed(
    session: AsyncSession, message: Claimed, *, error: str, message_ids: list[str]
) -> None:
    """The message is given up; its agency fails if it has no other way to be reached."""
    await session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.id == message.id)
        .values(
            status=MessageStatus.FAILED,
            attempts=message.attempts + 1,
            error=error,
            parts_sent=len(message_ids),
            telegram_message_ids=message_ids,
        )
    )
    if message.delivery_id is None:
        return
    still_reachable = exists().where(
        OutboundMessage.delivery_id == message.delivery_id,
        OutboundMessage.status.in_(
            [MessageStatus.QUEUED, MessageStatus.SENDING, MessageStatus.SENT]
        ),
    )
    await session.execute(
        update(Delivery)
        .where(
            Delivery.id == message.delivery_id,
            Delivery.status == DeliveryStatus.PENDING,
            ~still_reachable,
        )
        .values(status=DeliveryStatus.FAILED, failure_reason=error)
    )


async def directive_progress(session: AsyncSession, directive_id: int) -> Progress:
    """Messages of a directive by outcome: what the staff progress message shows."""
    status = OutboundMessage.status
    row = (
        await session.execute(
            select(
                func.count(OutboundMessage.id),
                func.sum(case((status == MessageStatus.SENT, 1), else_=0)),
                func.sum(case((status == MessageStatus.FAILED, 1), else_=0)),
            )
            .join(Delivery, Delivery.id == OutboundMessage.delivery_id)
            .where(
                Delivery.directive_id == directive_id,
                OutboundMessage.kind == MessageKind.DIRECTIVE,
            )
        )
    ).one()
    total, sent, failed = int(row[0] or 0), int(row[1] or 0), int(row[2] or 0)
    return Progress(directive_id, total, sent, failed, total - sent - failed)


async def failed_deliveries(
    session: AsyncSession, directive_id: int
) -> list[tuple[str, str, str | None]]:
    rows = await session.execute(
        select(Agency.code, Agency.name, Delivery.failure_reason)
        .join(Agency, Agency.id == Delivery.agency_id)
        .where(Delivery.directive_id == directive_id, Delivery.status == DeliveryStatus.FAILED)
        .order_by(Agency.code)
    )
    return [(code, name, reason) for code, name, reason in rows.all()]


async def finish_sent_directives(session: AsyncSession) -> list[int]:
    """Directives being sent whose every message has an outcome become `sent`: their ids."""
    waiting = exists().where(
        OutboundMessage.delivery_id == Delivery.id,
        Delivery.directive_id == Directive.id,
        OutboundMessage.kind == MessageKind.DIRECTIVE,
        OutboundMessage.status.in_([MessageStatus.QUEUED, MessageStatus.SENDING]),
    )
    result = await session.execute(
        update(Directive)
        .where(Directive.status.in_([DirectiveStatus.QUEUED, DirectiveStatus.SENDING]), ~waiting)
        .values(status=DirectiveStatus.SENT)
        .returning(Directive.id)
        .execution_options(synchronize_session=False)
    )
    return list(result.scalars().all())


async def sending_directives(session: AsyncSession) -> list[int]:
    """Directives queued and not yet fully sent: the ones whose progress is shown."""
    rows = await session.scalars(
        select(Directive.id).where(
            Directive.status.in_([DirectiveStatus.QUEUED, DirectiveStatus.SENDING])
        )
    )
    return list(rows.all())


@dataclass(frozen=True)
class Source:
    """Where the copy of a letter an edit or a correction acts on stands."""

    status: MessageStatus
    telegram_message_ids: list[str]


async def source_of(session: AsyncSession, message_id: int) -> Source | None:
    row = (
        await session.execute(
            select(OutboundMessage.status, OutboundMessage.telegram_message_ids).where(
                OutboundMessage.id == message_id
            )
        )
    ).one_or_none()
    return None if row is None else Source(row[0], list(row[1]))
