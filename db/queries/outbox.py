"""The send queue as the dispatcher sees it: claim under a lease, renew it, record the
outcome (fenced by the claim), take back what a dead instance left."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, case, exists, func, literal, or_, select, update
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


def _owned(message: Claimed, owner: str) -> list[ColumnElement[bool]]:
    """The fence of every outcome: the row is still `sending` under this instance's claim.

    A late write from an instance whose lease lapsed (and whose row another instance took
    back, and perhaps sent) then changes nothing.
    """
    return [
        OutboundMessage.id == message.id,
        OutboundMessage.claimed_by == owner,
        OutboundMessage.status == MessageStatus.SENDING,
    ]


async def claim_due(
    session: AsyncSession, now: datetime, limit: int, *, owner: str, lease: timedelta
) -> list[Claimed]:
    """Mark up to `limit` due messages `sending` under `owner`'s lease and return them.

    The caller commits before sending: a crash then leaves the rows `sending` with a lease
    that runs out, and recovery re-queues them (the one window where a message may go
    twice). On PostgreSQL, SKIP LOCKED keeps two senders off the same row; the UPDATE
    checks `queued` again, so a row that changed meanwhile is not taken.
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
    taken = await session.scalars(
        update(OutboundMessage)
        .where(OutboundMessage.id.in_(ids), OutboundMessage.status == MessageStatus.QUEUED)
        .values(status=MessageStatus.SENDING, claimed_by=owner, lease_until=now + lease)
        .returning(OutboundMessage.id)
        .execution_options(synchronize_session=False)
    )
    ids = list(taken.all())
    if not ids:
        return []
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
        .execution_options(populate_existing=True)
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


async def renew_leases(
    session: AsyncSession, owner: str, ids: Collection[int], until: datetime
) -> set[int]:
    """Extend `owner`'s leases on these rows; the ids it still holds (the others were taken
    back by another instance after the lease ran out, and are no longer its to send)."""
    if not ids:
        return set()
    renewed = await session.scalars(
        update(OutboundMessage)
        .where(
            OutboundMessage.id.in_(list(ids)),
            OutboundMessage.claimed_by == owner,
            OutboundMessage.status == MessageStatus.SENDING,
        )
        .values(lease_until=until)
        .returning(OutboundMessage.id)
        .execution_options(synchronize_session=False)
    )
    return set(renewed.all())


async def recover_expired(
    session: AsyncSession,
    now: datetime,
    *,
    owner: str,
    held: Collection[int],
    exclusive: bool = False,
) -> int:
    """Queue again what an instance left `sending` and no longer holds: rows whose lease ran
    out (the instance died or lost the database), never rows a live instance is sending.

    `held` are the rows this instance (`owner`) is working on: never taken back, whatever
    their lease says (it may have run out while the database was away). `exclusive`: no
    other instance can exist (SQLite, under its file lock), so every other claim is dead.
    """
    condition: list[ColumnElement[bool]] = [OutboundMessage.status == MessageStatus.SENDING]
    if not exclusive:
        condition.append(
            or_(OutboundMessage.lease_until.is_(None), OutboundMessage.lease_until < now)
        )
    if held:
        condition.append(
            or_(
                OutboundMessage.claimed_by.is_(None),
                OutboundMessage.claimed_by != owner,
                OutboundMessage.id.not_in(list(held)),
            )
        )
    # Looked for first: usually there is nothing to take back, and a read does not queue
    # behind SQLite's one writer (the workers recording their sends).
    found = list((await session.scalars(select(OutboundMessage.id).where(*condition))).all())
    if not found:
        return 0
    result = await session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.id.in_(found), *condition)
        .values(status=MessageStatus.QUEUED, claimed_by=None, lease_until=None)
        .execution_options(synchronize_session=False)
    )
    return affected(result)


async def release_claims(session: AsyncSession, owner: str, ids: Collection[int]) -> int:
    """Give back claimed rows that were never started (a graceful stop): queued again now."""
    if not ids:
        return 0
    result = await session.execute(
        update(OutboundMessage)
        .where(
            OutboundMessage.id.in_(list(ids)),
            OutboundMessage.claimed_by == owner,
            OutboundMessage.status == MessageStatus.SENDING,
        )
        .values(status=MessageStatus.QUEUED, claimed_by=None, lease_until=None)
        .execution_options(synchronize_session=False)
    )
    return affected(result)


