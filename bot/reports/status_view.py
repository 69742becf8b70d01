"""What /status and /pending show staff: texts and buttons, built from the query results.

Kept apart from the handlers so that the handlers stay parse → call → reply, and apart
from the queries so that the wording lives next to the catalogue keys it uses.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.reports.rollup import Rollup
from bot.reports.summary import percent
from bot.telegram import callbacks
from bot.telegram.callbacks import OpenStatus, PendingMark, PendingPage
from bot.telegram.timefmt import format_local
from bot.texts import Html, t
from db.models import DeliveryStatus
from db.queries.summary import (
    DirectiveHead,
    PendingAgency,
    RecentDirective,
    StatusCounts,
)

PAGE_SIZE = 8
MAX_TEXT = 4096
MAX_BUTTON_NUMBER = 40  # characters of a directive number shown on a button
MAX_GROUPS = 12  # lines of the card's per-group block; the rest are counted
DEFAULT_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MAX_RELAY_LINES = 15  # relays named on a /status card; the reports list them all


def human_duration(seconds: float, lang: str) -> str:
    s = max(0, round(seconds))
    if s < 60:
        return t(lang, "summary.duration.seconds", s=s)
    if s < 3600:
        return t(lang, "summary.duration.minutes", m=s // 60)
    if s < 86400:
        return t(lang, "summary.duration.hours", h=s // 3600, m=s % 3600 // 60)
    return t(lang, "summary.duration.days", d=s // 86400, h=s % 86400 // 3600)


def group_lines(
    counts: StatusCounts, lang: str, group_name: Callable[[str], str] = lambda slug: slug
) -> str:
    """The card's block per group of agencies, under the names a clerk reads; ends with a
    blank line, or is empty when there is nothing to show."""
    if not counts.by_group:
        return Html("")
    lines = [t(lang, "status.by_group")]
    for g in counts.by_group[:MAX_GROUPS]:
        lines.append(
            t(
                lang,
                "status.group_line",
                group=group_name(g.group),
                acknowledged=g.acknowledged,
                total=g.total,
                percent=percent(g.acknowledged, g.total),
                completed=g.completed,
            )
        )
    if len(counts.by_group) > MAX_GROUPS:
        lines.append(t(lang, "status.more_groups", count=len(counts.by_group) - MAX_GROUPS))
    return Html("\n".join(lines) + "\n\n")


def status_card(
    directive: DirectiveHead,
    counts: StatusCounts,
    now: datetime,
    lang: str,
    group_name: Callable[[str], str] = lambda slug: slug,
    *,
    tz: ZoneInfo = DEFAULT_TZ,
    rollup: Rollup | None = None,
) -> tuple[str, InlineKeyboardMarkup]:
    c = counts
    since = (
        t(lang, "status.since", ago=human_duration((now - c.first_sent_at).total_seconds(), lang))
        if c.first_sent_at
        else t(lang, "status.not_sent")
    )
    deadline = (
        directive.deadline.strftime("%d/%m/%Y")
        if directive.deadline
        else t(lang, "status.no_deadline")
    )
    median = (
        human_duration(c.median_ack_seconds, lang)
        if c.median_ack_seconds is not None
        else t(lang, "status.no_median")
    )
    text = t(
        lang,
        "status.card",
        number=directive.number,
        id=directive.id,
        subject=directive.subject,
        since=since,
        deadline=deadline,
        total=c.total,
        sent=c.sent,
        sent_pct=percent(c.sent, c.total),
        acknowledged=c.acknowledged,
        acknowledged_pct=percent(c.acknowledged, c.total),
        completed=c.completed,
        completed_pct=percent(c.completed, c.total),
        verified=c.verified,
        unverified=c.unverified,
        failed=c.failed,
        failed_pct=percent(c.failed, c.total),
        rejected=c.rejected,
        rejected_pct=percent(c.rejected, c.total),
        overdue=c.overdue,
        overdue_pct=percent(c.overdue, c.total),
        median=median,
        groups=group_lines(c, lang, group_name),
    )
    if directive.corrections:
        text = t(lang, "status.corrections", count=directive.corrections) + "\n" + text
    if directive.recalled_at is not None:
        at = format_local(directive.recalled_at, str(tz))
        recalled = t(lang, "status.recalled", at=at, reason=directive.recall_reason or "")
        text = recalled + "\n" + text
    if rollup is not None and not rollup.empty:
        text += relay_rollup(rollup, lang, tz, budget=MAX_TEXT - len(text))
    buttons = [
        InlineKeyboardButton(
            t(lang, "status.refresh_button"), callback_data=callbacks.pack(OpenStatus(directive.id))
        )
    ]
    waiting = c.total - c.acknowledged - c.rejected
    if waiting:
        buttons.insert(
            0,
            InlineKeyboardButton(
                t(lang, "status.pending_button", count=waiting),
                callback_data=callbacks.pack(PendingPage(directive.id, 0)),
            ),
        )
    return text, InlineKeyboardMarkup([buttons])


def relay_rollup(rollup: Rollup, lang: str, tz: ZoneInfo, *, budget: int = MAX_TEXT) -> str:
    """How far down the tree the letter went: the whole tree, then each relay (indented by
    level) with its subtree's counts; at most MAX_RELAY_LINES relays and `budget` characters."""
    r = rollup
    lines = [
        t(
            lang,
            "status.relay_header",
            units=r.units,
            reached=r.reached,
            acknowledged=r.acknowledged,
            acknowledged_pct=percent(r.acknowledged, r.units),
            completed=r.completed,
            completed_pct=percent(r.completed, r.units),
            overdue=r.overdue,
        )
    ]
    shown = 0
    for line in r.relays:
        at = line.relayed_at.astimezone(tz).strftime("%H:%M %d/%m") if line.relayed_at else "—"
        text = t(
            lang,
            "status.relay_line",
            indent="    " * (line.depth - 1),
            name=line.relay_name,
            at=at,
            id=line.directive_id,
            units=line.units,
            acknowledged=line.acknowledged,
            acknowledged_pct=percent(line.acknowledged, line.units),
            completed=line.completed,
            overdue=line.overdue,
        )
        if line.waiting:
            text += t(lang, "status.relay_line_waiting", count=line.waiting)
        if shown == MAX_RELAY_LINES or len("\n".join([*lines, text])) > budget - 200:
            break
        lines.append(text)
        shown += 1
    if shown < len(r.relays):
        lines.append(t(lang, "status.relay_more", count=len(r.relays) - shown, id=r.directive_id))
    if r.waiting:
        lines.append(t(lang, "status.relay_waiting", count=r.waiting, id=r.directive_id))
    return "\n\n" + "\n".join(lines)


