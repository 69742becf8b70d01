"""Xin gia hạn: an officer asks for more time, the letter's sender answers Đồng ý or Từ chối;
staff may also set an agency's deadline themselves (/deadline).

An approved date is that agency's own deadline (`deliveries.deadline`): its report
reminders start over from it, and "còn N ngày / quá hạn", /viec, the digest and every report
read it instead of the letter's. Requests are rows, so a restart between the question and
the answer loses nothing; every step is in the event log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from bot.answers.acknowledge import AckResult, check_press
from bot.answers.tell import queue_notices, sender_chats
from bot.config import Settings
from bot.delivery.render import subject_line
from bot.telegram import callbacks
from bot.texts import t
from db.models import DeliveryStatus, ExtensionStatus
from db.queries import officer_side as queries
from db.queries.answers import delivery_for
from db.queries.directives import get_directive
from db.queries.events import record_event

if TYPE_CHECKING:
    from bot.reminders.rounds import Reminders

MAX_REASON_LENGTH = 500
MAX_EXTENSION = timedelta(days=366)
"""The furthest a new deadline may be from today: a typo (2030 for 2020) is caught."""


def dmy(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day is not None else ""


class ExtensionResult(StrEnum):
    ASK = "ask"  # the officer may ask: the question goes out
    SENT = "sent"  # the request went to the letter's sender
    REFUSED = "refused"  # not an active contact of the letter's agency
    GONE = "gone"  # no such delivery, or the letter is closed
    RECALLED = "recalled"
    COMPLETED = "completed"  # the agency has reported already: no deadline left to move
    REJECTED = "rejected"  # the agency sent the letter back
    WAITING = "waiting"  # an earlier request still awaits the sender's answer
    NOT_LATER = "not_later"  # the date is not after the current deadline (or today)
    TOO_FAR = "too_far"
    NO_REASON = "no_reason"
    REASON_TOO_LONG = "reason_too_long"


@dataclass(frozen=True)
class ExtensionOutcome:
    """What to tell the officer (texts `extension.<result>`), with the letter's details."""

    result: ExtensionResult
    number: str = ""
    subject: str = ""
    deadline: date | None = None
    new_deadline: date | None = None


async def may_ask(session: AsyncSession, delivery_id: int, user_id: int) -> ExtensionOutcome:
    """Whether this user may ask for more time for this delivery (ASK), or why not."""
    outcome, _, _ = await _examine(session, delivery_id, user_id)
    return outcome


async def _examine(
    session: AsyncSession, delivery_id: int, user_id: int
) -> tuple[ExtensionOutcome, queries.LetterFacts | None, int | None]:
    """may_ask's answer, with the delivery's facts and the asking contact when it may."""
    refusal, press = await check_press(session, delivery_id, user_id, "extension")
    if refusal == AckResult.REFUSED:
        return ExtensionOutcome(ExtensionResult.REFUSED), None, None
    if refusal == AckResult.RECALLED:
        return ExtensionOutcome(ExtensionResult.RECALLED), None, None
    facts = await queries.letter_facts(session, delivery_id)
    if facts is None or (refusal is not None and refusal != AckResult.REJECTED):
        return ExtensionOutcome(ExtensionResult.GONE), None, None
    found = ExtensionOutcome(ExtensionResult.ASK, facts.number, facts.subject, facts.deadline)
    if facts.status == DeliveryStatus.REJECTED:
        return _with(found, ExtensionResult.REJECTED), None, None
    if facts.status == DeliveryStatus.COMPLETED:
        return _with(found, ExtensionResult.COMPLETED), None, None
    if press is None:
        return _with(found, ExtensionResult.GONE), None, None
    waiting = await queries.pending_request(session, delivery_id)
    if waiting is not None:
        result = ExtensionResult.WAITING
        outcome = ExtensionOutcome(
            result, facts.number, facts.subject, facts.deadline, waiting.new_deadline
        )
        return outcome, None, None
    return found, facts, press.contact_id


def _with(outcome: ExtensionOutcome, result: ExtensionResult) -> ExtensionOutcome:
    return ExtensionOutcome(
        result, outcome.number, outcome.subject, outcome.deadline, outcome.new_deadline
    )


