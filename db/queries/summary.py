"""What staff read about a directive: counts, who has not answered, per-agency rows, the log.

Counts are one GROUP-less aggregate over the directive's deliveries, so /status costs the
same few milliseconds for 12 agencies or 10,000; only the exports read every row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Float, Select, and_, case, false, func, or_, select, true
from sqlalchemy import cast as sql_cast
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    Agency,
    Contact,
    ContactStatus,
    Delivery,
    DeliveryStatus,
    Directive,
    DirectiveStatus,
    Event,
    Evidence,
    Staff,
    Urgency,
    Verification,
)
from db.queries.items import for_information

NOT_ACKNOWLEDGED = (DeliveryStatus.PENDING, DeliveryStatus.SENT, DeliveryStatus.FAILED)
HIDDEN = (DirectiveStatus.DRAFT, DirectiveStatus.CANCELLED)
# Agencies that cannot be overdue: they reported, or sent the letter back.
ANSWERED_FOR_GOOD = (DeliveryStatus.COMPLETED, DeliveryStatus.REJECTED)


@dataclass(frozen=True)
class DirectiveHead:
    id: int
    number: str
    subject: str
    status: DirectiveStatus
    issue_date: date
    deadline: date | None
    created_at: datetime
    recalled_at: datetime | None = None
    recall_reason: str | None = None
    corrections: int = 0  # corrections (đính chính) sent


@dataclass(frozen=True)
class LetterText:
    """What the letter asked: the official report quotes it."""

    body: str
    actions: list[str]
    links: list[str]
    urgency: Urgency


async def letter_text(session: AsyncSession, directive_id: int) -> LetterText | None:
    row = (
        await session.execute(
            select(Directive.body, Directive.actions, Directive.links, Directive.urgency).where(
                Directive.id == directive_id
            )
        )
    ).one_or_none()
    return LetterText(row[0], list(row[1] or []), list(row[2] or []), row[3]) if row else None


@dataclass(frozen=True)
class GroupCount:
    """One group of agencies (its slug) in a directive's counts."""

    group: str
    total: int
    acknowledged: int
    completed: int


@dataclass(frozen=True)
class StatusCounts:
    """Per-agency counts; `acknowledged` includes completed agencies, not those that sent
    the letter back (`rejected`, counted apart)."""

    total: int = 0
    pending: int = 0
    sent: int = 0
    acknowledged: int = 0
    completed: int = 0
    verified: int = 0
    unverified: int = 0
    failed: int = 0
    overdue: int = 0
    first_sent_at: datetime | None = None
    median_ack_seconds: float | None = None
    by_group: tuple[GroupCount, ...] = ()
    """Largest group first."""
    rejected: int = 0


def _seconds(session: AsyncSession, later: Any, earlier: Any) -> ColumnElement[float]:
    """`later - earlier` in seconds, in the database's own dialect."""
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        return sql_cast(func.extract("epoch", later - earlier), Float)
    return (func.julianday(later) - func.julianday(earlier)) * 86400.0


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


async def directive_head(session: AsyncSession, directive_id: int) -> DirectiveHead | None:
    """The directive as staff see it; drafts and cancelled ones do not exist for reports."""
    row = (
        await session.execute(
            select(
                Directive.id,
                Directive.number,
                Directive.subject,
                Directive.status,
                Directive.issue_date,
                Directive.deadline,
                Directive.created_at,
                Directive.recalled_at,
                Directive.recall_reason,
                Directive.corrections,
            ).where(Directive.id == directive_id, Directive.status.not_in(HIDDEN))
        )
    ).one_or_none()
    return DirectiveHead(*tuple(row)) if row is not None else None


