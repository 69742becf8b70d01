"""Relaying a letter down the hierarchy: the relay's own letter, limited to its
subtree, composed like a /broadcast draft and queued like any letter.

A relayed letter is a directive: it quotes the original (who sent it, its number and date,
its subject and text), keeps its links, actions, attachment and reminder cadence, and goes
to units under the relay. Every check lives here, so that the Chuyển tiếp button, `/relay`
and `agency-bot relay` refuse the same things with the same words, and change nothing when
they refuse.
"""

from __future__ import annotations

import html
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.answers.by_hand import MarkStatus, mark_by_hand
from bot.delivery.directive_input import RelayText
from bot.delivery.drafts import (
    OutsideSubtreeError,
    UnknownTargetsError,
    check_targets,
    queue_broadcast,
)
from bot.delivery.render import subject_line
from bot.texts import DEFAULT_LANGUAGE, t
from db.models import Agency, Directive, DirectiveStatus
from db.queries import directives as queries
from db.queries import relay as relay_queries
from db.queries.agencies import get_agency_by_code
from db.queries.directives import ALL, QueueResult, Scope
from db.queries.events import record_event
from db.queries.relay import RelaySource

MAX_NUMBER = 64
BY_HAND_REASON = "chuyển tiếp thay đơn vị (agency-bot relay)"


class RelayError(Exception):
    """Why nothing was relayed: `key` and `params` are the text for Telegram users, the
    message is the one-line English error of the command line."""

    def __init__(self, key: str, message: str, **params: object) -> None:
        super().__init__(message)
        self.key = key
        self.params = params


def plain(key: str, **params: object) -> str:
    """A catalogue text as plain letter text (a letter's body is escaped when rendered)."""
    return html.unescape(t(DEFAULT_LANGUAGE, key, **params))


# --- may this agency relay this letter? ------------------------------------------------------


async def relayable(session: AsyncSession, source: RelaySource | None) -> RelaySource:
    """The source, if its agency may relay it now; else RelayError saying why."""
    if source is None:
        raise RelayError("relay.not_recipient", "the agency is not a recipient of this letter")
    if not source.directive_open:
        raise RelayError(
            "relay.gone",
            f"directive {source.directive_id} is closed",
            number=source.directive_number,
        )
    if not source.relay_allowed:
        raise RelayError(
            "relay.disabled",
            f"relaying is turned off for directive {source.directive_id}",
            number=source.directive_number,
        )
    if source.relay_units <= 0:
        raise RelayError(
            "relay.no_units",
            f"{source.agency_code} has no units under it to relay to",
            agency=source.agency_name,
        )
    if source.relayed_directive_id is not None:
        relayed = await queries.get_directive(session, source.relayed_directive_id)
        number = relayed.number if relayed is not None else ""
        raise RelayError(
            "relay.already",
            f"{source.agency_code} already relayed directive {source.directive_id} "
            f"as directive {source.relayed_directive_id}",
            agency=source.agency_name,
            number=number,
            id=source.relayed_directive_id,
        )
    return source


# --- the relayed letter ----------------------------------------------------------------------


async def issuer_name(session: AsyncSession, letter: Directive) -> str:
    """Who sent `letter`: the relay that relayed it, else the department."""
    if letter.relayed_by_agency_id is not None:
        agency = await session.get(Agency, letter.relayed_by_agency_id)
        if agency is not None:
            return agency.name
    return plain("relay.department")


def _about(subject: str) -> str:
    """ "về việc …" from "V/v …": how a letter is named inside another."""
    line = subject_line(subject)
    return plain("relay.about", subject=line[3:].strip())


