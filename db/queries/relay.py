"""Relaying down the hierarchy: the roster's tree, who may relay what, and how far
down a letter went.

The roster's tree and a letter's relayed letters are walked with recursive CTEs, which
SQLite and PostgreSQL both run: a subtree or a whole tree of letters is one statement, never
a query per level.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import (
    CTE,
    BindParameter,
    Date,
    Integer,
    Select,
    and_,
    bindparam,
    case,
    exists,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from db.models import (
    Agency,
    Delivery,
    DeliveryStatus,
    Directive,
    DirectiveStatus,
)
from db.queries.summary import AgencyRow, agency_row_select, evidence_of, to_agency_row
from db.rows import affected

OPEN_STATUSES = (DirectiveStatus.QUEUED, DirectiveStatus.SENDING, DirectiveStatus.SENT)
# Letters that exist for the reports: a draft or a cancelled relay is nobody's business.
HIDDEN = (DirectiveStatus.DRAFT, DirectiveStatus.CANCELLED)


# --- the roster's tree -----------------------------------------------------------------------


def subtree(agency_id: int) -> CTE:
    """Every agency under `agency_id`, at any depth (not the agency itself), as a CTE `id`."""
    below = select(Agency.id.label("id")).where(Agency.parent_id == agency_id)
    tree = below.cte("agency_subtree", recursive=True)
    child = aliased(Agency)
    return tree.union_all(select(child.id).join(tree, child.parent_id == tree.c.id))


async def codes_outside_subtree(
    session: AsyncSession, agency_id: int, codes: Sequence[str]
) -> list[str]:
    """Those of `codes` that are not active agencies under `agency_id`, in the given order."""
    if not codes:
        return []
    tree = subtree(agency_id)
    inside = set(
        (
            await session.scalars(
                select(Agency.code).where(
                    Agency.code.in_(codes),
                    Agency.active.is_(True),
                    Agency.id.in_(select(tree.c.id)),
                )
            )
        ).all()
    )
    return [code for code in codes if code not in inside]


async def direct_units(session: AsyncSession, agency_id: int) -> int:
    """How many active agencies are directly under this one."""
    count = await session.scalar(
        select(func.count(Agency.id)).where(Agency.parent_id == agency_id, Agency.active.is_(True))
    )
    return count or 0


async def mark_relays(session: AsyncSession, directive_id: int) -> None:
    """Record on each delivery how many units are directly under its agency: the relays
    among the recipients, whose contacts get the Chuyển tiếp button. One statement."""
    child = aliased(Agency)
    units = (
        select(func.count(child.id))
        .where(child.parent_id == Delivery.agency_id, child.active.is_(True))
        .scalar_subquery()
    )
    has_units = exists().where(child.parent_id == Delivery.agency_id, child.active.is_(True))
    await session.execute(
        update(Delivery)
        .where(Delivery.directive_id == directive_id, has_units)
        .values(relay_units=units)
        .execution_options(synchronize_session=False)
    )


# --- who relays what -------------------------------------------------------------------------


@dataclass(frozen=True)
class RelaySource:
    """A relay's delivery of the letter it may pass on: everything the checks need."""

    delivery_id: int
    directive_id: int
    directive_number: str
    directive_status: DirectiveStatus
    relay_allowed: bool
    deadline: date | None
    agency_id: int
    agency_code: str
    agency_name: str
    relay_units: int
    relayed_directive_id: int | None
    relayed_at: datetime | None
    acknowledged_at: datetime | None

    @property
    def directive_open(self) -> bool:
        return self.directive_status in OPEN_STATUSES


def _sources() -> Select[Any]:
    # Thirteen columns: past the arity SQLAlchemy types one by one.
    return cast(
        Select[Any],
        select(
            Delivery.id,
            Directive.id,
            Directive.number,
            Directive.status,
            Directive.relay_allowed,
            Directive.deadline,
            Agency.id,
            Agency.code,
            Agency.name,
            Delivery.relay_units,
            Delivery.relayed_directive_id,
            Delivery.relayed_at,
            Delivery.acknowledged_at,
        ).select_from(
            Delivery.__table__.join(Directive, Directive.id == Delivery.directive_id).join(
                Agency, Agency.id == Delivery.agency_id
            )
        ),
    )


async def source_by_delivery(session: AsyncSession, delivery_id: int) -> RelaySource | None:
    row = (await session.execute(_sources().where(Delivery.id == delivery_id))).one_or_none()
    return RelaySource(*row) if row is not None else None


