"""Báo cáo kết quả: an officer reports what the agency did, with evidence.

The report in progress is bound to one delivery and kept in the database; it ends with
the officer's confirmation, or expires and says so.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot
from telegram.error import TelegramError

from bot.answers.acknowledge import AckResult, check_press
from bot.evidence.pages import extract_urls
from bot.onboarding.identity import language_of
from bot.texts import t
from db.models import Verification
from db.queries import completions
from db.queries.answers import press_context
from db.queries.directives import get_directive
from db.queries.events import record_event
from db.queries.items import needs_link_check

log = logging.getLogger(__name__)

MAX_ITEMS = 20
MAX_TEXT = 2000


class CompletionResult(StrEnum):
    STARTED = "started"
    REFUSED = "refused"
    GONE = "gone"
    ADDED = "added"
    NO_SESSION = "no_session"
    EMPTY = "empty"
    DONE = "done"
    CANCELLED = "cancelled"
    TOO_MANY = "too_many"


@dataclass(frozen=True)
class CompletionOutcome:
    result: CompletionResult
    delivery_id: int | None = None
    number: str = ""
    subject: str = ""
    items: int = 0
    replaced: str | None = None
    directive_id: int | None = None
    links: tuple[str, ...] = ()
    url_checks: tuple[tuple[int, str], ...] = field(default=())  # (evidence id, url)


async def _directive_of(
    session: AsyncSession, directive_id: int
) -> tuple[str, str, tuple[str, ...]]:
    directive = await get_directive(session, directive_id)
    if directive is None:  # directives are never deleted; a delivery's always exists
        raise LookupError(f"directive {directive_id} is gone")
    return directive.number, directive.subject, tuple(directive.links)


async def start_completion(
    session: AsyncSession, delivery_id: int, user_id: int, now: datetime, ttl: timedelta
) -> CompletionOutcome:
    refusal, press = await check_press(session, delivery_id, user_id, "report")
    if refusal == AckResult.REFUSED:
        return CompletionOutcome(CompletionResult.REFUSED)
    if refusal is not None or press is None or press.contact_id is None:
        return CompletionOutcome(CompletionResult.GONE)
    replaced_delivery = await completions.start_session(
        session,
        user_id=user_id,
        delivery_id=delivery_id,
        contact_id=press.contact_id,
        now=now,
        expires_at=now + ttl,
    )
    replaced = None
    if replaced_delivery is not None:
        old = await press_context(session, replaced_delivery, user_id)
        replaced = old.directive_number if old else None
    number, subject, _ = await _directive_of(session, press.directive_id)
    return CompletionOutcome(
        CompletionResult.STARTED,
        delivery_id,
        number,
        subject,
        replaced=replaced,
        directive_id=press.directive_id,
    )


def evidence_items(
    text: str | None, file_id: str | None = None, file_name: str | None = None, kind: str = ""
) -> list[dict[str, Any]]:
    """What one message contributes: its URLs, its text, its photo or document."""
    items: list[dict[str, Any]] = []
    if file_id is not None:
        items.append({"kind": kind, "value": file_name or kind, "file_id": file_id})
    if text:
        items += [{"kind": "url", "value": url} for url in extract_urls(text)]
        items.append({"kind": "text", "value": text[:MAX_TEXT]})
    return items


async def add_evidence(
    session: AsyncSession, user_id: int, items: list[dict[str, Any]], now: datetime
) -> CompletionOutcome:
    """Add one message's items to the open report (locked first: messages sent together
    are all kept, and each is told the right count)."""
    await completions.lock_session(session, user_id)
    report = await completions.open_session(session, user_id, now)
    if report is None:
        return CompletionOutcome(CompletionResult.NO_SESSION)
    press = await press_context(session, report.delivery_id, user_id)
    if press is None:  # the delivery went (its rows cascade): nothing to add to
        return CompletionOutcome(CompletionResult.NO_SESSION)
    number, subject, _ = await _directive_of(session, press.directive_id)
    if len(report.items) + len(items) > MAX_ITEMS:
        return CompletionOutcome(CompletionResult.TOO_MANY, report.delivery_id, number, subject)
    report.items = [*report.items, *items]
    return CompletionOutcome(
        CompletionResult.ADDED, report.delivery_id, number, subject, items=len(report.items)
    )


async def confirm_completion(
    session: AsyncSession, user_id: int, delivery_id: int, now: datetime, *, check_links: bool
) -> CompletionOutcome:
    """The officer confirms: the agency is completed with its evidence, URLs to be checked
    (the report locked first, so that evidence arriving meanwhile is not lost)."""
    await completions.lock_session(session, user_id)
    report = await completions.open_session(session, user_id, now)
    if report is None or report.delivery_id != delivery_id:
        return CompletionOutcome(CompletionResult.NO_SESSION)
    press = await press_context(session, delivery_id, user_id)
    if press is None or not press.directive_open or not press.contact_active:
        await completions.end_session(session, user_id)
        return CompletionOutcome(CompletionResult.GONE)
    number, subject, links = await _directive_of(session, press.directive_id)
    if not report.items:
        return CompletionOutcome(CompletionResult.EMPTY, delivery_id, number, subject)
    # Only an agency one of whose items asks it to publish the links is checked.
    check_links = check_links and await needs_link_check(session, delivery_id)
    pending = Verification.PENDING if check_links else None
    url_ids = await completions.complete_delivery(
        session,
        delivery_id=delivery_id,
        contact_id=report.contact_id,
        items=report.items,
        verification=pending,
        now=now,
    )
    urls = [item["value"] for item in report.items if item["kind"] == "url"]
    await completions.end_session(session, user_id)
    await record_event(
        session,
        "delivery.completed",
        actor_type="user",
        actor_id=user_id,
        directive_id=press.directive_id,
        agency_id=press.agency_id,
        evidence=[item["value"] for item in report.items],
    )
    checks = tuple(zip(url_ids, urls, strict=True)) if check_links else ()
    return CompletionOutcome(
        CompletionResult.DONE,
        delivery_id,
        number,
        subject,
        items=len(report.items),
        directive_id=press.directive_id,
        links=links,
        url_checks=checks,
    )


async def cancel_completion(session: AsyncSession, user_id: int) -> CompletionOutcome:
    await completions.end_session(session, user_id)
    return CompletionOutcome(CompletionResult.CANCELLED)


async def expire_completions(session: AsyncSession, now: datetime) -> list[tuple[int, str]]:
    """End the reports left half-way: (user id, directive number) of each, to tell them."""
    expired = []
    for report in await completions.expired_sessions(session, now):
        press = await press_context(session, report.delivery_id, report.telegram_user_id)
        expired.append((report.telegram_user_id, press.directive_number if press else ""))
        await session.delete(report)
    return expired


async def expire_and_tell(
    bot: Bot, sessionmaker: async_sessionmaker[AsyncSession], now: datetime
) -> None:
    """Reports left half-way end, and each officer is told which letter's report ended."""
    async with sessionmaker.begin() as session:
        expired = await expire_completions(session, now)
    for user_id, number in expired:
        async with sessionmaker() as session:
            lang = await language_of(session, user_id, None)
        try:
            await bot.send_message(user_id, t(lang, "completion.expired", number=number))
        except TelegramError:
            log.warning("could not tell %s that their report expired", user_id)
