"""The words of a reminder and of the staff digest, in the reader's language.

A reminder quotes the letter (number, subject), says how long ago it was sent and how
long is left to the deadline or how far past it, so that an officer who missed the
letter knows at once what is asked and how urgent it is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta

from bot.delivery.render import subject_line
from bot.texts import Html, t
from db.models import DeliveryStatus
from db.queries.reminders import DigestLine

# Long subjects are quoted, not repeated in full: the letter itself is one tap up.
SUBJECT_QUOTE = 160
DIGEST_NAMES = 15
MESSAGE_BUDGET = 3900  # under Telegram's 4096, with room for emoji counted twice


def quote(subject: str) -> str:
    """ "V/v …", shortened when long."""
    line = subject_line(subject)
    return line if len(line) <= SUBJECT_QUOTE else line[: SUBJECT_QUOTE - 1] + "…"


def elapsed(delta: timedelta, lang: str) -> str:
    """'3 ngày', '5 giờ', '12 phút': the largest whole unit, at least one minute."""
    seconds = max(delta.total_seconds(), 60)
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = int(seconds // size)
            return (
                t(lang, f"duration.{unit}") if count == 1 else t(lang, f"duration.{unit}s", n=count)
            )
    raise AssertionError("unreachable")


def deadline_note(deadline: date | None, today: date, lang: str) -> str:
    """'Hạn: 28/11/2026 (còn 2 ngày)', '(quá hạn 1 ngày)', or nothing without a deadline."""
    if deadline is None:
        return Html("")
    shown = deadline.strftime("%d/%m/%Y")
    days = (deadline - today).days
    if days > 0:
        return t(lang, "reminder.deadline.left", date=shown, days=days)
    if days == 0:
        return t(lang, "reminder.deadline.today", date=shown)
    return t(lang, "reminder.deadline.overdue", date=shown, days=-days)


def reminder_text(
    lang: str,
    *,
    phase: str,
    round_number: int | None,
    escalated: bool,
    number: str,
    subject: str,
    agency: str,
    sent_ago: timedelta,
    deadline: date | None,
    today: date,
) -> str:
    """A scheduled round (`round_number`) or a manual /remind (None)."""
    if round_number is None:
        key = "reminder.manual"
    else:
        key = f"reminder.{phase if phase in ('completion', 'relay') else 'ack'}"
        key += ".escalated" if escalated else ""
    return t(
        lang,
        key,
        round=round_number or 0,
        previous=(round_number or 1) - 1,
        number=number,
        subject=quote(subject),
        agency=agency,
        ago=elapsed(sent_ago, lang),
        deadline=deadline_note(deadline, today, lang),
    )


def name_list(names: Sequence[str], lang: str) -> str:
    """Names joined by commas, the first few only when there are many."""
    shown = ", ".join(names[:DIGEST_NAMES])
    if len(names) <= DIGEST_NAMES:
        return shown
    return t(lang, "digest.more", names=shown, count=len(names) - DIGEST_NAMES)


def by_group(rows: Sequence[DigestLine], lang: str, group_name: Callable[[str], str]) -> list[str]:
    """One line per group of agencies, under the group's name as a clerk reads it."""
    groups: dict[str, list[str]] = {}
    for row in rows:
        groups.setdefault(row.group, []).append(row.agency_name)
    return [
        t(lang, "digest.group", group=group_name(g), count=len(n), names=name_list(n, lang))
        for g, n in groups.items()
    ]


def _overdue(row: DigestLine, today: date) -> bool:
    """Past the agency's deadline: its own (an extension moves it), else the letter's; an
    agency sent the letter for information owes no report, so is never overdue."""
    deadline = row.agency_deadline
    return deadline is not None and deadline < today and not row.informational


def digest_messages(
    lines: Sequence[DigestLine],
    today: date,
    lang: str,
    group_name: Callable[[str], str] = lambda slug: slug,
) -> list[str]:
    """The daily digest, one block per open letter with someone to chase, in messages that
    fit Telegram's limit; empty when there is nobody to chase. Agencies are listed under
    their group's name (`[groups]`)."""
    blocks: list[str] = []
    by_directive: dict[int, list[DigestLine]] = {}
    for line in lines:
        by_directive.setdefault(line.directive_id, []).append(line)
    for directive_id, rows in by_directive.items():
        first = rows[0]
        chased = [r for r in rows if r.status in (DeliveryStatus.SENT, DeliveryStatus.ACKNOWLEDGED)]
        overdue = [r for r in chased if _overdue(r, today)]
        unacknowledged = [
            r for r in chased if r.status == DeliveryStatus.SENT and not _overdue(r, today)
        ]
        unreachable = [r for r in rows if r.status == DeliveryStatus.FAILED]
        rejected = [r for r in rows if r.status == DeliveryStatus.REJECTED]
        parts = [
            t(
                lang,
                "digest.directive",
                number=first.number,
                id=directive_id,
                subject=quote(first.subject),
            )
        ]
        if first.deadline is not None:
            parts.append(t(lang, "digest.deadline", date=first.deadline.strftime("%d/%m/%Y")))
        for key, found in (
            ("digest.overdue", overdue),
            ("digest.unacknowledged", unacknowledged),
            ("digest.unreachable", unreachable),
            ("digest.rejected", rejected),
        ):
            if found:
                parts.append(t(lang, key, count=len(found)))
                found.sort(key=lambda r: group_name(r.group))  # stable: by code within a group
                parts += by_group(found, lang, group_name)
        if len(parts) > (2 if first.deadline is not None else 1):
            blocks.append("\n".join(parts))
    if not blocks:
        return []
    messages = [t(lang, "digest.header", date=today.strftime("%d/%m/%Y"))]
    for block in blocks:
        if len(messages[-1]) + 2 + len(block) > MESSAGE_BUDGET:
            messages.append(block)
        else:
            messages[-1] += "\n\n" + block
    return messages