async def mark_sent(
    session: AsyncSession,
    message: Claimed,
    message_ids: list[str],
    now: datetime,
    *,
    owner: str,
    first_reminder_at: datetime | None = None,
) -> bool:
    """Record the send; an agency reached for the first time by its letter starts its
    reminder schedule (other messages to it change nothing of its delivery).

    False (nothing written) when `owner` no longer holds the claim.
    """
    starts_schedule = message.delivery_id is not None and message.kind == MessageKind.DIRECTIVE
    if starts_schedule:
        await _wait_for_a_recall_under_way(session, message)
    result = await session.execute(
        update(OutboundMessage)
        .where(*_owned(message, owner))
        .values(
            status=MessageStatus.SENT,
            telegram_message_ids=message_ids,
            parts_sent=len(message_ids),
            sent_at=now,
            error=None,
            claimed_by=None,
            lease_until=None,
        )
        .execution_options(synchronize_session=False)
    )
    if not affected(result):
        return False
    if starts_schedule:
        # A copy that was on its way when its letter was recalled arrived, and is edited;
        # nothing chases it. The letter's status is read by the statement that writes.
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
    return True


async def _wait_for_a_recall_under_way(session: AsyncSession, message: Claimed) -> None:
    """On PostgreSQL, take a share lock on the copy's letter before anything of the send is
    written: a recall under way (it changes the letter first) is waited for, and the
    statements after this one see it. Without it, the schedule's UPDATE, whose snapshot
    predates the recall's commit, re-checked only the delivery row and scheduled the round
    the recall had just cleared. A recall after this waits for the send, and stops what it
    started; both take the letter first, so neither deadlocks. SQLite has one writer at a
    time: the writing statement itself sees the recall, and no lock is needed."""
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return
    await session.execute(
        select(Directive.id).where(Directive.id == message.directive_id).with_for_update(read=True)
    )


async def mark_cancelled(
    session: AsyncSession, message: Claimed, reason: str, *, owner: str
) -> bool:
    result = await session.execute(
        update(OutboundMessage)
        .where(*_owned(message, owner))
        .values(status=MessageStatus.CANCELLED, error=reason, claimed_by=None, lease_until=None)
        .execution_options(synchronize_session=False)
    )
    return bool(affected(result))


async def mark_retry(
    session: AsyncSession,
    message: Claimed,
    *,
    owner: str,
    error: str,
    at: datetime,
    message_ids: list[str],
    count_attempt: bool = True,
) -> bool:
    """Queue the message again for `at`; False (nothing written) without the claim: a late
    retry of an instance whose lease lapsed cannot undo a newer outcome."""
    result = await session.execute(
        update(OutboundMessage)
        .where(*_owned(message, owner))
        .values(
            status=MessageStatus.QUEUED,
            attempts=message.attempts + (1 if count_attempt else 0),
            next_attempt_at=at,
            error=error,
            parts_sent=len(message_ids),
            telegram_message_ids=message_ids,
            claimed_by=None,
            lease_until=None,
        )
        .execution_options(synchronize_session=False)
    )
    return bool(affected(result))


async def mark_failed(
    session: AsyncSession, message: Claimed, *, owner: str, error: str, message_ids: list[str]
) -> bool:
    """The message is given up; its agency fails if it has no other way to be reached.

    False (nothing written) when `owner` no longer holds the claim.
    """
    result = await session.execute(
        update(OutboundMessage)
        .where(*_owned(message, owner))
        .values(
            status=MessageStatus.FAILED,
            attempts=message.attempts + 1,
            error=error,
            parts_sent=len(message_ids),
            telegram_message_ids=message_ids,
            claimed_by=None,
            lease_until=None,
        )
        .execution_options(synchronize_session=False)
    )
    if not affected(result):
        return False
    if message.delivery_id is None:
        return True
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
    return True


@dataclass(frozen=True)
class QueueState:
    """The send queue at a glance, for the metrics: what waits, and for how long."""

    queued: int
    sending: int
    oldest_due: datetime | None


async def queue_state(session: AsyncSession, now: datetime) -> QueueState:
    """Counts by status over the (status, next_attempt_at) index, and the oldest due row."""
    counts = dict(
        (
            await session.execute(
                select(OutboundMessage.status, func.count(OutboundMessage.id))
                .where(OutboundMessage.status.in_([MessageStatus.QUEUED, MessageStatus.SENDING]))
                .group_by(OutboundMessage.status)
            )
        ).all()
    )
    oldest = await session.scalar(
        select(func.min(OutboundMessage.next_attempt_at)).where(
            OutboundMessage.status == MessageStatus.QUEUED, OutboundMessage.next_attempt_at <= now
        )
    )
    return QueueState(
        int(counts.get(MessageStatus.QUEUED, 0)), int(counts.get(MessageStatus.SENDING, 0)), oldest
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
