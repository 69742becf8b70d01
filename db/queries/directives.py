"""Directives, their deliveries and the send queue: creating, targeting and queueing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    and_,
    exists,
    false,
    func,
    insert,
    literal,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from db.models import (
    Agency,
    Contact,
    ContactStatus,
    Delivery,
    DeliveryStatus,
    Directive,
    DirectiveFile,
    DirectiveStatus,
    MessageKind,
    MessageStatus,
    OutboundMessage,
    Urgency,
)
from db.queries.items import link_check_expression, mask_expression
from db.rows import affected

ALL = "all"
NO_CONTACT_REASON = "chưa có cán bộ đầu mối đăng ký"
BLOCKED_REASON = "cán bộ đầu mối đã chặn bot"


@dataclass(frozen=True)
class Audience:
    agencies: int
    contacts: int
    unreachable: int


@dataclass(frozen=True)
class QueueResult:
    agencies: int
    messages: int
    unreachable: int


async def add_directive(
    session: AsyncSession,
    *,
    number: str | None,
    subject: str,
    body: str,
    links: Sequence[str],
    actions: Sequence[str],
    targets: Sequence[str],
    urgency: Urgency,
    issue_date: date,
    deadline: date | None,
    created_by: int | None,
    status: DirectiveStatus,
    attachment: tuple[str, str, bytes] | None = None,
    attachment_file_id: str | None = None,
    attachment_name: str | None = None,
    reminder_overrides: tuple[int | None, int | None, int | None] = (None, None, None),
    items: Sequence[dict[str, Any]] = (),
    relay_allowed: bool = True,
    parent_directive_id: int | None = None,
    relayed_by_agency_id: int | None = None,
) -> Directive:
    """Insert a directive; without a number it gets "<id>/STTTT" once its id is known."""
    first_after, every, max_count = reminder_overrides
    directive = Directive(
        number=number or "",
        subject=subject,
        body=body,
        links=list(links),
        actions=list(actions),
        targets=list(targets),
        urgency=urgency,
        issue_date=issue_date,
        deadline=deadline,
        created_by=created_by,
        status=status,
        attachment_name=attachment[0] if attachment else attachment_name,
        attachment_mime_type=attachment[1] if attachment else None,
        attachment_file_id=attachment_file_id,
        reminder_first_after_s=first_after,
        reminder_every_s=every,
        reminder_max_count=max_count,
        items=list(items),
        relay_allowed=relay_allowed,
        parent_directive_id=parent_directive_id,
        relayed_by_agency_id=relayed_by_agency_id,
    )
    session.add(directive)
    await session.flush()
    if not number:
        directive.number = f"{directive.id}/STTTT"
    if attachment:
        session.add(DirectiveFile(directive_id=directive.id, data=attachment[2]))
    await session.flush()
    return directive


async def get_directive(session: AsyncSession, directive_id: int) -> Directive | None:
    return await session.get(Directive, directive_id)


async def get_directive_file(session: AsyncSession, directive_id: int) -> bytes | None:
    return await session.scalar(
        select(DirectiveFile.data).where(DirectiveFile.directive_id == directive_id)
    )


@dataclass(frozen=True)
class Scope:
    """Whom a letter may address, and what "all" means for it.

    The department's letter (`relay` None) may address any agency; "all" is the top of the
    tree when its relays pass it on (units further down are reached when their parent
    relays: "all" never skips a level), and every agency when relaying is off. A relayed
    letter (`relay` the relaying agency) addresses the relay's own units only: "all" and a
    group are units directly under it, codes are checked to be in its subtree before they
    are stored (db.queries.relay.codes_outside_subtree).
    """

    relay: int | None = None
    relay_allowed: bool = True

    @classmethod
    def of(cls, directive: Directive) -> Scope:
        return cls(directive.relayed_by_agency_id, directive.relay_allowed)


DEPARTMENT = Scope()


def top_level() -> ColumnElement[bool]:
    """Agencies with no active agency above them: the top of the tree."""
    parent = aliased(Agency)
    return ~exists().where(parent.id == Agency.parent_id, parent.active.is_(True))


def target_filter(targets: Sequence[str], scope: Scope = DEPARTMENT) -> Any:
    """The recipients of a letter to `targets` (within `scope`), as a condition on Agency."""
    wanted = [t for t in targets if t != ALL]
    if scope.relay is not None:
        under = Agency.parent_id == scope.relay
        chosen = [
            under if ALL in targets else false(),
            and_(under, Agency.group.in_(wanted)),
            Agency.code.in_(wanted),
        ]
        return and_(Agency.active.is_(True), or_(*chosen))
    everyone = true() if not scope.relay_allowed else top_level()
    return and_(
        Agency.active.is_(True),
        or_(
            everyone if ALL in targets else false(),
            Agency.group.in_(wanted),
            Agency.code.in_(wanted),
        ),
    )


async def unknown_targets(session: AsyncSession, targets: Sequence[str]) -> list[str]:
    """Targets that are neither "all", a group in use nor an agency code."""
    wanted = [t for t in targets if t != ALL]
    if not wanted:
        return []
    known = set((await session.scalars(select(Agency.group).where(Agency.group.in_(wanted)))).all())
    known |= set((await session.scalars(select(Agency.code).where(Agency.code.in_(wanted)))).all())
    return [t for t in wanted if t not in known]


async def groups_with_counts(
    session: AsyncSession, scope: Scope = DEPARTMENT
) -> list[tuple[str, int]]:
    """The groups a letter in `scope` can address, with their active agencies: every group
    for the department, the groups of the units directly under a relay for a relayed letter."""
    query = select(Agency.group, func.count(Agency.id)).where(Agency.active.is_(True))
    if scope.relay is not None:
        query = query.where(Agency.parent_id == scope.relay)
    rows = await session.execute(query.group_by(Agency.group).order_by(Agency.group))
    return [(group, count) for group, count in rows.all()]


async def audience(
    session: AsyncSession, targets: Sequence[str], scope: Scope = DEPARTMENT
) -> Audience:
    """How many agencies and active contacts a broadcast to `targets` reaches."""
    chosen = target_filter(targets, scope)
    agencies = await session.scalar(select(func.count(Agency.id)).where(chosen))
    contacts = await session.scalar(
        select(func.count(Contact.id))
        .join(Agency, Contact.agency_id == Agency.id)
        .where(chosen, Contact.status == ContactStatus.ACTIVE)
    )
    unreachable = await session.scalar(
        select(func.count(Agency.id)).where(
            chosen,
            ~exists().where(Contact.agency_id == Agency.id, Contact.status == ContactStatus.ACTIVE),
        )
    )
    return Audience(agencies or 0, contacts or 0, unreachable or 0)


async def queue_directive(
    session: AsyncSession, directive: Directive, now: datetime
) -> QueueResult:
    """One delivery per targeted agency and one queued message per active contact.

    Three set-based statements, however many agencies: queueing 10,000 is one round trip
    each, and the caller's transaction makes it all-or-nothing. Each delivery gets the items
    addressed to its agency (and whether its evidence is checked against the links) in the
    same statement. The draft is taken first (NotADraftError when it is no longer one).
    """
    if not await leave_draft(session, directive.id, DirectiveStatus.QUEUED):
        raise NotADraftError(directive.id)
    await session.execute(
        insert(Delivery).from_select(
            [
                "directive_id",
                "agency_id",
                "status",
                "reminders_sent",
                "scheduled_reminders",
                "created_at",
                "items_mask",
                "check_links",
            ],
            select(
                literal(directive.id),
                Agency.id,
                literal(DeliveryStatus.PENDING.value),
                literal(0),
                literal(0),
                literal(now, Delivery.created_at.type),
                mask_expression(directive.items),
                link_check_expression(directive.items),
            ).where(target_filter(directive.targets, Scope.of(directive))),
        )
    )
    messages = await queue_messages(session, directive.id, now)
    unreachable = 0
    for reason, condition in (
        (BLOCKED_REASON, Contact.status == ContactStatus.BLOCKED),
        (NO_CONTACT_REASON, Contact.status == ContactStatus.ACTIVE),
    ):
        active = exists().where(
            Contact.agency_id == Delivery.agency_id, Contact.status == ContactStatus.ACTIVE
        )
        has_such = exists().where(Contact.agency_id == Delivery.agency_id, condition)
        # Agencies nobody can receive for: first those whose contacts blocked the bot,
        # then those who never had one.
        result = await session.execute(
            update(Delivery)
            .where(
                Delivery.directive_id == directive.id,
                Delivery.status == DeliveryStatus.PENDING,
                ~active,
                has_such if reason == BLOCKED_REASON else true(),
            )
            .values(status=DeliveryStatus.FAILED, failure_reason=reason)
        )
        unreachable += affected(result)
    agencies = await session.scalar(
        select(func.count(Delivery.id)).where(Delivery.directive_id == directive.id)
    )
    directive.status = DirectiveStatus.QUEUED
    return QueueResult(agencies or 0, messages, unreachable)


async def queue_messages(
    session: AsyncSession,
    directive_id: int,
    now: datetime,
    *,
    contact_id: int | None = None,
    kind: MessageKind = MessageKind.DIRECTIVE,
) -> int:
    """Queue the directive for the active contacts of its deliveries (or for one contact)."""
    source = (
        select(
            literal(kind.value),
            Delivery.id,
            Contact.id,
            Contact.chat_id,
            literal({}, JSON()),
            literal(MessageStatus.QUEUED.value),
            literal(0),
            literal(0),
            literal(now, OutboundMessage.next_attempt_at.type),
            literal([], JSON()),
            literal(now, OutboundMessage.created_at.type),
        )
        .join(Contact, Contact.agency_id == Delivery.agency_id)
        .where(Delivery.directive_id == directive_id, Contact.status == ContactStatus.ACTIVE)
    )
    if contact_id is not None:
        already = exists().where(
            OutboundMessage.delivery_id == Delivery.id,
            OutboundMessage.contact_id == Contact.id,
            OutboundMessage.kind == MessageKind.DIRECTIVE,
            OutboundMessage.status != MessageStatus.FAILED,
        )
        source = source.where(Contact.id == contact_id, ~already)
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
            ],
            source,
        )
    )
    return affected(result)


async def open_directives_of_agency(session: AsyncSession, agency_id: int) -> list[int]:
    """Directives still open for an agency: a (re)joining contact should receive them."""
    rows = await session.scalars(
        select(Delivery.directive_id)
        .join(Directive, Directive.id == Delivery.directive_id)
        .where(
            Delivery.agency_id == agency_id,
            Delivery.status.in_(
                [DeliveryStatus.PENDING, DeliveryStatus.SENT, DeliveryStatus.FAILED]
            ),
            Directive.status.in_(
                [DirectiveStatus.QUEUED, DirectiveStatus.SENDING, DirectiveStatus.SENT]
            ),
        )
    )
    return list(rows.all())


OPEN_STATUSES = (DirectiveStatus.QUEUED, DirectiveStatus.SENDING, DirectiveStatus.SENT)


class NotADraftError(Exception):
    """The letter was sent or cancelled meanwhile (by another press, another instance)."""

    def __init__(self, directive_id: int) -> None:
        super().__init__(f"directive {directive_id} is no longer a draft")


async def leave_draft(session: AsyncSession, directive_id: int, status: DirectiveStatus) -> bool:
    """Move a draft on (Gửi: queued, Hủy: cancelled) in one conditional UPDATE: of two
    presses together only one finds it still a draft, so a letter whose messages are queued
    is never also cancelled. False: it was no longer a draft."""
    result = await session.execute(
        update(Directive)
        .where(Directive.id == directive_id, Directive.status == DirectiveStatus.DRAFT)
        .values(status=status)
    )
    return bool(affected(result))


async def cancel_queued_reminders(session: AsyncSession, directive_id: int, why: str) -> int:
    """Reminders of the letter still waiting in the send queue never go (closed, paused)."""
    of_letter = select(Delivery.id).where(Delivery.directive_id == directive_id)
    result = await session.execute(
        update(OutboundMessage)
        .where(
            OutboundMessage.delivery_id.in_(of_letter.scalar_subquery()),
            OutboundMessage.kind == MessageKind.REMINDER,
            OutboundMessage.status == MessageStatus.QUEUED,
        )
        .values(status=MessageStatus.CANCELLED, error=why)
        .execution_options(synchronize_session=False)
    )
    return affected(result)


async def close_directive(session: AsyncSession, directive_id: int, now: datetime) -> bool:
    """Close an open directive: no more reminders or answers; False if it was not open.
    Reminders already queued are cancelled too."""
    result = await session.execute(
        update(Directive)
        .where(
            Directive.id == directive_id,
            Directive.status.in_(OPEN_STATUSES),
        )
        .values(status=DirectiveStatus.CLOSED, closed_at=now)
    )
    if not affected(result):
        return False
    await session.execute(
        update(Delivery)
        .where(Delivery.directive_id == directive_id)
        .values(next_reminder_at=None, reminder_phase=None, relay_remind_at=None)
    )
    await cancel_queued_reminders(session, directive_id, "the letter was closed")
    return True


async def set_progress_message(
    session: AsyncSession, directive_id: int, chat_id: int, message_id: int
) -> None:
    await session.execute(
        update(Directive)
        .where(Directive.id == directive_id)
        .values(progress_chat_id=chat_id, progress_message_id=message_id)
    )
