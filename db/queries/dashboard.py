"""What the staff dashboard reads and writes: sign-in links, sessions, the letters list, a
letter's agency table (one page, filtered and sorted in SQL), its live counts, the roster.

Every list is paged in the database: a letter to 10,000 agencies costs one page of rows,
one count and the page's contacts and evidence, never the whole table.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    Agency,
    Contact,
    ContactStatus,
    Delivery,
    DeliveryStatus,
    Directive,
    Evidence,
    Staff,
    Verification,
    WebSession,
    WebSignIn,
)
from db.queries.items import for_information
from db.queries.relay import subtree
from db.queries.summary import (
    ANSWERED_FOR_GOOD,
    HIDDEN,
    AgencyRow,
    agency_row_select,
    to_agency_row,
)
from db.rows import affected

# --- sign-in links and sessions -----------------------------------------------------------


async def add_sign_in(
    session: AsyncSession, token_hash: str, user_id: int, *, now: datetime, expires_at: datetime
) -> None:
    session.add(
        WebSignIn(
            token_hash=token_hash, telegram_user_id=user_id, created_at=now, expires_at=expires_at
        )
    )
    await session.flush()


async def redeem_sign_in(session: AsyncSession, token_hash: str, now: datetime) -> int | None:
    """The link's user, if the link is unused and unexpired: one conditional UPDATE takes it,
    so two browsers racing with the same link cannot both sign in."""
    taken = await session.execute(
        update(WebSignIn)
        .where(
            WebSignIn.token_hash == token_hash,
            WebSignIn.used_at.is_(None),
            WebSignIn.expires_at > now,
        )
        .values(used_at=now)
    )
    if affected(taken) != 1:
        return None
    user_id = await session.scalar(
        select(WebSignIn.telegram_user_id).where(WebSignIn.token_hash == token_hash)
    )
    return int(user_id) if user_id is not None else None


async def add_session(
    session: AsyncSession,
    id_hash: str,
    user_id: int,
    *,
    csrf_token: str,
    via: str,
    now: datetime,
    expires_at: datetime,
) -> None:
    # Expired sessions go as new ones come: the table holds only live ones.
    await session.execute(delete(WebSession).where(WebSession.expires_at <= now))
    session.add(
        WebSession(
            id_hash=id_hash,
            telegram_user_id=user_id,
            csrf_token=csrf_token,
            via=via,
            created_at=now,
            expires_at=expires_at,
        )
    )
    await session.flush()


@dataclass(frozen=True)
class LiveSession:
    user_id: int
    csrf_token: str
    via: str


async def find_session(session: AsyncSession, id_hash: str, now: datetime) -> LiveSession | None:
    row = (
        await session.execute(
            select(WebSession.telegram_user_id, WebSession.csrf_token, WebSession.via).where(
                WebSession.id_hash == id_hash, WebSession.expires_at > now
            )
        )
    ).one_or_none()
    return LiveSession(int(row[0]), row[1], row[2]) if row is not None else None


async def end_session(session: AsyncSession, id_hash: str) -> None:
    await session.execute(delete(WebSession).where(WebSession.id_hash == id_hash))


# --- the letters --------------------------------------------------------------------------


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _overdue(today: date) -> ColumnElement[bool]:
    """The agency's deadline (its own, else the letter's) is behind `today` and it owes an
    answer still (the same rule as StatusCounts.overdue)."""
    deadline = func.coalesce(Delivery.deadline, Directive.deadline)
    return and_(
        deadline.is_not(None),
        deadline < today,
        Delivery.status.not_in(ANSWERED_FOR_GOOD),
        ~for_information(),
    )


@dataclass(frozen=True)
class LetterLine:
    id: int
    number: str
    subject: str
    issue_date: date
    created_at: datetime
    status: str
    sender: str | None
    total: int
    acknowledged: int
    completed: int
    overdue: int


async def letters(session: AsyncSession, today: date, *, limit: int = 200) -> list[LetterLine]:
    """The newest letters that were sent (drafts and cancelled ones are nobody's business),
    each with its counts: one grouped query over their deliveries."""
    recent = (
        select(Directive.id)
        .where(Directive.status.not_in(HIDDEN))
        .order_by(Directive.created_at.desc(), Directive.id.desc())
        .limit(limit)
        .subquery()
    )
    rejected = Delivery.status == DeliveryStatus.REJECTED
    rows = await session.execute(
        select(
            Directive.id,
            Directive.number,
            Directive.subject,
            Directive.issue_date,
            Directive.created_at,
            Directive.status,
            Staff.display_name,
            func.count(Delivery.id),
            _count(and_(Delivery.acknowledged_at.is_not(None), ~rejected)),
            _count(Delivery.status == DeliveryStatus.COMPLETED),
            _count(_overdue(today)),
        )
        .join(recent, recent.c.id == Directive.id)
        .outerjoin(Delivery, Delivery.directive_id == Directive.id)
        .outerjoin(Staff, Staff.telegram_user_id == Directive.created_by)
        .group_by(
            Directive.id,
            Directive.number,
            Directive.subject,
            Directive.issue_date,
            Directive.created_at,
            Directive.status,
            Staff.display_name,
        )
        .order_by(Directive.created_at.desc(), Directive.id.desc())
    )
    return [
        LetterLine(r[0], r[1], r[2], r[3], r[4], str(r[5]), r[6], r[7], r[8], r[9], r[10])
        for r in rows.all()
    ]


@dataclass(frozen=True)
class LiveCounts:
    """A letter's counts as its page shows them while a broadcast runs."""

    total: int = 0
    pending: int = 0
    sent: int = 0
    acknowledged: int = 0
    completed: int = 0
    failed: int = 0
    rejected: int = 0
    overdue: int = 0


async def live_counts(session: AsyncSession, directive_id: int, today: date) -> LiveCounts:
    """One aggregate over the letter's deliveries: what every watching browser polls for
    (the dashboard caches it, so N browsers cost one of these per interval)."""
    d = Delivery
    rejected = d.status == DeliveryStatus.REJECTED
    row = (
        await session.execute(
            select(
                func.count(d.id),
                _count(d.status == DeliveryStatus.PENDING),
                _count(d.sent_at.is_not(None)),
                _count(and_(d.acknowledged_at.is_not(None), ~rejected)),
                _count(d.status == DeliveryStatus.COMPLETED),
                _count(d.status == DeliveryStatus.FAILED),
                _count(rejected),
                _count(_overdue(today)),
            )
            .join(Directive, Directive.id == d.directive_id)
            .where(d.directive_id == directive_id)
        )
    ).one()
    return LiveCounts(*(int(v or 0) for v in row))


# --- a letter's agencies ------------------------------------------------------------------

SORTS: dict[str, Any] = {
    "code": Agency.code,
    "name": Agency.name,
    "group": Agency.group,
    "status": Delivery.status,
    "acknowledged": Delivery.acknowledged_at,
    "completed": Delivery.completed_at,
    "reminders": Delivery.reminders_sent,
}


@dataclass(frozen=True)
class TableQuery:
    """The table's filters, sort and page, as the page's form and links carry them."""

    status: str = ""
    group: str = ""
    under: str = ""
    """An agency code: only the agencies below it in the roster's tree."""
    search: str = ""
    sort: str = "code"
    descending: bool = False
    page: int = 0


@dataclass(frozen=True)
class ContactLine:
    name: str
    username: str | None
    role: str
    status: str


@dataclass(frozen=True)
class EvidenceLine:
    kind: str
    value: str
    verification: Verification | None
    reason: str | None


@dataclass(frozen=True)
class TableRow:
    row: AgencyRow
    contacts: list[ContactLine] = field(default_factory=list)
    evidence: list[EvidenceLine] = field(default_factory=list)


@dataclass(frozen=True)
class AgencyTable:
    total: int
    page: int
    rows: list[TableRow]


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


async def _filters(
    session: AsyncSession, directive_id: int, query: TableQuery
) -> list[ColumnElement[bool]] | None:
    """The WHERE of the table; None when it can match nothing (an unknown subtree code)."""
    where: list[ColumnElement[bool]] = [Delivery.directive_id == directive_id]
    if query.status in set(DeliveryStatus):
        where.append(Delivery.status == DeliveryStatus(query.status))
    if query.group:
        where.append(Agency.group == query.group)
    if query.under:
        top = await session.scalar(select(Agency.id).where(Agency.code == query.under))
        if top is None:
            return None
        tree = subtree(top)
        where.append(or_(Agency.id == top, Agency.id.in_(select(tree.c.id))))
    if query.search.strip():
        pattern = _like(query.search.strip())
        where.append(
            or_(
                func.lower(Agency.code).like(pattern, escape="\\"),
                func.lower(Agency.name).like(pattern, escape="\\"),
            )
        )
    return where


async def agency_table(
    session: AsyncSession, directive_id: int, query: TableQuery, *, page_size: int = 100
) -> AgencyTable:
    """One page of the letter's agencies: a count, the page's rows, and their contacts and
    evidence by the page's ids (four queries whatever the letter's size)."""
    where = await _filters(session, directive_id, query)
    if where is None:
        return AgencyTable(0, 0, [])
    total = (
        await session.scalar(
            select(func.count(Delivery.id))
            .join(Agency, Agency.id == Delivery.agency_id)
            .where(*where)
        )
        or 0
    )
    page = max(0, min(query.page, (total - 1) // page_size)) if total else 0
    column = SORTS.get(query.sort, Agency.code)
    order = [column.desc() if query.descending else column.asc()]
    if column is not Agency.code:
        order.append(Agency.code.asc())
    raw = (
        await session.execute(
            agency_row_select()
            .where(*where)
            .order_by(*order)
            .offset(page * page_size)
            .limit(page_size)
        )
    ).all()
    delivery_ids = [r[0] for r in raw]
    evidence = await _evidence(session, delivery_ids)
    contacts = await _contacts(session, [r[1] for r in raw])
    values = {k: [e.value for e in v] for k, v in evidence.items()}
    rows = [
        TableRow(to_agency_row(r, values), contacts.get(r[1], []), evidence.get(r[0], []))
        for r in raw
    ]
    return AgencyTable(total, page, rows)


async def _evidence(
    session: AsyncSession, delivery_ids: list[int]
) -> dict[int, list[EvidenceLine]]:
    found: dict[int, list[EvidenceLine]] = defaultdict(list)
    if not delivery_ids:
        return found
    rows = await session.execute(
        select(
            Evidence.delivery_id,
            Evidence.kind,
            Evidence.value,
            Evidence.verification,
            Evidence.verification_reason,
        )
        .where(Evidence.delivery_id.in_(delivery_ids))
        .order_by(Evidence.id)
    )
    for delivery_id, kind, value, verification, reason in rows.all():
        found[delivery_id].append(EvidenceLine(kind, value, verification, reason))
    return found


async def _contacts(session: AsyncSession, agency_ids: list[int]) -> dict[int, list[ContactLine]]:
    found: dict[int, list[ContactLine]] = defaultdict(list)
    if not agency_ids:
        return found
    rows = await session.execute(
        select(
            Contact.agency_id, Contact.display_name, Contact.username, Contact.role, Contact.status
        )
        .where(Contact.agency_id.in_(agency_ids))
        .order_by(Contact.joined_at, Contact.id)
    )
    for agency_id, name, username, role, status in rows.all():
        found[agency_id].append(ContactLine(name, username, str(role), str(status)))
    return found


async def letter_groups(session: AsyncSession, directive_id: int) -> list[str]:
    """The groups among a letter's recipients: the choices of the group filter."""
    rows = await session.scalars(
        select(Agency.group)
        .join(Delivery, Delivery.agency_id == Agency.id)
        .where(Delivery.directive_id == directive_id)
        .distinct()
        .order_by(Agency.group)
    )
    return list(rows.all())


# --- the roster ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RosterLine:
    code: str
    name: str
    group: str
    parent_code: str | None
    contacts: list[ContactLine]


async def roster_page(
    session: AsyncSession, *, search: str = "", page: int = 0, page_size: int = 100
) -> tuple[int, int, list[RosterLine]]:
    """Active agencies by code, one page, with every contact: (how many, page, the page)."""
    parent = Agency.__table__.alias("parent")
    where: list[ColumnElement[bool]] = [Agency.active.is_(True)]
    if search.strip():
        pattern = _like(search.strip())
        where.append(
            or_(
                func.lower(Agency.code).like(pattern, escape="\\"),
                func.lower(Agency.name).like(pattern, escape="\\"),
            )
        )
    total = await session.scalar(select(func.count(Agency.id)).where(*where)) or 0
    page = max(0, min(page, (total - 1) // page_size)) if total else 0
    rows = (
        await session.execute(
            select(Agency.id, Agency.code, Agency.name, Agency.group, parent.c.code)
            .outerjoin(parent, parent.c.id == Agency.parent_id)
            .where(*where)
            .order_by(Agency.code)
            .offset(page * page_size)
            .limit(page_size)
        )
    ).all()
    contacts = await _contacts(session, [r[0] for r in rows])
    active = ContactStatus.ACTIVE.value
    return (
        total,
        page,
        [
            RosterLine(
                r[1], r[2], r[3], r[4], [c for c in contacts.get(r[0], []) if c.status == active]
            )
            for r in rows
        ],
    )


async def staff_name(session: AsyncSession, user_id: int) -> str | None:
    """The staff member's name as /staff knows it (config admins may have none)."""
    name = await session.scalar(select(Staff.display_name).where(Staff.telegram_user_id == user_id))
    return str(name) if name else None
