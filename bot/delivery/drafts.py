"""Turning a draft into a queued broadcast: from /broadcast's Gửi and `agency-bot broadcast`."""

from __future__ import annotations

import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.directive_input import OTHERS, DirectiveDraft
from db.models import Directive, DirectiveStatus
from db.queries import directives as queries
from db.queries import items as items_queries
from db.queries.events import record_event, record_failed_deliveries
from db.queries.relay import codes_outside_subtree, mark_relays


class UnknownTargetsError(ValueError):
    def __init__(self, targets: Sequence[str]) -> None:
        super().__init__(f"unknown recipients: {', '.join(targets)}")
        self.targets = list(targets)


class ItemsError(ValueError):
    """Items that reach none of the letter's recipients (by number, with whom they name)."""

    def __init__(self, nobody: Sequence[tuple[int, Sequence[str]]]) -> None:
        self.nobody = [(number, list(to)) for number, to in nobody]
        described = "; ".join(f"item {n} ({', '.join(to)})" for n, to in self.nobody)
        super().__init__(f"addressed to none of the letter's recipients: {described}")


class OutsideSubtreeError(UnknownTargetsError):
    """A relayed letter named groups or agencies that are not under its relay."""


@dataclass(frozen=True)
class TelegramAttachment:
    """A document staff replied to: Telegram already has it, so only its id is kept."""

    file_id: str
    file_name: str


def _seconds(value: timedelta | None) -> int | None:
    return None if value is None else int(value.total_seconds())


async def create_directive(
    session: AsyncSession,
    draft: DirectiveDraft,
    *,
    now: datetime,
    timezone: ZoneInfo,
    created_by: int | None,
    status: DirectiveStatus,
    telegram_attachment: TelegramAttachment | None = None,
) -> Directive:
    """Store the draft; the file of a directive file is read now so a restart can upload it."""
    attachment = None
    if draft.attachment is not None:
        mime = mimetypes.guess_type(draft.attachment.name)[0] or "application/octet-stream"
        attachment = (draft.attachment.name, mime, draft.attachment.read_bytes())
    issue_date: date = draft.issue_date or now.astimezone(timezone).date()
    directive = await queries.add_directive(
        session,
        number=draft.number,
        subject=draft.subject,
        body=draft.body,
        links=draft.links,
        actions=draft.actions,
        targets=draft.targets,
        urgency=draft.urgency,
        issue_date=issue_date,
        deadline=draft.deadline,
        created_by=created_by,
        status=status,
        attachment=attachment,
        attachment_file_id=telegram_attachment.file_id if telegram_attachment else None,
        attachment_name=telegram_attachment.file_name if telegram_attachment else None,
        reminder_overrides=(
            _seconds(draft.reminders.first_after),
            _seconds(draft.reminders.every),
            draft.reminders.max_count,
        ),
        items=[item.stored() for item in draft.items],
        relay_allowed=draft.relay,
    )
    await record_event(
        session,
        "directive.created",
        actor_type="staff" if created_by else "cli",
        actor_id=created_by,
        directive_id=directive.id,
        number=directive.number,
    )
    return directive


async def set_targets(session: AsyncSession, directive: Directive, targets: Sequence[str]) -> None:
    """Check and store the recipients; unknown groups or codes change nothing, and neither
    do, for a relayed letter, groups and codes outside its relay's subtree."""
    await check_targets(session, queries.Scope.of(directive), targets)
    directive.targets = list(dict.fromkeys(targets))


async def item_audience(session: AsyncSession, directive: Directive) -> list[int]:
    """How many recipients each item reaches; raises UnknownTargetsError for an item naming an
    unknown group or code, ItemsError for items that reach none of the recipients."""
    items = directive.items
    if not items:
        return []
    named = [target for item in items for target in item["to"] if target != OTHERS]
    unknown = await queries.unknown_targets(session, list(dict.fromkeys(named)))
    if unknown:
        raise UnknownTargetsError(unknown)
    counts = await items_queries.item_audience(
        session, queries.target_filter(directive.targets, queries.Scope.of(directive)), items
    )
    pairs = enumerate(zip(items, counts, strict=True), start=1)
    nobody = [(number, item["to"]) for number, (item, count) in pairs if count == 0]
    if nobody:
        raise ItemsError(nobody)
    return counts


async def check_targets(
    session: AsyncSession, scope: queries.Scope, targets: Sequence[str]
) -> None:
    """Raise UnknownTargetsError (OutsideSubtreeError for a relay) naming what cannot be
    addressed in `scope`."""
    if scope.relay is None:
        unknown = await queries.unknown_targets(session, targets)
        if unknown:
            raise UnknownTargetsError(unknown)
        return
    groups = {group for group, _ in await queries.groups_with_counts(session, scope)}
    named = [t for t in targets if t != queries.ALL and t not in groups]
    outside = await codes_outside_subtree(session, scope.relay, named)
    if outside:
        raise OutsideSubtreeError(outside)


async def queue_broadcast(
    session: AsyncSession,
    directive: Directive,
    *,
    now: datetime,
    actor_id: int | None,
    actor_type: str | None = None,
) -> queries.QueueResult:
    """Write the deliveries and the queued messages, in the caller's one transaction; the
    relays among the recipients are marked (they get the Chuyển tiếp button).

    A letter whose items do not all reach a recipient is refused (ItemsError), as is one whose
    items name an unknown group or code (UnknownTargetsError).
    """
    await item_audience(session, directive)
    result = await queries.queue_directive(session, directive, now)
    if directive.relay_allowed:
        await mark_relays(session, directive.id)
    if result.unreachable:
        await record_failed_deliveries(session, directive.id)
    await record_event(
        session,
        "directive.queued",
        actor_type=actor_type or ("staff" if actor_id else "cli"),
        actor_id=actor_id,
        directive_id=directive.id,
        agencies=result.agencies,
        messages=result.messages,
        unreachable=result.unreachable,
    )
    return result


async def cancel_draft(session: AsyncSession, directive: Directive, actor_id: int) -> bool:
    """Hủy: False when the draft was sent (or cancelled) meanwhile, by a Gửi pressed at the
    same moment: then nothing changes."""
    if not await queries.leave_draft(session, directive.id, DirectiveStatus.CANCELLED):
        return False
    directive.status = DirectiveStatus.CANCELLED
    await record_event(
        session,
        "directive.cancelled",
        actor_type="staff",
        actor_id=actor_id,
        directive_id=directive.id,
    )
    return True