async def status_counts(
    session: AsyncSession, directive_id: int, *, today: date, deadline: date | None
) -> StatusCounts:
    """Counts in one aggregate. An agency is overdue when its deadline — its own (an
    extension), else the letter's `deadline` — is before `today` (the department's date) and
    it has neither completed nor sent the letter back (nor was it sent the letter only for
    information)."""
    d = Delivery
    completed = d.status == DeliveryStatus.COMPLETED
    rejected = d.status == DeliveryStatus.REJECTED
    letter_passed = true() if deadline is not None and deadline < today else false()
    passed = or_(
        and_(d.deadline.is_not(None), d.deadline < today),
        and_(d.deadline.is_(None), letter_passed),
    )
    row = (
        await session.execute(
            select(
                func.count(d.id),
                _count(d.status == DeliveryStatus.PENDING),
                _count(d.sent_at.is_not(None)),
                _count(and_(d.acknowledged_at.is_not(None), ~rejected)),
                _count(completed),
                _count(and_(completed, d.evidence_verified == Verification.VERIFIED)),
                _count(and_(completed, d.evidence_verified == Verification.UNVERIFIED)),
                _count(d.status == DeliveryStatus.FAILED),
                func.min(d.sent_at),
                _count(rejected),
                _count(and_(passed, d.status.not_in(ANSWERED_FOR_GOOD), ~for_information())),
            ).where(d.directive_id == directive_id)
        )
    ).one()
    (
        total,
        pending,
        sent,
        acked,
        done,
        verified,
        unverified,
        failed,
        first_sent,
        rejected_count,
        overdue,
    ) = row
    return StatusCounts(
        total=total,
        pending=pending,
        sent=sent,
        acknowledged=acked,
        completed=done,
        verified=verified,
        unverified=unverified,
        failed=failed,
        overdue=overdue,
        first_sent_at=first_sent,
        median_ack_seconds=await median_ack_seconds(session, directive_id),
        by_group=await group_counts(session, directive_id),
        rejected=rejected_count,
    )


async def group_counts(session: AsyncSession, directive_id: int) -> tuple[GroupCount, ...]:
    """Agencies, acknowledged and completed per group: one GROUP BY over the deliveries."""
    d = Delivery
    rows = await session.execute(
        select(
            Agency.group,
            func.count(d.id),
            _count(d.acknowledged_at.is_not(None)),
            _count(d.status == DeliveryStatus.COMPLETED),
        )
        .join(Agency, Agency.id == d.agency_id)
        .where(d.directive_id == directive_id)
        .group_by(Agency.group)
        .order_by(func.count(d.id).desc(), Agency.group)
    )
    return tuple(GroupCount(*row) for row in rows.all())


