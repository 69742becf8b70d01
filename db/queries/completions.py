"""Completion reports: the report in progress, the evidence, and the verification result."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import case, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import CompletionSession, Contact, Delivery, DeliveryStatus, Evidence, Verification


async def start_session(
    session: AsyncSession,
    *,
    user_id: int,
    delivery_id: int,
    contact_id: int,
    now: datetime,
    expires_at: datetime,
) -> int | None:
    """Begin a report for this delivery; returns the delivery of a session it replaced."""
    previous = await session.get(CompletionSession, user_id)
    replaced = previous.delivery_id if previous and previous.delivery_id != delivery_id else None
    if previous is not None:
        await session.delete(previous)
        await session.flush()
    session.add(
        CompletionSession(
            telegram_user_id=user_id,
            delivery_id=delivery_id,
            contact_id=contact_id,
            items=[],
            started_at=now,
            expires_at=expires_at,
        )
    )
    await session.flush()
    return replaced


async def lock_session(session: AsyncSession, user_id: int) -> None:
    """Take the user's report in progress for this transaction, before reading it: five
    photos sent at once then add to it one after the other instead of each to the same
    old list (only one kept). An UPDATE, so that SQLite takes its write lock here too (a
    SELECT … FOR UPDATE would not)."""
    await session.execute(
        update(CompletionSession)
        .where(CompletionSession.telegram_user_id == user_id)
        .values(expires_at=CompletionSession.expires_at)
    )


async def open_session(
    session: AsyncSession, user_id: int, now: datetime
) -> CompletionSession | None:
    report = await session.get(CompletionSession, user_id)
    return report if report is not None and report.expires_at > now else None


async def end_session(session: AsyncSession, user_id: int) -> None:
    await session.execute(
        delete(CompletionSession).where(CompletionSession.telegram_user_id == user_id)
    )


async def expired_sessions(session: AsyncSession, now: datetime) -> list[CompletionSession]:
    rows = await session.scalars(
        select(CompletionSession).where(CompletionSession.expires_at <= now)
    )
    return list(rows.all())


async def complete_delivery(
    session: AsyncSession,
    *,
    delivery_id: int,
    contact_id: int,
    items: list[dict[str, Any]],
    verification: Verification | None,
    now: datetime,
) -> list[int]:
    """Record the evidence and make the agency `completed` (acknowledged too, if it was not).

    A later report adds evidence; the first completion time and reporter stay.
    Returns the ids of the URL evidence rows, which the checker then verifies.
    """
    url_ids = []
    for item in items:
        row = Evidence(
            delivery_id=delivery_id,
            contact_id=contact_id,
            kind=item["kind"],
            value=item["value"],
            file_id=item.get("file_id"),
            verification=verification if item["kind"] == "url" else None,
            created_at=now,
        )
        session.add(row)
        await session.flush()
        if item["kind"] == "url":
            url_ids.append(row.id)
    values: dict[str, Any] = {
        "status": DeliveryStatus.COMPLETED,
        "completed_at": case((Delivery.completed_at.is_(None), now), else_=Delivery.completed_at),
        "completed_by_contact_id": case(
            (Delivery.completed_at.is_(None), contact_id), else_=Delivery.completed_by_contact_id
        ),
        "acknowledged_at": case(
            (Delivery.acknowledged_at.is_(None), now), else_=Delivery.acknowledged_at
        ),
        "acknowledged_by_contact_id": case(
            (Delivery.acknowledged_at.is_(None), contact_id),
            else_=Delivery.acknowledged_by_contact_id,
        ),
        "next_reminder_at": None,
    }
    if url_ids:
        values["evidence_verified"] = verification
    await session.execute(update(Delivery).where(Delivery.id == delivery_id).values(**values))
    return url_ids


async def record_verification(
    session: AsyncSession, evidence_id: int, verification: Verification, reason: str, now: datetime
) -> int:
    """Store one URL's result and recompute the delivery's: verified only if all URLs are."""
    evidence = await session.get(Evidence, evidence_id)
    if evidence is None:
        raise LookupError(f"no evidence {evidence_id}")
    evidence.verification, evidence.verification_reason, evidence.checked_at = (
        verification,
        reason,
        now,
    )
    await session.flush()
    results = (
        await session.scalars(
            select(Evidence.verification).where(
                Evidence.delivery_id == evidence.delivery_id, Evidence.kind == "url"
            )
        )
    ).all()
    if Verification.PENDING in results:
        overall = Verification.PENDING
    elif any(r == Verification.VERIFIED for r in results):
        overall = Verification.VERIFIED
    else:
        overall = Verification.UNVERIFIED
    await session.execute(
        update(Delivery)
        .where(Delivery.id == evidence.delivery_id)
        .values(evidence_verified=overall)
    )
    return evidence.delivery_id


async def url_evidence(session: AsyncSession, delivery_id: int) -> list[tuple[int, str]]:
    rows = await session.execute(
        select(Evidence.id, Evidence.value)
        .where(Evidence.delivery_id == delivery_id, Evidence.kind == "url")
        .order_by(Evidence.id)
    )
    return [(evidence_id, url) for evidence_id, url in rows.all()]


async def agency_of(session: AsyncSession, delivery_id: int) -> int | None:
    """The agency a delivery is for (the audit trail names it on every event)."""
    return await session.scalar(select(Delivery.agency_id).where(Delivery.id == delivery_id))


async def pages_checked_for(
    session: AsyncSession, telegram_user_id: int, since: datetime, not_fetched: str
) -> int:
    """Pages fetched since `since` for the evidence an officer sent (any of their contacts);
    results whose reason starts with `not_fetched` were recorded without a fetch."""
    query = (
        select(func.count(Evidence.id))
        .join(Contact, Contact.id == Evidence.contact_id)
        .where(
            Contact.telegram_user_id == telegram_user_id,
            Evidence.kind == "url",
            Evidence.checked_at >= since,
            Evidence.verification_reason.not_like(not_fetched + "%"),
        )
    )
    return int(await session.scalar(query) or 0)
