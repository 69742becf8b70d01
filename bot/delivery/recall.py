"""Thu hồi and đính chính (recall and correction): staff withdraw a letter sent by mistake,
or send every recipient a correction of it.

Both only write rows: the dispatcher does the Telegram side at Telegram's pace, with its
retries, and a restart resumes it. A recall cancels what is still queued, edits every copy
already delivered (or being sent right now) to "ĐÃ THU HỒI" without its buttons, and stops
the letter's reminders; later presses on any of its buttons are refused politely. A
correction is sent to every recipient's chat as a reply to its copy of the letter, after
that copy if it has not gone out yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.render import subject_line
from bot.telegram.timefmt import format_local
from bot.texts import DEFAULT_LANGUAGE, t
from db.models import DirectiveStatus, MessageKind, MessageStatus
from db.queries import recall as queries
from db.queries.directives import get_directive
from db.queries.events import record_event

MAX_REASON_LENGTH = 500
MAX_CORRECTION_LENGTH = 3000
"""A correction is one message with the letter's number and subject: it must fit 4096."""
SUBJECT_QUOTE = 160


class RecallError(Exception):
    """Why nothing was done; `key` names the text for Telegram users, the message is the CLI's
    one-line error."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


@dataclass(frozen=True)
class Recalled:
    number: str
    edits: int  # delivered copies (or being sent) to be edited
    cancelled: int  # messages that were still queued and will not go


@dataclass(frozen=True)
class Corrected:
    number: str
    messages: int


def _quote(subject: str) -> str:
    line = subject_line(subject)
    return line if len(line) <= SUBJECT_QUOTE else line[: SUBJECT_QUOTE - 1] + "…"


def _text(text: str, limit: int, key: str, what: str) -> str:
    """`text` stripped; RecallError when empty or over `limit` (`what` names it in English)."""
    text = text.strip()
    if not text:
        raise RecallError(f"{key}.no_text", f"the {what} is empty")
    if len(text) > limit:
        raise RecallError(f"{key}.too_long", f"the {what} is over {limit} characters")
    return text


async def check_recallable(session: AsyncSession, directive_id: int) -> tuple[str, str]:
    """(number, subject) of a letter that may be recalled; RecallError otherwise."""
    directive = await get_directive(session, directive_id)
    if directive is None or directive.status in (DirectiveStatus.DRAFT, DirectiveStatus.CANCELLED):
        raise RecallError("recall.unknown", f"no directive with id {directive_id}")
    if directive.status == DirectiveStatus.RECALLED:
        raise RecallError("recall.already", f"directive {directive_id} is recalled already")
    return directive.number, directive.subject


async def recall_directive(
    session: AsyncSession,
    directive_id: int,
    reason: str,
    *,
    staff_id: int | None,
    now: datetime,
    tz_name: str,
) -> Recalled:
    """Recall the letter; raises RecallError, changing nothing."""
    reason = _text(reason, MAX_REASON_LENGTH, "recall", "reason")
    number, subject = await check_recallable(session, directive_id)
    directive = await get_directive(session, directive_id)
    if directive is None or not await queries.mark_recalled(
        session, directive_id, reason=reason, by=staff_id, now=now
    ):
        raise RecallError("recall.already", f"directive {directive_id} is recalled already")
    cancelled = await queries.cancel_queued(session, directive_id)
    # Letters are sent in Vietnamese (bot.delivery.render), so is what replaces them.
    lang = DEFAULT_LANGUAGE
    payload = {
        "text": t(
            lang,
            "recall.copy",
            number=number,
            subject=_quote(subject),
            at=format_local(now, tz_name),
            reason=reason,
        ),
        "rest": t(lang, "recall.copy_rest", number=number),
        "caption_first": directive.attachment_name is not None,
    }
    edits = await queries.queue_for_copies(
        session,
        directive_id,
        kind=MessageKind.EDIT,
        payload=payload,
        of=(MessageStatus.SENT, MessageStatus.SENDING),
        now=now,
    )
    await record_event(
        session,
        "directive.recalled",
        actor_type="staff" if staff_id else "cli",
        actor_id=staff_id,
        directive_id=directive_id,
        reason=reason,
        edits=edits,
        cancelled=cancelled,
    )
    return Recalled(number, edits, cancelled)


async def correct_directive(
    session: AsyncSession, directive_id: int, text: str, *, staff_id: int | None, now: datetime
) -> Corrected:
    """Queue a correction for every copy of the letter sent or still to be sent; raises
    RecallError, changing nothing."""
    text = _text(text, MAX_CORRECTION_LENGTH, "correct", "correction")
    directive = await get_directive(session, directive_id)
    if directive is None or directive.status in (DirectiveStatus.DRAFT, DirectiveStatus.CANCELLED):
        raise RecallError("correct.unknown", f"no directive with id {directive_id}")
    if directive.status == DirectiveStatus.RECALLED:
        raise RecallError("correct.recalled", f"directive {directive_id} was recalled")
    payload = {
        "text": t(
            DEFAULT_LANGUAGE,
            "correct.copy",
            number=directive.number,
            subject=_quote(directive.subject),
            text=text,
        )
    }
    messages = await queries.queue_for_copies(
        session,
        directive_id,
        kind=MessageKind.CORRECTION,
        payload=payload,
        of=(MessageStatus.QUEUED, MessageStatus.SENDING, MessageStatus.SENT),
        now=now,
    )
    directive.corrections += 1
    await record_event(
        session,
        "directive.corrected",
        actor_type="staff" if staff_id else "cli",
        actor_id=staff_id,
        directive_id=directive_id,
        text=text,
        messages=messages,
    )
    return Corrected(directive.number, messages)