def recent_list(
    directives: list[RecentDirective], lang: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    if not directives:
        return t(lang, "status.none"), None
    rows = []
    for d in directives:
        number = d.number if len(d.number) <= MAX_BUTTON_NUMBER else d.number[:39] + "…"
        label = t(
            lang,
            "status.recent_button",
            number=number,
            acknowledged=d.acknowledged,
            total=d.total,
            percent=percent(d.acknowledged, d.total),
        )
        rows.append(
            [InlineKeyboardButton(_plain(label), callback_data=callbacks.pack(OpenStatus(d.id)))]
        )
    return t(lang, "status.recent"), InlineKeyboardMarkup(rows)


def _plain(label: str) -> str:
    """Button labels are not HTML: undo the escaping t() did for a message."""
    return html.unescape(label)


def pages(total: int) -> int:
    return max(1, math.ceil(total / PAGE_SIZE))


def pending_page(
    directive: DirectiveHead,
    total: int,
    page: int,
    agencies: list[PendingAgency],
    lang: str,
    *,
    by_hand: bool = True,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """One page of agencies that have not acknowledged, each with its contacts and two
    buttons to set its status by hand; ◀ ▶ when there is more than one page.

    A page that would not fit in one message (agencies with many contacts and long names)
    shows each agency's first contact only: the page stays one message, buttons included.
    """
    text, markup = _pending_page(
        directive, total, page, agencies, lang, max_contacts=None, by_hand=by_hand
    )
    if len(text) > MAX_TEXT:
        text, markup = _pending_page(
            directive, total, page, agencies, lang, max_contacts=1, by_hand=by_hand
        )
    return text, markup


def _pending_page(
    directive: DirectiveHead,
    total: int,
    page: int,
    agencies: list[PendingAgency],
    lang: str,
    *,
    max_contacts: int | None,
    by_hand: bool,
) -> tuple[str, InlineKeyboardMarkup | None]:
    if total == 0:
        return t(lang, "pending.none", number=directive.number), None
    lines = [
        t(
            lang,
            "pending.header",
            number=directive.number,
            count=total,
            page=page + 1,
            pages=pages(total),
        )
    ]
    rows: list[list[InlineKeyboardButton]] = []
    for index, agency in enumerate(agencies, start=page * PAGE_SIZE + 1):
        lines.append("")
        lines.append(t(lang, "pending.agency", index=index, name=agency.name, code=agency.code))
        if agency.status == DeliveryStatus.FAILED and agency.failure_reason:
            lines.append(t(lang, "pending.failed", reason=agency.failure_reason))
        for contact in agency.contacts[:max_contacts]:
            role = t(lang, f"role.{contact.role}")
            key = "pending.contact_username" if contact.username else "pending.contact"
            lines.append(
                t(lang, key, name=contact.name, username=contact.username or "", role=role)
            )
        if not agency.contacts:
            lines.append(t(lang, "pending.no_contact"))
        if not by_hand:
            continue
        rows.append(
            [
                InlineKeyboardButton(
                    t(lang, f"pending.mark_{status}", index=index),
                    callback_data=callbacks.pack(
                        PendingMark(directive.id, agency.agency_id, short)
                    ),
                )
                for short, status in PendingMark.STATUSES.items()
            ]
        )
    if by_hand:
        lines += ["", t(lang, "pending.hint")]
    navigation = []
    if page > 0:
        navigation.append(
            InlineKeyboardButton(
                t(lang, "pending.previous"),
                callback_data=callbacks.pack(PendingPage(directive.id, page - 1)),
            )
        )
    if page + 1 < pages(total):
        navigation.append(
            InlineKeyboardButton(
                t(lang, "pending.next"),
                callback_data=callbacks.pack(PendingPage(directive.id, page + 1)),
            )
        )
    if navigation:
        rows.append(navigation)
    return "\n".join(lines), InlineKeyboardMarkup(rows)