async def relay_body(session: AsyncSession, draft: Directive) -> str:
    """The relayed letter's text: who relays what (the quote of the original), the relay's
    note, then the original's own text."""
    if draft.parent_directive_id is None or draft.relayed_by_agency_id is None:
        raise ValueError(f"directive {draft.id} is not a relayed letter")
    parent = await queries.get_directive(session, draft.parent_directive_id)
    agency = await session.get(Agency, draft.relayed_by_agency_id)
    if parent is None or agency is None:
        raise LookupError(f"directive {draft.id}: its original or its relay is gone")
    quote = plain(
        "relay.quote",
        number=parent.number,
        issuer=await issuer_name(session, parent),
        date=parent.issue_date.strftime("%d/%m/%Y"),
        about=_about(parent.subject),
        relay=agency.name,
    )
    parts = [quote]
    if draft.relay_note:
        parts.append(draft.relay_note)
    parts.append(plain("relay.original", number=parent.number))
    if parent.body.strip():
        parts.append(parent.body.strip())
    return "\n\n".join(parts)


def default_number(directive_id: int, agency_code: str) -> str:
    """A relayed letter's number when the relay gives none: its id and the relay's code."""
    return f"{directive_id}/{agency_code.upper()}"[:MAX_NUMBER]


async def start_relay(
    session: AsyncSession,
    source: RelaySource,
    *,
    created_by: int | None,
    now: datetime,
    timezone: ZoneInfo,
) -> Directive:
    """A draft of the relayed letter: the original's subject, links, actions, attachment,
    deadline and cadence; recipients not chosen yet."""
    parent = await queries.get_directive(session, source.directive_id)
    if parent is None:
        raise LookupError(f"directive {source.directive_id} is gone")
    attachment = None
    if parent.attachment_name is not None and parent.attachment_file_id is None:
        data = await queries.get_directive_file(session, parent.id)
        if data is not None:
            mime = parent.attachment_mime_type or "application/octet-stream"
            attachment = (parent.attachment_name, mime, data)
    draft = await queries.add_directive(
        session,
        number=None,
        subject=parent.subject,
        body="",
        links=parent.links,
        actions=parent.actions,
        targets=[],
        urgency=parent.urgency,
        issue_date=now.astimezone(timezone).date(),
        deadline=parent.deadline,
        created_by=created_by,
        status=DirectiveStatus.DRAFT,
        attachment=attachment,
        attachment_file_id=parent.attachment_file_id,
        attachment_name=parent.attachment_name,
        reminder_overrides=(
            parent.reminder_first_after_s,
            parent.reminder_every_s,
            parent.reminder_max_count,
        ),
        relay_allowed=True,
        parent_directive_id=parent.id,
        relayed_by_agency_id=source.agency_id,
    )
    draft.attachment_mime_type = parent.attachment_mime_type
    draft.number = default_number(draft.id, source.agency_code)
    draft.body = await relay_body(session, draft)
    await record_event(
        session,
        "relay.drafted",
        actor_type="user" if created_by else "cli",
        actor_id=created_by,
        directive_id=parent.id,
        agency_id=source.agency_id,
        draft_id=draft.id,
    )
    return draft


def check_deadline(deadline: date | None, original: date | None) -> None:
    """A relay may give its units less time than it was given, never more."""
    if deadline is None or original is None or deadline <= original:
        return
    raise RelayError(
        "relay.late_deadline",
        f"the deadline {deadline.isoformat()} is later than the original's "
        f"({original.isoformat()})",
        deadline=deadline.strftime("%d/%m/%Y"),
        original=original.strftime("%d/%m/%Y"),
    )


async def set_details(session: AsyncSession, draft: Directive, details: RelayText) -> None:
    """The relay's number, deadline (no later than the original's) and note; a refused
    deadline changes nothing."""
    parent = await queries.get_directive(session, draft.parent_directive_id or 0)
    if parent is None:
        raise LookupError(f"directive {draft.id} has no original")
    check_deadline(details.deadline, parent.deadline)
    if details.number:
        draft.number = details.number[:MAX_NUMBER]
    if details.deadline is not None:
        draft.deadline = details.deadline
    if details.note is not None:
        draft.relay_note = details.note or None
    draft.body = await relay_body(session, draft)


async def set_relay_targets(session: AsyncSession, draft: Directive, targets: list[str]) -> None:
    """Store the recipients; a code outside the relay's subtree is refused by name."""
    try:
        await check_targets(session, Scope.of(draft), targets)
    except OutsideSubtreeError as error:
        raise _outside(error) from None
    draft.targets = list(dict.fromkeys(targets))


