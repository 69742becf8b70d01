"""The reminder schedule kept on the deliveries: what is due, who gets it.

Each delivery carries its own `next_reminder_at`, the rounds it has had in its current
phase (`scheduled_reminders`, what `max_count` limits) and in all (`reminders_sent`, which
manual /remind rounds also count). The tick only reads what is due, so a restart loses
nothing and a round missed while the bot was down is simply due once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, case, exists, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from db.models import (
    Agency,
    Contact,
    ContactRole,
    ContactStatus,
    Delivery,
    DeliveryStatus,
    Directive,
    DirectiveStatus,
    Event,
    MessageKind,
    MessageStatus,
    OutboundMessage,
    ReminderPhase,
)
from db.queries.items import for_information
from db.queries.relay import relay_pending
from db.rows import affected

OPEN_DIRECTIVE = (DirectiveStatus.QUEUED, DirectiveStatus.SENDING, DirectiveStatus.SENT)
# The delivery status each phase chases: not yet acknowledged, or acknowledged but not done.
CHASED_STATUS = {
    ReminderPhase.ACK: DeliveryStatus.SENT,
    ReminderPhase.COMPLETION: DeliveryStatus.ACKNOWLEDGED,
}


@dataclass(frozen=True)
class RoundTarget:
    """An agency to remind: its delivery and where it stands in its schedule."""

    delivery_id: int
    directive_id: int
    agency_id: int
    agency_name: str
    phase: str
    scheduled_reminders: int
    sent_at: datetime | None
    own_deadline: date | None = None  # an extension: the agency's deadline, not the letter's


@dataclass(frozen=True)
class Recipient:
    contact_id: int
    chat_id: int
    user_id: int
    role: ContactRole


@dataclass(frozen=True)
class PhaseChange:
    delivery_id: int
    directive_id: int
    status: DeliveryStatus
    acknowledged_at: datetime | None
    scheduled_reminders: int
    own_deadline: date | None = None
    items_mask: int = 0
    phase: str | None = None
    relay_pending: bool = False
    """A relay that acknowledged and has not passed the letter on."""


def _chased() -> Any:
    """A delivery its phase still chases: not acknowledged, or not reported."""
    return or_(
        *(
            and_(Delivery.reminder_phase == phase, Delivery.status == status)
            for phase, status in CHASED_STATUS.items()
        )
    )


def _targets_query() -> Any:
    return (
        select(
            Delivery.id,
            Delivery.directive_id,
            Delivery.agency_id,
            Agency.name,
            Delivery.reminder_phase,
            Delivery.scheduled_reminders,
            Delivery.sent_at,
            Delivery.deadline,
        )
        .join(Agency, Agency.id == Delivery.agency_id)
        .join(Directive, Directive.id == Delivery.directive_id)
        # A deactivated agency is reminded no more (bot.onboarding.revocation).
        .where(Directive.status.in_(OPEN_DIRECTIVE), Agency.active.is_(True))
    )


def _targets(rows: Iterable[Any]) -> list[RoundTarget]:
    return [RoundTarget(*row) for row in rows]


async def due_rounds(session: AsyncSession, now: datetime, limit: int) -> list[RoundTarget]:
    """Agencies whose next round is due, still unanswered, on a letter not paused or closed."""
    query = (
        _targets_query()
        .where(Delivery.next_reminder_at <= now, _chased(), Directive.reminders_paused.is_(False))
        .order_by(Delivery.next_reminder_at, Delivery.id)
        .limit(limit)
    )
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        # Two instances during a change of leader: each round is taken by one of them.
        query = query.with_for_update(of=Delivery, skip_locked=True)
    return _targets((await session.execute(query)).all())


async def unacknowledged(session: AsyncSession, directive_id: int) -> list[RoundTarget]:
    """Every agency of the letter that received it and has not acknowledged (/remind)."""
    query = _targets_query().where(
        Delivery.directive_id == directive_id, Delivery.status == DeliveryStatus.SENT
    )
    return _targets((await session.execute(query.order_by(Agency.code))).all())


async def due_relay_reminders(
    session: AsyncSession, now: datetime, limit: int
) -> list[RoundTarget]:
    """Relays whose reminder to relay is due and that still have not relayed, on a letter
    not paused or closed."""
    query = (
        _targets_query()
        .where(
            Delivery.relay_remind_at <= now,
            relay_pending(),
            Directive.reminders_paused.is_(False),
        )
        .order_by(Delivery.relay_remind_at, Delivery.id)
        .limit(limit)
    )
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        query = query.with_for_update(of=Delivery, skip_locked=True)
    return [
        RoundTarget(r[0], r[1], r[2], r[3], ReminderPhase.RELAY, r[5], r[6])
        for r in (await session.execute(query)).all()
    ]


async def set_relay_reminders(
    session: AsyncSession, due: Sequence[tuple[int, datetime | None]], *, sent: bool = False
) -> None:
    """Schedule (or, None, clear) the reminder to relay of these deliveries; `sent`: the
    reminder went out now, and counts in the agency's reminders."""
    if not due:
        return
    table = cast(Table, Delivery.__table__)
    values: dict[str, Any] = {
        "relay_remind_at": bindparam("b_at", type_=Delivery.relay_remind_at.type)
    }
    if sent:
        values["reminders_sent"] = table.c.reminders_sent + 1
    await session.execute(
        update(table).where(table.c.id == bindparam("b_id")).values(**values),
        [{"b_id": delivery_id, "b_at": at} for delivery_id, at in due],
    )