async def source_of(session: AsyncSession, directive_id: int, agency_id: int) -> RelaySource | None:
    """The agency's delivery of the letter, if the agency is one of its recipients."""
    row = (
        await session.execute(
            _sources().where(Delivery.directive_id == directive_id, Delivery.agency_id == agency_id)
        )
    ).one_or_none()
    return RelaySource(*row) if row is not None else None


async def claim_relay(
    session: AsyncSession, delivery_id: int, relayed_directive_id: int, now: datetime
) -> bool:
    """Record that the agency relayed the letter, unless it already has: one conditional
    UPDATE, so two contacts pressing Gửi at once cannot both relay it."""
    result = await session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.relayed_directive_id.is_(None))
        .values(relayed_directive_id=relayed_directive_id, relayed_at=now, relay_remind_at=None)
        .execution_options(synchronize_session=False)
    )
    return affected(result) == 1


async def relayed_by(session: AsyncSession, directive_id: int) -> int | None:
    """The agency that relays this letter (None: the department's own letter, or none)."""
    return await session.scalar(
        select(Directive.relayed_by_agency_id).where(Directive.id == directive_id)
    )


# --- how far down a letter went --------------------------------------------------------------


def letter_tree(directive_id: int | BindParameter[int]) -> CTE:
    """The letter and every letter relayed from it, at any depth: `id`, `depth` (0: itself)."""
    seed = select(Directive.id.label("id"), literal(0).label("depth")).where(
        Directive.id == directive_id
    )
    tree = seed.cte("letter_tree", recursive=True)
    child = aliased(Directive)
    return tree.union_all(
        select(child.id, tree.c.depth + 1)
        .join(tree, child.parent_directive_id == tree.c.id)
        .where(child.status.not_in(HIDDEN))
    )


@dataclass(frozen=True)
class SubtreeCounts:
    """One letter of a tree and what happened under it, through every level below.

    `depth` 0 is the letter asked about (its counts: the whole tree under it, its own
    recipients included); depth 1 the letters its relays sent, and so on. Counts are of
    the units the letters of the subtree reached (a unit that received two of them, from
    two relays, counts in each); `relays_waiting` are relays that received a letter of the
    subtree and have not passed it on.
    """

    directive_id: int
    parent_directive_id: int | None
    depth: int
    number: str
    relay_code: str | None
    relay_name: str | None
    relayed_at: datetime | None
    units: int
    reached: int
    acknowledged: int
    completed: int
    overdue: int
    relays_waiting: int


