"""Staff set an agency's status by hand ("confirmed by phone"): it counts as the agency's
answer, stops its reminders, and is shown as set by hand in every report."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from db.models import DeliveryStatus
from db.queries.answers import delivery_for
from db.queries.directives import get_directive
from db.queries.events import record_event

MAX_REASON_LENGTH = 500


class MarkStatus(StrEnum):
    ACKNOWLEDGED = "acknowledged"
    COMPLETED = "completed"


class MarkError(Exception):
    """Why nothing was changed; `key` names the Vietnamese text for Telegram users."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


async def mark_by_hand(
    session: AsyncSession,
    *,
    directive_id: int,
    agency_code: str,
    status: MarkStatus,
    reason: str,
    staff_id: int | None,
    now: datetime,
    staff_name: str | None = None,
) -> DeliveryStatus:
    """Set the delivery's status; returns the new status. Raises MarkError, changing nothing."""
    reason = reason.strip()
    if not reason:
        raise MarkError(
            "mark.no_reason", "a reason is required, e.g. --reason 'confirmed by phone'"
        )
    if len(reason) > MAX_REASON_LENGTH:
        raise MarkError(
            "mark.reason_too_long", f"the reason is over {MAX_REASON_LENGTH} characters"
        )
    if await get_directive(session, directive_id) is None:
        raise MarkError("mark.unknown_directive", f"no directive with id {directive_id}")
    delivery = await delivery_for(session, directive_id, agency_code)
    if delivery is None:
        raise MarkError(
            "mark.not_a_recipient",
            f"agency {agency_code!r} is not a recipient of directive {directive_id}",
        )
    if delivery.acknowledged_at is None:
        delivery.acknowledged_at = now
        delivery.acknowledged_by_staff_id = staff_id
        delivery.acknowledged_by_contact_id = None
    if status == MarkStatus.COMPLETED and delivery.completed_at is None:
        delivery.completed_at = now
        delivery.completed_by_staff_id = staff_id
    if delivery.status != DeliveryStatus.COMPLETED:
        delivery.status = DeliveryStatus(status.value)
    delivery.manual_reason = reason
    delivery.next_reminder_at = None
    await record_event(
        session,
        "delivery.marked",
        actor_type="staff" if staff_id else "cli",
        actor_id=staff_id,
        directive_id=directive_id,
        agency_id=delivery.agency_id,
        status=status.value,
        reason=reason,
        # Reports name who set it; config admins have no staff row to hold a name.
        staff_name=staff_name,
    )
    return delivery.status
