"""Không thuộc thẩm quyền: an officer answers that a letter is not the agency's business.

The agency becomes `rejected` — neither waiting nor failed — and is no longer chased; the
letter's sender is told, with a button to send the letter to another agency instead, which
then gets the items the first one was addressed by.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.answers.acknowledge import AckResult, check_press
from bot.answers.tell import queue_notices, sender_chats
from bot.config import Settings
from bot.delivery.render import subject_line
from bot.telegram import callbacks
from bot.texts import t
from db.models import DeliveryStatus, Directive
from db.queries import officer_side as queries
from db.queries.agencies import get_agency_by_code
from db.queries.answers import delivery_for
from db.queries.directives import NO_CONTACT_REASON, get_directive
from db.queries.events import record_event

MAX_REASON_LENGTH = 500


class RejectResult(StrEnum):
    ASK = "ask"  # the officer may: the question for the reason goes out
    DONE = "done"  # recorded, the sender told
    REFUSED = "refused"  # not an active contact of the letter's agency
    GONE = "gone"  # no such delivery, or the letter is no longer open
    RECALLED = "recalled"
    COMPLETED = "completed"  # the agency reported already
    ALREADY = "already"  # sent back already
    NO_REASON = "no_reason"
    REASON_TOO_LONG = "reason_too_long"


@dataclass(frozen=True)
class RejectOutcome:
    """What to tell the officer (texts `reject.<result>`)."""

    result: RejectResult
    number: str = ""
    subject: str = ""
    directive_id: int | None = None


async def _examine(
    session: AsyncSession, delivery_id: int, user_id: int
) -> tuple[RejectOutcome, queries.LetterFacts | None, int | None]:
    refusal, press = await check_press(session, delivery_id, user_id, "reject")
    if refusal == AckResult.REFUSED:
        return RejectOutcome(RejectResult.REFUSED), None, None
    if refusal == AckResult.RECALLED:
        return RejectOutcome(RejectResult.RECALLED), None, None
    facts = await queries.letter_facts(session, delivery_id)
    if facts is None or (refusal is not None and refusal != AckResult.REJECTED):
        return RejectOutcome(RejectResult.GONE), None, None
    outcome = RejectOutcome(RejectResult.ASK, facts.number, facts.subject, facts.directive_id)
    if facts.status == DeliveryStatus.REJECTED:
        return _with(outcome, RejectResult.ALREADY), None, None
    if facts.status == DeliveryStatus.COMPLETED:
        return _with(outcome, RejectResult.COMPLETED), None, None
    if press is None or press.contact_id is None:
        return _with(outcome, RejectResult.GONE), None, None
    return outcome, facts, press.contact_id


def _with(outcome: RejectOutcome, result: RejectResult) -> RejectOutcome:
    return RejectOutcome(result, outcome.number, outcome.subject, outcome.directive_id)


async def may_reject(session: AsyncSession, delivery_id: int, user_id: int) -> RejectOutcome:
    """Whether this user may send this delivery back (ASK), or why not."""
    outcome, _, _ = await _examine(session, delivery_id, user_id)
    return outcome


async def reject(
    session: AsyncSession,
    *,
    delivery_id: int,
    user_id: int,
    reason: str,
    now: datetime,
    settings: Settings,
) -> RejectOutcome:
    """Record that the letter is not the agency's business; tell the sender, with a button to
    send it to another agency. Checked again from the start; a refusal changes nothing."""
    outcome, facts, contact_id = await _examine(session, delivery_id, user_id)
    if outcome.result != RejectResult.ASK or facts is None or contact_id is None:
        return outcome
    reason = " ".join(reason.split())
    if not reason:
        return _with(outcome, RejectResult.NO_REASON)
    if len(reason) > MAX_REASON_LENGTH:
        return _with(outcome, RejectResult.REASON_TOO_LONG)
    if not await queries.reject_delivery(session, delivery_id, contact_id, reason, now):
        return _with(outcome, RejectResult.GONE)  # reported or closed meanwhile
    await record_event(
        session,
        "delivery.rejected",
        actor_type="user",
        actor_id=user_id,
        directive_id=facts.directive_id,
        agency_id=facts.agency_id,
        reason=reason,
    )

    def text(lang: str) -> str:
        return t(
            lang,
            "reject.notice",
            agency=facts.agency_name,
            code=facts.agency_code,
            number=facts.number,
            subject=subject_line(facts.subject),
            reason=reason,
            id=facts.directive_id,
        )

    def keyboard(lang: str) -> list[list[dict[str, str]]]:
        data = callbacks.pack(callbacks.Retarget(delivery_id))
        return [[{"text": t(lang, "reject.retarget_button"), "callback_data": data}]]

    chats = await sender_chats(session, settings, facts.sender)
    await queue_notices(session, [(None, None, chat) for chat in chats], now, text, keyboard)
    return _with(outcome, RejectResult.DONE)


# --- sending it to another agency instead ----------------------------------------------------


class RetargetError(Exception):
    """Why the letter was not sent to another agency; `key` names the text for staff."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


