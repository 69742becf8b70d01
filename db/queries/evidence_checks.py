"""Evidence links still waiting for their check: what a restart, a crash or a change of
leader left half done. The evidence row is the check's record (pending until a verdict),
so nothing is lost with the process that was checking it."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Contact, Delivery, Directive, Evidence, UserPreference, Verification


@dataclass(frozen=True)
class PendingCheck:
    evidence_id: int
    url: str
    delivery_id: int
    directive_id: int
    number: str
    links: tuple[str, ...]
    chat_id: int | None
    """The officer who reported it, to be told the result (None: no longer a contact)."""
    language: str | None


async def pending_checks(
    session: AsyncSession, *, created_before: datetime, skip: Collection[int], limit: int
) -> list[PendingCheck]:
    """URL evidence still `pending` that was recorded before `created_before` (a check
    under way has had time to finish) and is not among `skip` (checks under way here)."""
    query = (
        select(
            Evidence.id,
            Evidence.value,
            Evidence.delivery_id,
            Delivery.directive_id,
            Directive.number,
            Directive.links,
            Contact.chat_id,
            UserPreference.language,
        )
        .join(Delivery, Delivery.id == Evidence.delivery_id)
        .join(Directive, Directive.id == Delivery.directive_id)
        .outerjoin(Contact, Contact.id == Evidence.contact_id)
        .outerjoin(UserPreference, UserPreference.telegram_user_id == Contact.telegram_user_id)
        .where(
            Evidence.kind == "url",
            Evidence.verification == Verification.PENDING,
            Evidence.created_at < created_before,
        )
        .order_by(Evidence.id)
        .limit(limit)
    )
    if skip:
        query = query.where(Evidence.id.not_in(list(skip)))
    rows = (await session.execute(query)).all()
    return [
        PendingCheck(
            evidence_id=row[0],
            url=row[1],
            delivery_id=row[2],
            directive_id=row[3],
            number=row[4],
            links=tuple(row[5] or ()),
            chat_id=row[6],
            language=row[7],
        )
        for row in rows
    ]