async def phase_changes(session: AsyncSession, limit: int) -> list[PhaseChange]:
    """Deliveries answered since their schedule was set: acknowledged, reported or marked
    (and whether each is a relay still to relay)."""
    query = (
        select(
            Delivery.id,
            Delivery.directive_id,
            Delivery.status,
            Delivery.acknowledged_at,
            Delivery.scheduled_reminders,
            Delivery.deadline,
            Delivery.items_mask,
            Delivery.reminder_phase,
            case((relay_pending(), True), else_=False),
        )
        .where(
            or_(
                and_(
                    Delivery.reminder_phase == ReminderPhase.ACK,
                    Delivery.status.in_([DeliveryStatus.ACKNOWLEDGED, DeliveryStatus.COMPLETED]),
                ),
                and_(
                    Delivery.reminder_phase == ReminderPhase.COMPLETION,
                    Delivery.status == DeliveryStatus.COMPLETED,
                ),
            )
        )
        .limit(limit)
    )
    return [PhaseChange(*row) for row in (await session.execute(query)).all()]


@dataclass(frozen=True)
class ScheduleChange:
    """An agency's schedule after a round: one row of `apply_schedules`."""

    delivery_id: int
    phase: str | None
    next_at: datetime | None
    scheduled: int
    rounds_added: int


async def apply_schedules(session: AsyncSession, changes: Sequence[ScheduleChange]) -> None:
    """Move many agencies' schedules on in one executemany (a round may reach 10,000)."""
    if not changes:
        return
    table = cast(Table, Delivery.__table__)
    statement = (
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values(
            reminder_phase=bindparam("b_phase"),
            next_reminder_at=bindparam("b_next", type_=Delivery.next_reminder_at.type),
            scheduled_reminders=bindparam("b_scheduled"),
            reminders_sent=table.c.reminders_sent + bindparam("b_added"),
        )
    )
    await session.execute(
        statement,
        [
            {
                "b_id": change.delivery_id,
                "b_phase": change.phase,
                "b_next": change.next_at,
                "b_scheduled": change.scheduled,
                "b_added": change.rounds_added,
            }
            for change in changes
        ],
    )


async def count_manual_round(session: AsyncSession, delivery_ids: Sequence[int]) -> None:
    """A /remind round counts in `reminders_sent` but not against `max_count`."""
    if delivery_ids:
        await session.execute(
            update(Delivery)
            .where(Delivery.id.in_(delivery_ids))
            .values(reminders_sent=Delivery.reminders_sent + 1)
            .execution_options(synchronize_session=False)
        )


async def active_contacts(
    session: AsyncSession, agency_ids: Sequence[int]
) -> dict[int, list[Recipient]]:
    """The active contacts of these agencies, first joined first."""
    found: dict[int, list[Recipient]] = defaultdict(list)
    if not agency_ids:
        return found
    rows = await session.execute(
        select(
            Contact.agency_id,
            Contact.id,
            Contact.chat_id,
            Contact.telegram_user_id,
            Contact.role,
        )
        .where(Contact.agency_id.in_(agency_ids), Contact.status == ContactStatus.ACTIVE)
        .order_by(Contact.joined_at, Contact.id)
    )
    for agency_id, contact_id, chat_id, user_id, role in rows.all():
        found[agency_id].append(Recipient(contact_id, chat_id, user_id, role))
    return found


