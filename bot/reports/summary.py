"""The summary report of a directive ("báo cáo tổng kết"), read once and rendered many ways.

`load_report` reads everything an export needs in a handful of queries; the CSV and the
terminal table are rendered here, the workbook in `bot.reports.workbook` and the chart in
`bot.reports.chart`. The CSV is a contract (README, "Reports"): its columns, their order and their
formats are what other tools parse.
"""

from __future__ import annotations

import csv
import html
import io
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.reports.csvsafe import safe_record, terminal_text
from bot.reports.rollup import Rollup, load_rollup
from bot.texts import t
from db.models import DeliveryStatus
from db.queries import summary as queries
from db.queries.events import record_event
from db.queries.summary import AgencyRow, DirectiveHead, EventRow, LetterText, StatusCounts

CSV_COLUMNS = (
    "agency_code",
    "agency_name",
    "group",
    "status",
    "acknowledged_at",
    "acknowledged_by",
    "completed_at",
    "evidence",
    "evidence_verified",
    "reminders_sent",
    "failure_reason",
)
EVIDENCE_SEPARATOR = " | "
CORRECTED_EVENT = "directive.corrected"
BY_HAND_MARK = " (thủ công)"


class UnknownDirectiveError(Exception):
    """No directive with this id (or only a draft nobody sent)."""


@dataclass(frozen=True)
class Report:
    directive: DirectiveHead
    counts: StatusCounts
    rows: list[AgencyRow]
    events: list[EventRow]
    now: datetime
    timezone: ZoneInfo
    rollup: Rollup | None = None
    """How far down the tree the letter went; None when not loaded."""
    letter: LetterText | None = None
    """What the letter asked (its body, actions and links): the official report quotes it."""
    group_names: Mapping[str, str] = field(default_factory=dict)
    """`[groups]`: what a clerk calls each group of agencies."""

    def group_name(self, slug: str) -> str:
        return self.group_names.get(slug, slug)


def deadline_passed(directive: DirectiveHead, now: datetime, tz: ZoneInfo) -> bool:
    """The letter's own deadline is behind us (the day after it, in the department's time
    zone); an agency's extension may still hold it off (StatusCounts.overdue counts that)."""
    return directive.deadline is not None and now.astimezone(tz).date() > directive.deadline


async def load_counts(
    session: AsyncSession, directive_id: int, now: datetime, tz: ZoneInfo
) -> tuple[DirectiveHead, StatusCounts]:
    """What /status shows: cheap at any scale (aggregates only)."""
    directive = await queries.directive_head(session, directive_id)
    if directive is None:
        raise UnknownDirectiveError(directive_id)
    counts = await queries.status_counts(
        session, directive_id, today=now.astimezone(tz).date(), deadline=directive.deadline
    )
    return directive, counts


async def load_report(
    session: AsyncSession,
    directive_id: int,
    now: datetime,
    tz: ZoneInfo,
    *,
    group_names: Mapping[str, str] | None = None,
) -> Report:
    directive, counts = await load_counts(session, directive_id, now, tz)
    rows = await queries.agency_rows(session, directive_id)
    events = await queries.events(session, directive_id=directive_id)
    letter = await queries.letter_text(session, directive_id)
    rollup = await load_rollup(session, directive_id, now, tz)
    return Report(
        directive,
        counts,
        _name_markers(rows, events),
        events,
        now,
        tz,
        rollup=rollup,
        letter=letter,
        group_names=dict(group_names or {}),
    )


def _name_markers(rows: list[AgencyRow], events: list[EventRow]) -> list[AgencyRow]:
    """Who set an agency's status by hand, when the staff table has no name for them: the
    name the mark recorded in the log (config admins have no staff row)."""
    named: dict[str | None, str] = {}
    for e in events:  # oldest first: the first mark is the one that set the acknowledgement
        if e.kind == "delivery.marked" and e.detail.get("staff_name"):
            named.setdefault(e.agency_code, str(e.detail["staff_name"]))
    return [
        replace(row, acknowledged_by_staff=named[row.code])
        if row.acknowledged_by_hand and not row.acknowledged_by_staff and row.code in named
        else row
        for row in rows
    ]