async def median_ack_seconds(session: AsyncSession, directive_id: int) -> float | None:
    """The median of (acknowledged − sent), computed in the database: two small queries
    instead of shipping every agency's times to Python."""
    acked = and_(
        Delivery.directive_id == directive_id,
        Delivery.acknowledged_at.is_not(None),
        Delivery.sent_at.is_not(None),
    )
    n = await session.scalar(select(func.count(Delivery.id)).where(acked)) or 0
    if n == 0:
        return None
    delay = _seconds(session, Delivery.acknowledged_at, Delivery.sent_at)
    middle = (
        await session.scalars(
            select(delay).where(acked).order_by(delay).offset((n - 1) // 2).limit(2 - n % 2)
        )
    ).all()
    return max(0.0, sum(float(v) for v in middle) / len(middle))


@dataclass(frozen=True)
class RecentDirective:
    id: int
    number: str
    subject: str
    total: int
    acknowledged: int


async def recent_directives(
    session: AsyncSession, limit: int = 8, *, relayed_by: int | None = None
) -> list[RecentDirective]:
    """The newest directives that were sent or queued, with their acknowledgement counts;
    with `relayed_by`, only the letters that agency relayed (what its contacts may see)."""
    recent_query = select(
        Directive.id, Directive.number, Directive.subject, Directive.created_at
    ).where(Directive.status.not_in(HIDDEN))
    if relayed_by is not None:
        recent_query = recent_query.where(Directive.relayed_by_agency_id == relayed_by)
    recent = (
        recent_query.order_by(Directive.created_at.desc(), Directive.id.desc())
        .limit(limit)
        .subquery()
    )
    rows = await session.execute(
        select(
            recent.c.id,
            recent.c.number,
            recent.c.subject,
            func.count(Delivery.id),
            _count(Delivery.acknowledged_at.is_not(None)),
        )
        .outerjoin(Delivery, Delivery.directive_id == recent.c.id)
        .group_by(recent.c.id, recent.c.number, recent.c.subject, recent.c.created_at)
        .order_by(recent.c.created_at.desc(), recent.c.id.desc())
    )
    return [RecentDirective(*row) for row in rows.all()]


@dataclass(frozen=True)
class PendingContact:
    name: str
    username: str | None
    role: str


@dataclass(frozen=True)
class PendingAgency:
    agency_id: int
    code: str
    name: str
    status: DeliveryStatus
    failure_reason: str | None
    contacts: list[PendingContact] = field(default_factory=list)


async def pending_page(
    session: AsyncSession, directive_id: int, *, page: int, page_size: int
) -> tuple[int, int, list[PendingAgency]]:
    """Agencies that have not acknowledged (by code), one page, with their active contacts;
    returns (how many in all, the page shown — the last one if `page` is past it, the page)."""
    waiting = and_(Delivery.directive_id == directive_id, Delivery.status.in_(NOT_ACKNOWLEDGED))
    total = await session.scalar(select(func.count(Delivery.id)).where(waiting)) or 0
    page = max(0, min(page, (total - 1) // page_size))
    rows = (
        await session.execute(
            select(Agency.id, Agency.code, Agency.name, Delivery.status, Delivery.failure_reason)
            .join(Agency, Agency.id == Delivery.agency_id)
            .where(waiting)
            .order_by(Agency.code)
            .offset(page * page_size)
            .limit(page_size)
        )
    ).all()
    found = [PendingAgency(*row) for row in rows]
    if not found:
        return total, page, found
    contacts = await session.execute(
        select(Contact.agency_id, Contact.display_name, Contact.username, Contact.role)
        .where(
            Contact.agency_id.in_([a.agency_id for a in found]),
            Contact.status == ContactStatus.ACTIVE,
        )
        .order_by(Contact.joined_at, Contact.id)
    )
    by_agency: dict[int, list[PendingContact]] = defaultdict(list)
    for agency_id, name, username, role in contacts.all():
        by_agency[agency_id].append(PendingContact(name, username, role.value))
    return (
        total,
        page,
        [
            PendingAgency(
                a.agency_id, a.code, a.name, a.status, a.failure_reason, by_agency[a.agency_id]
            )
            for a in found
        ],
    )


@dataclass(frozen=True)
class AgencyRow:
    """One agency's answer to a directive, the raw material of every export."""

    agency_id: int
    code: str
    name: str
    group: str
    status: DeliveryStatus
    sent_at: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by_contact: str | None
    acknowledged_by_hand: bool
    acknowledged_by_staff: str | None
    completed_at: datetime | None
    evidence: list[str]
    evidence_verified: Verification | None
    reminders_sent: int
    failure_reason: str | None
    manual_reason: str | None
    own_deadline: date | None = None  # an extension: the agency's own deadline
    rejection_reason: str | None = None  # why it sent the letter back (not its business)


def agency_row_select() -> Select[Any]:
    """The columns of an AgencyRow (see `to_agency_row`), their joins, no filter: the one
    query every export of deliveries starts from."""
    acknowledger = Contact.__table__.alias("acknowledger")
    staff = Staff.__table__.alias("marker")
    d = Delivery
    return cast(
        Select[Any],
        select(
            d.id,
            Agency.id,
            Agency.code,
            Agency.name,
            Agency.group,
            d.status,
            d.sent_at,
            d.acknowledged_at,
            acknowledger.c.display_name,
            d.acknowledged_by_contact_id,
            staff.c.display_name,
            d.completed_at,
            d.evidence_verified,
            d.reminders_sent,
            d.failure_reason,
            d.manual_reason,
            d.deadline,
            d.rejection_reason,
        )
        .join(Agency, Agency.id == d.agency_id)
        .outerjoin(acknowledger, acknowledger.c.id == d.acknowledged_by_contact_id)
        .outerjoin(staff, staff.c.telegram_user_id == d.acknowledged_by_staff_id),
    )


def to_agency_row(r: Any, evidence: dict[int, list[str]]) -> AgencyRow:
    """An AgencyRow from the first columns of `agency_row_select`."""
    return AgencyRow(
        agency_id=r[1],
        code=r[2],
        name=r[3],
        group=r[4],
        status=r[5],
        sent_at=r[6],
        acknowledged_at=r[7],
        acknowledged_by_contact=r[8],
        # Set by hand when no contact acknowledged it (staff in Telegram, or the CLI).
        acknowledged_by_hand=r[7] is not None and r[9] is None,
        acknowledged_by_staff=r[10],
        completed_at=r[11],
        evidence=evidence.get(r[0], []),
        evidence_verified=r[12],
        reminders_sent=r[13] or 0,
        failure_reason=r[14],
        manual_reason=r[15],
        own_deadline=r[16],
        rejection_reason=r[17],
    )


async def agency_rows(session: AsyncSession, directive_id: int) -> list[AgencyRow]:
    """Every recipient agency, by code: two queries, whatever the number of agencies."""
    of_directive = Delivery.directive_id == directive_id
    rows = (
        await session.execute(agency_row_select().where(of_directive).order_by(Agency.code))
    ).all()
    evidence = await evidence_of(session, of_directive)
    return [to_agency_row(r, evidence) for r in rows]


async def evidence_of(session: AsyncSession, deliveries: Any) -> dict[int, list[str]]:
    """The evidence of the deliveries matching `deliveries` (a condition on Delivery), by
    delivery, in the order it came."""
    rows = await session.execute(
        select(Evidence.delivery_id, Evidence.value)
        .join(Delivery, Delivery.id == Evidence.delivery_id)
        .where(deliveries)
        .order_by(Evidence.id)
    )
    found: dict[int, list[str]] = defaultdict(list)
    for delivery_id, value in rows.all():
        found[delivery_id].append(value)
    return found


@dataclass(frozen=True)
class EventRow:
    id: int
    at: datetime
    kind: str
    actor_type: str
    actor_id: int | None
    directive_id: int | None
    agency_code: str | None
    detail: dict[str, Any]
    agency_name: str | None = None
    actor_name: str | None = None
    """The staff member's or the contact's name, when the actor is known by id."""


async def events(
    session: AsyncSession, *, directive_id: int | None = None, limit: int | None = None
) -> list[EventRow]:
    """The audit trail, oldest first: a directive's whole log, or the latest `limit` events."""
    query = select(
        Event.id,
        Event.at,
        Event.kind,
        Event.actor_type,
        Event.actor_id,
        Event.directive_id,
        Agency.code,
        Event.detail,
        Agency.name,
    ).outerjoin(Agency, Agency.id == Event.agency_id)
    if directive_id is not None:
        # ix_events_directive_at serves both the filter and the order.
        query = query.where(Event.directive_id == directive_id)
    query = query.order_by(Event.at.desc(), Event.id.desc())
    if limit is not None:
        query = query.limit(limit)
    rows = (await session.execute(query)).all()
    names = await _actor_names(session, rows)
    return [
        EventRow(
            id=row[0],
            at=row[1],
            kind=row[2],
            actor_type=row[3],
            actor_id=row[4],
            directive_id=row[5],
            agency_code=row[6],
            detail=row[7],
            agency_name=row[8],
            actor_name=names.get((row[3], row[4])) if row[4] is not None else None,
        )
        for row in reversed(rows)
    ]


NAME_BATCH = 500  # ids per IN (…) list


async def _actor_names(session: AsyncSession, rows: Sequence[Any]) -> dict[tuple[str, int], str]:
    """The staff members' and the contacts' names behind a log's actor ids: a few queries by
    the distinct ids, cheaper than joining every event of a 60,000-event log."""
    names: dict[tuple[str, int], str] = {}
    for actor_type, model in (("staff", Staff), ("user", Contact)):
        ids = sorted({r.actor_id for r in rows if r.actor_type == actor_type and r.actor_id})
        for start in range(0, len(ids), NAME_BATCH):
            found = await session.execute(
                select(model.telegram_user_id, model.display_name).where(
                    model.telegram_user_id.in_(ids[start : start + NAME_BATCH])
                )
            )
            for user_id, name in found.all():
                if name:
                    names[(actor_type, user_id)] = name
    return names


async def recipient(
    session: AsyncSession, directive_id: int, agency_id: int
) -> tuple[str, str] | None:
    """(code, name) of an agency that is a recipient of the directive, else None."""
    row = (
        await session.execute(
            select(Agency.code, Agency.name)
            .join(Delivery, Delivery.agency_id == Agency.id)
            .where(Delivery.directive_id == directive_id, Agency.id == agency_id)
        )
    ).one_or_none()
    return (row[0], row[1]) if row is not None else None