async def request_extension(
    session: AsyncSession,
    *,
    delivery_id: int,
    user_id: int,
    new_deadline: date,
    reason: str,
    now: datetime,
    today: date,
    settings: Settings,
) -> ExtensionOutcome:
    """Record the request and send it to the letter's sender with Đồng ý / Từ chối.

    Checked again from the start: the officer may have been removed, the letter closed or
    another officer of the agency may have asked meanwhile. A refusal changes nothing.
    """
    asked, facts, contact_id = await _examine(session, delivery_id, user_id)
    if asked.result != ExtensionResult.ASK or facts is None:
        return asked
    reason = " ".join(reason.split())
    problem = _date_problem(new_deadline, asked.deadline, today) or _reason_problem(reason)
    if problem is not None:
        return _with(asked, problem)
    request = await queries.add_request(
        session,
        delivery_id=delivery_id,
        contact_id=contact_id,
        user_id=user_id,
        new_deadline=new_deadline,
        reason=reason,
        now=now,
    )
    await record_event(
        session,
        "extension.requested",
        actor_type="user",
        actor_id=user_id,
        directive_id=facts.directive_id,
        agency_id=facts.agency_id,
        request_id=request.id,
        deadline=facts.deadline.isoformat() if facts.deadline else None,
        new_deadline=new_deadline.isoformat(),
        reason=reason,
    )
    current = facts.deadline

    def text(lang: str) -> str:
        return t(
            lang,
            "extension.request",
            agency=facts.agency_name,
            number=facts.number,
            subject=subject_line(facts.subject),
            deadline=dmy(current) if current else t(lang, "extension.no_deadline"),
            new_deadline=dmy(new_deadline),
            reason=reason,
        )

    def keyboard(lang: str) -> list[list[dict[str, str]]]:
        return [
            [
                {
                    "text": t(lang, f"extension.{action}_button"),
                    "callback_data": callbacks.pack(callbacks.DecideExtension(request.id, action)),
                }
                for action in ("y", "n")
            ]
        ]

    chats = await sender_chats(session, settings, facts.sender)
    await queue_notices(session, [(None, None, chat) for chat in chats], now, text, keyboard)
    return ExtensionOutcome(
        ExtensionResult.SENT, facts.number, facts.subject, facts.deadline, new_deadline
    )


def _date_problem(new_deadline: date, deadline: date | None, today: date) -> ExtensionResult | None:
    """A new deadline must be later than the current one (and than today), and not absurd."""
    floor = max(today, deadline) if deadline is not None else today
    if new_deadline <= floor:
        return ExtensionResult.NOT_LATER
    if new_deadline > today + MAX_EXTENSION:
        return ExtensionResult.TOO_FAR
    return None


def _reason_problem(reason: str) -> ExtensionResult | None:
    if not reason:
        return ExtensionResult.NO_REASON
    if len(reason) > MAX_REASON_LENGTH:
        return ExtensionResult.REASON_TOO_LONG
    return None


# --- the sender's answer ---------------------------------------------------------------------


class DecisionResult(StrEnum):
    APPROVED = "approved"
    REFUSED = "refused"
    ANSWERED = "answered"  # the request was answered already (another press, /deadline)
    GONE = "gone"  # no such request, or the letter is no longer open


@dataclass(frozen=True)
class DecisionOutcome:
    result: DecisionResult
    agency: str = ""
    number: str = ""
    new_deadline: date | None = None


async def decide_extension(
    session: AsyncSession,
    *,
    request_id: int,
    approve: bool,
    staff_id: int,
    now: datetime,
    reminders: Reminders,
) -> DecisionOutcome:
    """Đồng ý: the date becomes the agency's own deadline and its report reminders move;
    Từ chối: nothing changes. Either way the officer who asked is told."""
    request = await queries.get_request(session, request_id)
    facts = None if request is None else await queries.letter_facts(session, request.delivery_id)
    if request is None or facts is None:
        return DecisionOutcome(DecisionResult.GONE)
    found = DecisionOutcome(
        DecisionResult.GONE, facts.agency_name, facts.number, request.new_deadline
    )
    if not facts.open:
        return found
    status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
    if not await queries.decide_request(session, request_id, status, staff_id, now):
        return DecisionOutcome(
            DecisionResult.ANSWERED, facts.agency_name, facts.number, request.new_deadline
        )
    if approve:
        await apply_deadline(session, facts, request.new_deadline, now, reminders)
    await record_event(
        session,
        "extension.approved" if approve else "extension.refused",
        actor_type="staff",
        actor_id=staff_id,
        directive_id=facts.directive_id,
        agency_id=facts.agency_id,
        request_id=request_id,
        new_deadline=request.new_deadline.isoformat(),
    )
    key = "extension.told_approved" if approve else "extension.told_refused"
    current = facts.deadline

    def text(lang: str) -> str:
        return t(
            lang,
            key,
            number=facts.number,
            subject=subject_line(facts.subject),
            new_deadline=dmy(request.new_deadline),
            deadline=dmy(current) if current else t(lang, "extension.no_deadline"),
        )

    await queue_notices(session, await _officers(session, facts, request.requested_by), now, text)
    result = DecisionResult.APPROVED if approve else DecisionResult.REFUSED
    return DecisionOutcome(result, facts.agency_name, facts.number, request.new_deadline)