# one agency's values, as every export writes them ------------------------------------------


def acknowledged_by(row: AgencyRow, lang: str = "vi") -> str:
    """The contact's name, or the staff member's marked "(thủ công)" when set by hand."""
    if row.acknowledged_at is None:
        return ""
    if not row.acknowledged_by_hand:
        return row.acknowledged_by_contact or ""
    who = row.acknowledged_by_staff or t(lang, "summary.staff_unnamed")
    return who + BY_HAND_MARK


def evidence_text(row: AgencyRow) -> str:
    return EVIDENCE_SEPARATOR.join(row.evidence)


def evidence_verified(row: AgencyRow) -> str:
    """verified / unverified; empty when there is no URL to check."""
    return row.evidence_verified.value if row.evidence_verified is not None else ""


def verification_words(row: AgencyRow, lang: str = "vi") -> str:
    """The verification as a clerk reads it (đã xác minh / chưa xác minh); empty without a
    URL to check."""
    value = evidence_verified(row)
    return html.unescape(t(lang, f"summary.verification.{value}")) if value else ""


def failure_reason(row: AgencyRow) -> str:
    return (row.failure_reason or "") if row.status == DeliveryStatus.FAILED else ""


def iso_local(moment: datetime | None, tz: ZoneInfo) -> str:
    """ISO 8601 with the department's offset, e.g. 2026-11-26T09:05:00+07:00."""
    return moment.astimezone(tz).isoformat(timespec="seconds") if moment else ""


def csv_record(row: AgencyRow, tz: ZoneInfo) -> dict[str, str | int]:
    return {
        "agency_code": row.code,
        "agency_name": row.name,
        "group": row.group,
        "status": row.status.value,
        "acknowledged_at": iso_local(row.acknowledged_at, tz),
        "acknowledged_by": acknowledged_by(row),
        "completed_at": iso_local(row.completed_at, tz),
        "evidence": evidence_text(row),
        "evidence_verified": evidence_verified(row),
        "reminders_sent": row.reminders_sent,
        "failure_reason": failure_reason(row),
    }


