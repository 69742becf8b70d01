"""An officer presses Đã nhận: record the agency's acknowledgement once, refuse strangers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from db.queries.answers import PressContext, acknowledge, press_context
from db.queries.events import record_event


class AckResult(StrEnum):
    FIRST = "first"  # this press acknowledged for the agency
    ALREADY = "already"  # the agency had acknowledged: who and when
    REFUSED = "refused"  # not an active contact of that delivery's agency
    GONE = "gone"  # no such delivery, or the directive is no longer open


@dataclass(frozen=True)
class AckOutcome:
    result: AckResult
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    directive_number: str | None = None
    directive_id: int | None = None


async def check_press(
    session: AsyncSession, delivery_id: int, user_id: int, action: str
) -> tuple[AckResult | None, PressContext | None]:
    """Whether this user may answer this delivery: (None, press) if so, else the refusal.

    Only an active contact of the delivery's agency may, and only while the directive is
    open; every refusal goes to the event log.
    """
    press = await press_context(session, delivery_id, user_id)
    if press is None or not press.directive_open:
        await record_event(
            session,
            "callback.gone",
            actor_type="user",
            actor_id=user_id,
            delivery_id=delivery_id,
            action=action,
        )
        return AckResult.GONE, None
    if not press.contact_active or press.contact_agency_id != press.agency_id:
        await record_event(
            session,
            "callback.refused",
            actor_type="user",
            actor_id=user_id,
            directive_id=press.directive_id,
            agency_id=press.agency_id,
            delivery_id=delivery_id,
            action=action,
            reason="not an active contact of the agency",
        )
        return AckResult.REFUSED, press
    return None, press


async def press_acknowledge(
    session: AsyncSession, delivery_id: int, user_id: int, display_name: str, now: datetime
) -> AckOutcome:
    """Any active contact of the agency may acknowledge for it; the first press counts."""
    refusal, press = await check_press(session, delivery_id, user_id, "acknowledge")
    if refusal is not None or press is None:
        return AckOutcome(refusal or AckResult.GONE)
    assert press.contact_id is not None
    if press.acknowledged_at is None and await acknowledge(
        session, delivery_id, press.contact_id, now
    ):
        await record_event(
            session,
            "delivery.acknowledged",
            actor_type="user",
            actor_id=user_id,
            directive_id=press.directive_id,
            agency_id=press.agency_id,
        )
        return AckOutcome(
            AckResult.FIRST, display_name, now, press.directive_number, press.directive_id
        )
    if press.acknowledged_at is None:  # lost a race with another contact's press
        press = await press_context(session, delivery_id, user_id)
        assert press is not None
    return AckOutcome(
        AckResult.ALREADY, press.acknowledged_by, press.acknowledged_at, press.directive_number
    )