def _outside(error: UnknownTargetsError) -> RelayError:
    shown = ", ".join(error.targets)
    return RelayError(
        "relay.outside", f"not under the relay: {shown}", targets=shown, count=len(error.targets)
    )


async def queue_relay(
    session: AsyncSession,
    draft: Directive,
    *,
    now: datetime,
    actor_type: str,
    actor_id: int | None,
) -> QueueResult:
    """Gửi: check everything again, record that the relay relayed, and queue the letter,
    all in the caller's one transaction. Raises RelayError, changing nothing."""
    if draft.parent_directive_id is None or draft.relayed_by_agency_id is None:
        raise ValueError(f"directive {draft.id} is not a relayed letter")
    if draft.status != DirectiveStatus.DRAFT:
        raise RelayError("broadcast.already_done", f"directive {draft.id} is not a draft")
    source = await relayable(
        session,
        await relay_queries.source_of(
            session, draft.parent_directive_id, draft.relayed_by_agency_id
        ),
    )
    check_deadline(draft.deadline, source.deadline)
    try:
        await check_targets(session, Scope.of(draft), draft.targets)
    except OutsideSubtreeError as error:
        raise _outside(error) from None
    reach = await queries.audience(session, draft.targets, Scope.of(draft))
    if reach.agencies == 0:
        raise RelayError("relay.nobody", "no unit to relay to among the chosen recipients")
    if not await relay_queries.claim_relay(session, source.delivery_id, draft.id, now):
        await relayable(
            session, await relay_queries.source_by_delivery(session, source.delivery_id)
        )
    result = await queue_broadcast(
        session, draft, now=now, actor_id=actor_id, actor_type=actor_type
    )
    await record_event(
        session,
        "directive.relayed",
        actor_type=actor_type,
        actor_id=actor_id,
        directive_id=source.directive_id,
        agency_id=source.agency_id,
        relayed_directive_id=draft.id,
        number=draft.number,
        agencies=result.agencies,
    )
    return result


async def relay_on_behalf(
    session: AsyncSession,
    *,
    directive_id: int,
    agency_code: str,
    targets: list[str] | None,
    details: RelayText,
    now: datetime,
    timezone: ZoneInfo,
) -> tuple[Directive, QueueResult]:
    """`agency-bot relay`: staff relay a letter for an agency, with the same checks. The
    agency is taken to have received it (set by hand, if it had not acknowledged)."""
    if await queries.get_directive(session, directive_id) is None:
        raise RelayError("relay.not_recipient", f"no directive with id {directive_id}")
    agency = await get_agency_by_code(session, agency_code)
    if agency is None:
        raise RelayError(
            "relay.not_recipient",
            f"no agency with code {agency_code!r} (see: agency-bot agencies list)",
        )
    source = await relay_queries.source_of(session, directive_id, agency.id)
    if source is None:
        raise RelayError(
            "relay.not_recipient",
            f"agency {agency_code!r} is not a recipient of directive {directive_id}",
        )
    source = await relayable(session, source)
    draft = await start_relay(session, source, created_by=None, now=now, timezone=timezone)
    await set_details(session, draft, details)
    await set_relay_targets(session, draft, targets or [ALL])
    if source.acknowledged_at is None:
        await mark_by_hand(
            session,
            directive_id=directive_id,
            agency_code=agency_code,
            status=MarkStatus.ACKNOWLEDGED,
            reason=BY_HAND_REASON,
            staff_id=None,
            now=now,
        )
    result = await queue_relay(session, draft, now=now, actor_type="cli", actor_id=None)
    return draft, result


async def record_refusal(
    sessionmaker: async_sessionmaker[AsyncSession], user_id: int, source_id: int, error: RelayError
) -> None:
    """A refused Chuyển tiếp press goes to the event log with its reason."""
    async with sessionmaker.begin() as session:
        await record_event(
            session,
            "relay.refused",
            actor_type="user",
            actor_id=user_id,
            delivery_id=source_id,
            reason=error.key,
        )