@dataclass(frozen=True)
class Retargeted:
    number: str
    rejected_by: str
    agency: str
    messages: int


async def retarget_facts(session: AsyncSession, delivery_id: int) -> queries.LetterFacts:
    """The rejected delivery a "send to another agency" press is about; RetargetError when
    it is not (any more) one that can be sent elsewhere."""
    facts = await queries.letter_facts(session, delivery_id)
    if facts is None or facts.status != DeliveryStatus.REJECTED:
        raise RetargetError("retarget.gone", f"delivery {delivery_id} is not a rejected one")
    if not facts.open:
        raise RetargetError("retarget.closed", f"directive {facts.directive_id} is not open")
    return facts


async def retarget(
    session: AsyncSession, *, delivery_id: int, agency_code: str, staff_id: int, now: datetime
) -> Retargeted:
    """Send the letter to `agency_code` instead of the agency that sent it back: a delivery of
    its own, with the same items, queued for its active contacts."""
    facts = await retarget_facts(session, delivery_id)
    code = agency_code.strip().lower()
    agency = await get_agency_by_code(session, code)
    if agency is None or not agency.active:
        raise RetargetError("retarget.unknown_agency", f"no active agency with code {code!r}")
    if await delivery_for(session, facts.directive_id, code) is not None:
        raise RetargetError("retarget.already", f"{code!r} is a recipient already")
    directive = await get_directive(session, facts.directive_id)
    rejected = await _rejected_delivery(session, facts)
    if directive is None or rejected is None:
        raise RetargetError("retarget.gone", "the letter is gone")
    new_id, messages = await queries.add_delivery(
        session,
        directive_id=facts.directive_id,
        agency_id=agency.id,
        items_mask=rejected[0],
        check_links=rejected[1],
        now=now,
    )
    if not messages:
        await queries.fail_delivery(session, new_id, NO_CONTACT_REASON)
    _add_target(directive, code)
    await record_event(
        session,
        "delivery.retargeted",
        actor_type="staff",
        actor_id=staff_id,
        directive_id=facts.directive_id,
        agency_id=agency.id,
        instead_of=facts.agency_code,
        messages=messages,
    )
    return Retargeted(facts.number, facts.agency_name, agency.name, messages)


async def _rejected_delivery(
    session: AsyncSession, facts: queries.LetterFacts
) -> tuple[int, bool] | None:
    delivery = await delivery_for(session, facts.directive_id, facts.agency_code)
    return None if delivery is None else (delivery.items_mask, delivery.check_links)


def _add_target(directive: Directive, code: str) -> None:
    """The letter's recipients, as staff read them, include the agency sent it instead."""
    if code not in directive.targets:
        directive.targets = [*directive.targets, code]
