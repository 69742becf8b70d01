"""The summary report as an Excel workbook: what the department files and prints.

Four sheets: the summary (the letter and its counts), one row per agency (the CSV columns
of the CSV export under Vietnamese headers, in the words a clerk reads — statuses, group
names, "đã xác minh" — as an Excel table with a frozen header, real dates and set widths),
the relay roll-up (each relay and how far its subtree got, sheet "Chuyển tiếp"), and the
directive's event log in words ("Tạo công văn số …", not `directive.created`). XlsxWriter
writes 10,000 agencies and their log in about a second; every string goes through
write_string, so an agency's "=..." or a URL is kept as text, never turned into a formula or
a link.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

import xlsxwriter

from bot.reports.journal import actor, describe
from bot.reports.summary import (
    Report,
    acknowledged_by,
    corrections,
    evidence_text,
    failure_reason,
    format_duration,
    verification_words,
)
from bot.texts import t

MAX_CELL = 32767  # Excel's limit for one cell's text
DATE_FORMAT = "dd/mm/yyyy hh:mm"
AGENCY_COLUMNS = (  # (text key suffix, width)
    ("agency_code", 18),
    ("agency_name", 42),
    ("group", 24),
    ("status", 14),
    ("acknowledged_at", 17),
    ("acknowledged_by", 26),
    ("completed_at", 17),
    ("evidence", 50),
    ("evidence_verified", 14),
    ("reminders_sent", 10),
    ("failure_reason", 30),
    ("own_deadline", 14),
    ("rejection_reason", 30),
)
RELAY_COLUMNS = (  # the "Chuyển tiếp" sheet: one row per letter down the tree
    ("depth", 8),
    ("relay_code", 18),
    ("relay_name", 40),
    ("number", 22),
    ("directive_id", 10),
    ("relayed_at", 17),
    ("units", 10),
    ("reached", 10),
    ("acknowledged", 10),
    ("completed", 12),
    ("overdue", 10),
    ("waiting", 14),
)
EVENT_COLUMNS = (
    ("at", 17),
    ("kind", 80),
    ("actor", 28),
    ("agency", 40),
)


def _local(moment: datetime | None, report: Report) -> datetime | None:
    """Excel has no time zones: a naive datetime in the department's zone."""
    return moment.astimezone(report.timezone).replace(tzinfo=None) if moment else None


def _shown(moment: datetime, report: Report) -> str:
    return moment.astimezone(report.timezone).strftime("%d/%m/%Y %H:%M")


def _text(value: str) -> str:
    return value if len(value) <= MAX_CELL else value[: MAX_CELL - 1] + "…"


def build_workbook(report: Report, lang: str = "vi") -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    formats = {
        "title": workbook.add_format({"bold": True, "font_size": 14}),
        "bold": workbook.add_format({"bold": True}),
        "date": workbook.add_format({"num_format": DATE_FORMAT}),
        "day": workbook.add_format({"num_format": "dd/mm/yyyy"}),
        "percent": workbook.add_format({"num_format": "0.0%"}),
        "wrap": workbook.add_format({"text_wrap": True, "valign": "top"}),
    }
    _summary_sheet(workbook, formats, report, lang)
    _agency_sheet(workbook, formats, report, lang)
    _relay_sheet(workbook, formats, report, lang)
    _event_sheet(workbook, formats, report, lang)
    workbook.close()
    return buffer.getvalue()


def _summary_sheet(workbook: Any, formats: dict[str, Any], report: Report, lang: str) -> None:
    sheet = workbook.add_worksheet(t(lang, "xlsx.sheet.summary"))
    d, c = report.directive, report.counts
    sheet.set_column(0, 0, 38)
    sheet.set_column(1, 1, 60)
    sheet.set_column(2, 2, 12)
    sheet.write_string(0, 0, t(lang, "xlsx.title"), formats["title"])
    facts: list[tuple[str, Any, str | None]] = [
        ("xlsx.fact.id", d.id, None),
        ("xlsx.fact.number", d.number, None),
        ("xlsx.fact.subject", d.subject, None),
        ("xlsx.fact.issue_date", d.issue_date, "day"),
        ("xlsx.fact.deadline", d.deadline, "day"),
        ("xlsx.fact.first_sent", _local(c.first_sent_at, report), "date"),
        ("xlsx.fact.generated", _local(report.now, report), "date"),
    ]
    if d.recalled_at is not None:
        facts.append(("xlsx.fact.recalled_at", _local(d.recalled_at, report), "date"))
        facts.append(("xlsx.fact.recall_reason", d.recall_reason or "", None))
    facts += [
        ("xlsx.fact.correction", f"{_shown(at, report)} — {text}", None)
        for at, text in corrections(report)
    ]
    row = 2
    for key, value, fmt in facts:
        sheet.write_string(row, 0, t(lang, key), formats["bold"])
        if isinstance(value, str):
            sheet.write_string(row, 1, _text(value), formats["wrap"])
        elif value is not None:
            sheet.write(row, 1, value, formats[fmt] if fmt else None)
        row += 1
    row += 1
    sheet.write_string(row, 0, t(lang, "xlsx.count.header"), formats["bold"])
    sheet.write_string(row, 1, t(lang, "xlsx.count.agencies"), formats["bold"])
    sheet.write_string(row, 2, t(lang, "xlsx.count.share"), formats["bold"])
    counts = (
        ("total", c.total),
        ("sent", c.sent),
        ("acknowledged", c.acknowledged),
        ("completed", c.completed),
        ("verified", c.verified),
        ("unverified", c.unverified),
        ("failed", c.failed),
        ("rejected", c.rejected),
        ("overdue", c.overdue),
    )
    for name, value in counts:
        row += 1
        sheet.write_string(row, 0, t(lang, f"xlsx.count.{name}"))
        sheet.write_number(row, 1, value)
        sheet.write_number(row, 2, value / c.total if c.total else 0, formats["percent"])
    row += 2
    sheet.write_string(row, 0, t(lang, "xlsx.count.median"), formats["bold"])
    median = c.median_ack_seconds
    sheet.write_string(row, 1, format_duration(median) if median is not None else "-")