async def _officers(
    session: AsyncSession, facts: queries.LetterFacts, user_id: int | None
) -> list[tuple[int | None, int | None, int]]:
    """Who hears the answer: the officer who asked, if still an active contact of the agency;
    else every active contact of it."""
    chats = await queries.active_chats(session, facts.agency_id)
    asked = [(contact, chat) for contact, chat in chats if chat == user_id]
    return [(facts.delivery_id, contact, chat) for contact, chat in asked or chats]


async def apply_deadline(
    session: AsyncSession,
    facts: queries.LetterFacts,
    new_deadline: date,
    now: datetime,
    reminders: Reminders,
) -> None:
    """Make `new_deadline` the agency's own; an acknowledged agency that has not reported is
    chased for its report from it, its rounds counted afresh."""
    directive = await get_directive(session, facts.directive_id)
    due = None
    if directive is not None and facts.status == DeliveryStatus.ACKNOWLEDGED:
        due = reminders.report_due(directive, new_deadline, now)
    await queries.set_own_deadline(
        session,
        facts.delivery_id,
        new_deadline,
        next_reminder_at=due,
        chase_report=due is not None,
    )


# --- /deadline ID CODE DATE REASON -----------------------------------------------------------


class DeadlineError(Exception):
    """Why the deadline was not set; `key` names the text for Telegram users."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


@dataclass(frozen=True)
class DeadlineSet:
    agency: str
    number: str


async def set_deadline(
    session: AsyncSession,
    *,
    directive_id: int,
    agency_code: str,
    new_deadline: date,
    reason: str,
    staff_id: int | None,
    now: datetime,
    today: date,
    reminders: Reminders,
) -> DeadlineSet:
    """Staff set an agency's own deadline; requests still waiting are answered by it, and the
    agency is told. Raises DeadlineError, changing nothing."""
    reason = " ".join(reason.split())
    if not reason:
        raise DeadlineError("deadline.no_reason", "a reason is required")
    if len(reason) > MAX_REASON_LENGTH:
        raise DeadlineError("deadline.reason_too_long", "the reason is too long")
    if new_deadline < today or new_deadline > today + MAX_EXTENSION:
        raise DeadlineError("deadline.bad_date", f"{new_deadline} is in the past or too far")
    directive = await get_directive(session, directive_id)
    if directive is None:
        raise DeadlineError("deadline.unknown", f"no directive with id {directive_id}")
    delivery = await delivery_for(session, directive_id, agency_code)
    facts = None if delivery is None else await queries.letter_facts(session, delivery.id)
    if facts is None:
        raise DeadlineError(
            "deadline.not_a_recipient", f"{agency_code!r} is not a recipient of {directive_id}"
        )
    if not facts.open:
        raise DeadlineError("deadline.unknown", f"directive {directive_id} is not open")
    await queries.supersede_requests(session, facts.delivery_id, staff_id, now)
    await apply_deadline(session, facts, new_deadline, now, reminders)
    await record_event(
        session,
        "deadline.set",
        actor_type="staff" if staff_id else "cli",
        actor_id=staff_id,
        directive_id=directive_id,
        agency_id=facts.agency_id,
        deadline=new_deadline.isoformat(),
        reason=reason,
    )

    def text(lang: str) -> str:
        return t(
            lang,
            "deadline.told",
            number=facts.number,
            subject=subject_line(facts.subject),
            deadline=dmy(new_deadline),
            reason=reason,
        )

    await queue_notices(session, await _officers(session, facts, None), now, text)
    return DeadlineSet(facts.agency_name, facts.number)