async def enqueue_messages(
    session: AsyncSession,
    messages: Sequence[tuple[int | None, int | None, int, dict[str, Any]]],
    now: datetime,
    kind: MessageKind = MessageKind.REMINDER,
) -> None:
    """Queue (delivery_id, contact_id, chat_id, payload) messages for the dispatcher."""
    if not messages:
        return
    await session.execute(
        insert(OutboundMessage),
        [
            {
                "kind": kind,
                "delivery_id": delivery_id,
                "contact_id": contact_id,
                "chat_id": chat_id,
                "payload": payload,
                "status": MessageStatus.QUEUED,
                "attempts": 0,
                "parts_sent": 0,
                "next_attempt_at": now,
                "telegram_message_ids": [],
                "created_at": now,
            }
            for delivery_id, contact_id, chat_id, payload in messages
        ],
    )


async def still_chased(
    session: AsyncSession, delivery_id: int, phase: str, *, scheduled: bool = False
) -> bool:
    """Whether a queued reminder is still wanted: the agency may have answered (or, a relay,
    relayed) meanwhile, or the letter been closed or recalled, or (a scheduled round) its
    reminders paused."""
    open_letter: ColumnElement[bool] = Directive.status.in_(OPEN_DIRECTIVE)
    if scheduled:
        open_letter = and_(open_letter, Directive.reminders_paused.is_(False))
    if phase == ReminderPhase.RELAY:
        relayable = await session.scalar(
            select(Delivery.id)
            .join(Directive, Directive.id == Delivery.directive_id)
            .where(Delivery.id == delivery_id, relay_pending(), open_letter)
        )
        return relayable is not None
    status = await session.scalar(
        select(Delivery.status)
        .join(Directive, Directive.id == Delivery.directive_id)
        .where(Delivery.id == delivery_id, open_letter)
    )
    return status is not None and status == CHASED_STATUS.get(ReminderPhase(phase))


async def directives(session: AsyncSession, ids: Iterable[int]) -> dict[int, Directive]:
    wanted = set(ids)
    if not wanted:
        return {}
    rows = await session.scalars(select(Directive).where(Directive.id.in_(wanted)))
    return {directive.id: directive for directive in rows.all()}


async def set_paused(session: AsyncSession, directive_id: int, paused: bool) -> bool:
    """Pause or resume a letter's reminders; False when there is no such open letter."""
    result = await session.execute(
        update(Directive)
        .where(Directive.id == directive_id, Directive.status.in_(OPEN_DIRECTIVE))
        .values(reminders_paused=paused)
    )
    return bool(affected(result))


async def event_exists(
    session: AsyncSession, kind: str, *, since: datetime | None = None, **match: int
) -> bool:
    """Whether an event of this kind (for this directive/agency, since then) was recorded."""
    condition = [Event.kind == kind]
    if since is not None:
        condition.append(Event.at >= since)
    for column, value in match.items():
        condition.append(getattr(Event, column) == value)
    return bool(await session.scalar(select(exists().where(*condition))))


# --- the staff digest ------------------------------------------------------------------------


@dataclass(frozen=True)
class DigestLine:
    directive_id: int
    number: str
    subject: str
    deadline: date | None
    agency_name: str
    status: DeliveryStatus
    group: str
    own_deadline: date | None = None  # an extension: the agency's own deadline
    informational: bool = False  # none of the letter's items is the agency's: no report owed

    @property
    def agency_deadline(self) -> date | None:
        return self.own_deadline or self.deadline


async def digest_lines(session: AsyncSession) -> list[DigestLine]:
    """Agencies of open letters that have not acknowledged, or not completed by a deadline,
    and those that sent the letter back (not their business)."""
    rows = await session.execute(
        select(
            Directive.id,
            Directive.number,
            Directive.subject,
            Directive.deadline,
            Agency.name,
            Delivery.status,
            Agency.group,
            Delivery.deadline,
            for_information(),
        )
        .join(Delivery, Delivery.directive_id == Directive.id)
        .join(Agency, Agency.id == Delivery.agency_id)
        .where(
            Directive.status.in_(OPEN_DIRECTIVE),
            Delivery.status.in_(
                [
                    DeliveryStatus.SENT,
                    DeliveryStatus.ACKNOWLEDGED,
                    DeliveryStatus.FAILED,
                    DeliveryStatus.REJECTED,
                ]
            ),
        )
        .order_by(Directive.id, Agency.code)
    )
    return [DigestLine(*row[:-1], informational=bool(row[-1])) for row in rows.all()]