def _agency_sheet(workbook: Any, formats: dict[str, Any], report: Report, lang: str) -> None:
    sheet = workbook.add_worksheet(t(lang, "xlsx.sheet.agencies"))
    for col, (_, width) in enumerate(AGENCY_COLUMNS):
        sheet.set_column(col, col, width)
    for r, row in enumerate(report.rows, start=1):
        sheet.write_string(r, 0, row.code)
        sheet.write_string(r, 1, _text(row.name))
        sheet.write_string(r, 2, _text(report.group_name(row.group)))
        sheet.write_string(r, 3, t(lang, f"summary.status.{row.status.value}"))
        _write_time(sheet, r, 4, _local(row.acknowledged_at, report), formats)
        sheet.write_string(r, 5, _text(acknowledged_by(row, lang)))
        _write_time(sheet, r, 6, _local(row.completed_at, report), formats)
        sheet.write_string(r, 7, _text(evidence_text(row)))
        sheet.write_string(r, 8, verification_words(row, lang))
        sheet.write_number(r, 9, row.reminders_sent)
        sheet.write_string(r, 10, _text(failure_reason(row)))
        if row.own_deadline is not None:
            sheet.write_datetime(
                r, 11, datetime.combine(row.own_deadline, datetime.min.time()), formats["day"]
            )
        sheet.write_string(r, 12, _text(row.rejection_reason or ""))
    headers = [{"header": t(lang, f"xlsx.col.{key}")} for key, _ in AGENCY_COLUMNS]
    last_row = max(1, len(report.rows))  # a table needs one data row, even an empty one
    sheet.add_table(
        0,
        0,
        last_row,
        len(AGENCY_COLUMNS) - 1,
        {"columns": headers, "name": "DonVi", "style": "Table Style Medium 2"},
    )
    sheet.freeze_panes(1, 0)


def _relay_sheet(workbook: Any, formats: dict[str, Any], report: Report, lang: str) -> None:
    """Chuyển tiếp: the whole tree first (the letter and everything under it), then each
    relay with its subtree's counts, in tree order, indented by level."""
    sheet = workbook.add_worksheet(t(lang, "xlsx.sheet.relay"))
    for col, (_, width) in enumerate(RELAY_COLUMNS):
        sheet.set_column(col, col, width)
    rollup = report.rollup
    rows: list[tuple[Any, ...]] = []
    if rollup is not None:
        d = report.directive
        whole = (0, "", t(lang, "xlsx.relay.whole_tree"), d.number, d.id, None)
        totals = (rollup.units, rollup.reached, rollup.acknowledged, rollup.completed)
        rows.append((*whole, *totals, rollup.overdue, rollup.waiting))
        for line in rollup.relays:
            name = "    " * (line.depth - 1) + line.relay_name
            head = (line.depth, line.relay_code, name, line.number, line.directive_id)
            counts = (line.units, line.reached, line.acknowledged, line.completed)
            rows.append(
                (*head, _local(line.relayed_at, report), *counts, line.overdue, line.waiting)
            )
    for r, values in enumerate(rows, start=1):
        for col, value in enumerate(values):
            if isinstance(value, datetime):
                sheet.write_datetime(r, col, value, formats["date"])
            elif isinstance(value, str):
                if value:  # the whole tree's row has no relay code: a blank cell
                    sheet.write_string(r, col, _text(value))
            elif value is not None:
                sheet.write_number(r, col, value)
    headers = [{"header": t(lang, f"xlsx.relay.{key}")} for key, _ in RELAY_COLUMNS]
    sheet.add_table(
        0,
        0,
        max(1, len(rows)),
        len(RELAY_COLUMNS) - 1,
        {"columns": headers, "name": "ChuyenTiep", "style": "Table Style Medium 4"},
    )
    sheet.freeze_panes(1, 0)


def _event_sheet(workbook: Any, formats: dict[str, Any], report: Report, lang: str) -> None:
    sheet = workbook.add_worksheet(t(lang, "xlsx.sheet.events"))
    for col, (_, width) in enumerate(EVENT_COLUMNS):
        sheet.set_column(col, col, width)
    for r, event in enumerate(report.events, start=1):
        _write_time(sheet, r, 0, _local(event.at, report), formats)
        sheet.write_string(r, 1, _text(describe(event, lang)))
        sheet.write_string(r, 2, _text(actor(event, lang)))
        if event.agency_name:
            sheet.write_string(r, 3, _text(event.agency_name))
    headers = [{"header": t(lang, f"xlsx.event.{key}")} for key, _ in EVENT_COLUMNS]
    sheet.add_table(
        0,
        0,
        max(1, len(report.events)),
        len(EVENT_COLUMNS) - 1,
        {"columns": headers, "name": "NhatKy", "style": "Table Style Light 9"},
    )
    sheet.freeze_panes(1, 0)


def _write_time(
    sheet: Any, row: int, col: int, moment: datetime | None, formats: dict[str, Any]
) -> None:
    if moment is not None:
        sheet.write_datetime(row, col, moment, formats["date"])