def render_csv(report: Report) -> str:
    """UTF-8 text (the caller writes it without a BOM), CSV_COLUMNS in order; a cell that a
    spreadsheet would run as a formula starts with `'` (bot.reports.csvsafe)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in report.rows:
        writer.writerow(safe_record(csv_record(row, report.timezone)))
    return out.getvalue()


# the terminal table ------------------------------------------------------------------------


def _width(text: str) -> int:
    """Columns a string takes in a terminal: combining marks take none."""
    return sum(0 if unicodedata.combining(c) else 1 for c in text)


def _cell(text: str, width: int) -> str:
    if _width(text) > width:
        text = text[: width - 1] + "…"
    return text + " " * (width - _width(text))


def _short_time(moment: datetime | None, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%d/%m %H:%M") if moment else ""


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "0%"


def corrections(report: Report) -> list[tuple[datetime, str]]:
    """The corrections (đính chính) sent for the letter, from its log: (when, text)."""
    return [
        (e.at, str(e.detail.get("text", ""))) for e in report.events if e.kind == CORRECTED_EVENT
    ]


def summary_lines(report: Report) -> list[str]:
    """The few lines above the table: the letter and its counts, its recall and corrections."""
    d, c = report.directive, report.counts
    deadline = d.deadline.strftime("%d/%m/%Y") if d.deadline else "-"
    median = format_duration(c.median_ack_seconds) if c.median_ack_seconds is not None else "-"
    lines = [
        f"Directive {d.id}: {d.number} — {d.subject}",
        f"agencies {c.total}  sent {c.sent}  acknowledged {c.acknowledged} "
        f"({percent(c.acknowledged, c.total)})  completed {c.completed} "
        f"({percent(c.completed, c.total)}; verified {c.verified}, unverified {c.unverified})  "
        f"failed {c.failed}  rejected {c.rejected}  overdue {c.overdue}",
        f"deadline {deadline}  median time to acknowledge {median}",
    ]
    if d.recalled_at is not None:
        lines.append(f"RECALLED {iso_local(d.recalled_at, report.timezone)}: {d.recall_reason}")
    for at, text in corrections(report):
        lines.append(f"correction {iso_local(at, report.timezone)}: {' '.join(text.split())}")
    return lines


def render_table(report: Report, *, name_width: int = 34) -> str:
    """An aligned table for a terminal, one agency a line."""
    tz = report.timezone
    header = ("code", "agency", "status", "acknowledged", "by", "completed", "evidence", "rem.")
    records = [
        (
            row.code,
            row.name,
            row.status.value,
            _short_time(row.acknowledged_at, tz),
            acknowledged_by(row),
            _short_time(row.completed_at, tz),
            evidence_verified(row),
            str(row.reminders_sent),
        )
        for row in report.rows
    ]
    caps = (24, name_width, 12, 12, 28, 12, 10, 4)
    widths = [
        min(cap, max([_width(h), *(_width(r[i]) for r in records)]))
        for i, (h, cap) in enumerate(zip(header, caps, strict=True))
    ]
    relays = rollup_lines(report.rollup, tz) if report.rollup is not None else []
    lines = [*summary_lines(report), *relays, ""]
    for record in (header, *records):
        cells = (_cell(terminal_text(v), w) for v, w in zip(record, widths, strict=True))
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def rollup_lines(rollup: Rollup, tz: ZoneInfo) -> list[str]:
    """The roll-up under the summary lines of `agency-bot report --format text`."""
    if rollup.empty:
        return []
    lines = [
        f"relayed down the tree: units {rollup.units}  reached {rollup.reached}  "
        f"acknowledged {rollup.acknowledged} ({percent(rollup.acknowledged, rollup.units)})  "
        f"completed {rollup.completed}  overdue {rollup.overdue}  "
        f"not relayed yet {rollup.waiting}"
    ]
    for line in rollup.relays:
        indent = "  " * line.depth
        lines.append(
            f"{indent}{line.relay_code} relayed {_short_time(line.relayed_at, tz) or '-'} as "
            f"{line.number} (directive {line.directive_id}): units {line.units}  "
            f"reached {line.reached}  acknowledged {line.acknowledged} "
            f"({percent(line.acknowledged, line.units)})  completed {line.completed}  "
            f"overdue {line.overdue}  not relayed yet {line.waiting}"
        )
    return lines


def rollup_json(rollup: Rollup, tz: ZoneInfo) -> dict[str, object]:
    """The roll-up in `agency-bot report --json`."""
    return {
        "units": rollup.units,
        "reached": rollup.reached,
        "acknowledged": rollup.acknowledged,
        "completed": rollup.completed,
        "overdue": rollup.overdue,
        "not_relayed": rollup.waiting,
        "relays": [
            {
                "directive_id": line.directive_id,
                "parent_directive_id": line.parent_directive_id,
                "depth": line.depth,
                "relay_code": line.relay_code,
                "relay_name": line.relay_name,
                "number": line.number,
                "relayed_at": iso_local(line.relayed_at, tz),
                "units": line.units,
                "reached": line.reached,
                "acknowledged": line.acknowledged,
                "completed": line.completed,
                "overdue": line.overdue,
                "not_relayed": line.waiting,
            }
            for line in rollup.relays
        ],
    }


def format_duration(seconds: float) -> str:
    """A short human duration: 45s, 12m, 3h05m, 2d04h."""
    s = round(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m"
    if s < 86400:
        return f"{s // 3600}h{s % 3600 // 60:02d}m"
    return f"{s // 86400}d{s % 86400 // 3600:02d}h"


def json_rows(rows: Sequence[AgencyRow], tz: ZoneInfo) -> list[dict[str, str | int]]:
    return [csv_record(row, tz) for row in rows]


async def record_export(
    session: AsyncSession,
    directive_id: int,
    channel: str,
    *,
    actor_id: int | None,
    fmt: str,
    actor_type: str | None = None,
) -> None:
    """Who took the report out of the system, and how: part of the audit trail."""
    await record_event(
        session,
        "report.exported",
        actor_type=actor_type or ("staff" if actor_id else "cli"),
        actor_id=actor_id,
        directive_id=directive_id,
        channel=channel,
        format=fmt,
    )
