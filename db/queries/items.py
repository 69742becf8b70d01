"""Which of a letter's items each recipient agency is addressed by, computed in SQL.

An item names groups, agency codes, "all", or "others" (the recipients no other item
names). Each delivery keeps its items as bits of `items_mask` (bit n-1 for item n), set by
the same statement that writes the deliveries, so queueing 10,000 agencies stays one
statement; the renderer then lays the letter out once per distinct set of items.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, case, false, func, literal, not_, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Agency, Delivery

ALL = "all"
OTHERS = "others"

Item = Mapping[str, Any]
"""An item as stored in Directive.items: {"text", "to", "publish_links"}."""


def _named(targets: Sequence[str]) -> ColumnElement[bool]:
    """The agency (a row with Agency joined) is one of these groups or codes, or "all"."""
    if ALL in targets:
        return true()
    named = [target for target in targets if target != OTHERS]
    if not named:
        return false()
    return or_(Agency.group.in_(named), Agency.code.in_(named))


def item_conditions(items: Sequence[Item]) -> list[ColumnElement[bool]]:
    """For each item, in order, whether the agency is addressed by it."""
    named = [_named(item["to"]) for item in items]
    claimed = or_(
        false(),
        *(condition for item, condition in zip(items, named, strict=True) if not _others(item)),
    )
    return [
        or_(condition, not_(claimed)) if _others(item) else condition
        for item, condition in zip(items, named, strict=True)
    ]


def _others(item: Item) -> bool:
    return OTHERS in item["to"]


def mask_expression(items: Sequence[Item]) -> ColumnElement[int]:
    """The agency's `items_mask`: bit n-1 set when item n is addressed to it."""
    if not items:
        return literal(0)
    bits = [
        case((condition, literal(1 << index)), else_=literal(0))
        for index, condition in enumerate(item_conditions(items))
    ]
    total: ColumnElement[int] = bits[0]
    for bit in bits[1:]:
        total = total + bit
    return total


def link_check_expression(items: Sequence[Item]) -> ColumnElement[bool]:
    """Whether the agency's evidence is checked against the links: one of its items asks it
    to publish them; with no items the whole letter asks everyone."""
    if not items:
        return true()
    conditions = item_conditions(items)
    asked = [
        c for item, c in zip(items, conditions, strict=True) if item.get("publish_links", True)
    ]
    return or_(false(), *asked)


def for_information() -> ColumnElement[bool]:
    """The delivery is "for information": its letter has items and none is addressed to the
    agency (only then is a delivery both without items and without a link check). It is to
    be acknowledged, but owes no report and cannot be overdue."""
    return and_(Delivery.items_mask == 0, Delivery.check_links.is_(False))


def item_numbers(mask: int) -> list[int]:
    """The item numbers (from 1) whose bits are set."""
    return [bit + 1 for bit in range(mask.bit_length()) if mask >> bit & 1]


async def item_audience(
    session: AsyncSession, recipients: ColumnElement[bool], items: Sequence[Item]
) -> list[int]:
    """How many of the recipients (a condition on Agency) each item reaches, in order."""
    if not items:
        return []
    row = (
        await session.execute(
            select(
                *(func.coalesce(func.sum(case((c, 1), else_=0)), 0) for c in item_conditions(items))
            ).where(recipients)
        )
    ).one()
    return [int(count) for count in row]


async def needs_link_check(session: AsyncSession, delivery_id: int) -> bool:
    """Whether this agency's evidence is checked against the letter's links."""
    checked = await session.scalar(select(Delivery.check_links).where(Delivery.id == delivery_id))
    return bool(checked) if checked is not None else True