def _count(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


async def subtree_counts(
    session: AsyncSession, directive_id: int, today: date
) -> list[SubtreeCounts]:
    """Every letter of the tree under `directive_id` with its subtree's counts, in one
    statement: the tree of letters and each letter's descendants (two recursive CTEs), one
    aggregate per letter over its deliveries (each delivery read once), summed up each
    letter's subtree. `today` is the department's date: a unit is overdue when the deadline
    of the letter that reached it has passed and it has not completed. Rows come by depth,
    then by letter id."""
    rows = await session.execute(
        _subtree_counts_statement(), {"directive_id": directive_id, "today": today}
    )
    # PostgreSQL sums bigints into numerics: the counts come back as ints on both.
    return [
        SubtreeCounts(
            directive_id=row[0],
            parent_directive_id=row[1],
            depth=row[2],
            number=row[3],
            relay_code=row[4],
            relay_name=row[5],
            relayed_at=row[6],
            units=int(row[7]),
            reached=int(row[8]),
            acknowledged=int(row[9]),
            completed=int(row[10]),
            overdue=int(row[11]),
            relays_waiting=int(row[12]),
        )
        for row in rows.all()
    ]


@cache
def _subtree_counts_statement() -> Select[Any]:
    """Built once (it takes longer to build than to run): the letter and the date are
    bound parameters."""
    directive_id = bindparam("directive_id", type_=Integer)
    today = bindparam("today", type_=Date)
    tree = letter_tree(directive_id)
    closure = select(tree.c.id.label("top"), tree.c.id.label("id")).cte(
        "letter_closure", recursive=True
    )
    child = aliased(Directive)
    closure = closure.union_all(
        select(closure.c.top, child.id)
        .join(closure, child.parent_directive_id == closure.c.id)
        .where(child.status.not_in(HIDDEN))
    )
    letter = aliased(Directive)
    completed = Delivery.status == DeliveryStatus.COMPLETED
    per_letter = (
        select(
            Delivery.directive_id.label("id"),
            func.count(Delivery.id).label("units"),
            _count(Delivery.sent_at.is_not(None)).label("reached"),
            _count(Delivery.acknowledged_at.is_not(None)).label("acknowledged"),
            _count(completed).label("completed"),
            _count(and_(letter.deadline < today, ~completed)).label("overdue"),
            _count(
                and_(
                    Delivery.relay_units > 0,
                    Delivery.relayed_directive_id.is_(None),
                    Delivery.sent_at.is_not(None),
                    letter.status.in_(OPEN_STATUSES),
                )
            ).label("waiting"),
        )
        .join(letter, letter.id == Delivery.directive_id)
        # IN, not a join: the tree's letters drive the index on deliveries (directive_id),
        # never a scan of every letter's deliveries.
        .where(Delivery.directive_id.in_(select(tree.c.id)))
        .group_by(Delivery.directive_id)
        .subquery("per_letter")
    )
    sums = [
        func.sum(per_letter.c[name]).label(name)
        for name in ("units", "reached", "acknowledged", "completed", "overdue", "waiting")
    ]
    counts = (
        select(closure.c.top.label("top"), *sums)
        .join(per_letter, per_letter.c.id == closure.c.id)
        .group_by(closure.c.top)
        .subquery("subtree_counts")
    )
    top = aliased(Directive)
    relay = aliased(Agency)
    parent_delivery = aliased(Delivery)
    return cast(
        Select[Any],
        select(
            top.id,
            top.parent_directive_id,
            tree.c.depth,
            top.number,
            relay.code,
            relay.name,
            parent_delivery.relayed_at,
            func.coalesce(counts.c.units, 0),
            func.coalesce(counts.c.reached, 0),
            func.coalesce(counts.c.acknowledged, 0),
            func.coalesce(counts.c.completed, 0),
            func.coalesce(counts.c.overdue, 0),
            func.coalesce(counts.c.waiting, 0),
        )
        .select_from(tree)
        .join(top, top.id == tree.c.id)
        .outerjoin(counts, counts.c.top == tree.c.id)
        .outerjoin(relay, relay.id == top.relayed_by_agency_id)
        .outerjoin(
            parent_delivery,
            and_(
                parent_delivery.directive_id == top.parent_directive_id,
                parent_delivery.agency_id == top.relayed_by_agency_id,
            ),
        )
        .order_by(tree.c.depth, top.id),
    )


@dataclass(frozen=True)
class TreeAgencyRow:
    """One unit's answer to one letter of a tree: the CSV row, the relay that sent it the
    letter (None: a recipient of the letter asked about), and what it relayed itself."""

    row: AgencyRow
    directive_id: int
    depth: int
    parent_code: str | None
    relayed_directive_id: int | None


async def tree_agency_rows(session: AsyncSession, directive_id: int) -> list[TreeAgencyRow]:
    """Every delivery of every letter in the tree under `directive_id` (one recursive CTE):
    by depth, letter and code."""
    tree = letter_tree(directive_id)
    letter = aliased(Directive)
    relay = aliased(Agency)
    in_tree = Delivery.directive_id.in_(select(tree.c.id))
    query = (
        agency_row_select()
        .add_columns(Delivery.directive_id, tree.c.depth, relay.code, Delivery.relayed_directive_id)
        .join(tree, tree.c.id == Delivery.directive_id)
        .join(letter, letter.id == Delivery.directive_id)
        .outerjoin(relay, relay.id == letter.relayed_by_agency_id)
        .where(in_tree)  # the tree's letters drive the index, not a scan of all deliveries
        .order_by(tree.c.depth, Delivery.directive_id, Agency.code)
    )
    rows = (await session.execute(query)).all()
    evidence = await evidence_of(session, in_tree)
    width = len(rows[0]) if rows else 0
    return [TreeAgencyRow(to_agency_row(r, evidence), *r[width - 4 :]) for r in rows]


def relay_pending() -> Any:
    """A delivery whose agency acknowledged, may relay, and has not: what the relay
    reminder chases."""
    return and_(
        Delivery.relay_units > 0,
        Delivery.relayed_directive_id.is_(None),
        or_(
            Delivery.status == DeliveryStatus.ACKNOWLEDGED,
            Delivery.status == DeliveryStatus.COMPLETED,
        ),
    )
