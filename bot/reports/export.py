"""`agency-bot report` and `agency-bot events`: the summary report and the audit log, for
a terminal, a spreadsheet or another program.

Text and CSV go to stdout unless --output names a file; the XLSX, the PNG, the official
report (DOCX) and its PDF are files by nature, so without --output they land in
./bao-cao-cong-van-ID.xlsx|.png|.docx|.pdf and the path is printed. With --json, stdout
carries JSON instead: the rows, or where the file went.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.reports.files import file_stem
from bot.reports.relay import tree_csv
from bot.reports.summary import (
    Report,
    UnknownDirectiveError,
    corrections,
    iso_local,
    json_rows,
    load_report,
    record_export,
    render_csv,
    render_table,
    rollup_json,
)
from db.models import utcnow
from db.queries.summary import EventRow, directive_head, events

DEFAULT_EVENT_LIMIT = 100
FILE_FORMATS = ("xlsx", "png", "docx", "pdf")


def _build_file(report: Report, settings: Settings, fmt: str) -> bytes:
    """One of the report's files; CPU-bound (seconds for the PDF): run it in a thread."""
    if fmt == "xlsx":
        from bot.reports.workbook import build_workbook

        return build_workbook(report)
    if fmt == "png":
        from bot.reports.chart import build_chart

        return build_chart(report)
    from bot.reports.official import build_official_report

    # The document filed upward is Vietnamese, whatever the operator's language.
    docx = build_official_report(report, settings.organization)
    if fmt == "docx":
        return docx
    from bot.reports.pdf import docx_to_pdf

    return docx_to_pdf(docx)


async def export_report(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    directive_id: int,
    fmt: str,
    output: Path | None,
    *,
    as_json: bool,
    tree: bool = False,
) -> tuple[Any, str]:
    """Returns (what --json prints, what is printed otherwise)."""
    tz = settings.reminders.timezone
    if tree:
        return await _export_tree(sessionmaker, directive_id, output, as_json=as_json, tz=tz)
    async with sessionmaker() as session:
        report = await load_report(session, directive_id, utcnow(), tz, group_names=settings.groups)
    path: Path | None = output
    text = ""
    if fmt in FILE_FORMATS:
        content = await asyncio.to_thread(_build_file, report, settings, fmt)
        path = output or Path(f"{file_stem(directive_id)}.{fmt}")
        await asyncio.to_thread(path.write_bytes, content)
    else:
        text = render_csv(report) if fmt == "csv" else render_table(report)
        if output is not None:
            # UTF-8 without a BOM: the XLSX is the file for Excel.
            await asyncio.to_thread(output.write_text, text, encoding="utf-8")
    async with sessionmaker.begin() as session:
        await record_export(session, directive_id, "cli", actor_id=None, fmt=fmt)
    if path is not None:
        data = {"directive_id": directive_id, "format": fmt, "output": str(path)}
        return data, f"wrote {path} ({len(report.rows)} agencies)"
    if as_json:
        return {
            "directive_id": directive_id,
            "number": report.directive.number,
            "counts": asdict(report.counts),
            "recalled_at": iso_local(report.directive.recalled_at, tz) or None,
            "recall_reason": report.directive.recall_reason,
            "corrections": [
                {"at": iso_local(at, tz), "text": text} for at, text in corrections(report)
            ],
            "agencies": json_rows(report.rows, tz),
            "relay": rollup_json(report.rollup, tz) if report.rollup is not None else None,
        }, ""
    return None, text.rstrip("\n")


async def _export_tree(
    sessionmaker: async_sessionmaker[AsyncSession],
    directive_id: int,
    output: Path | None,
    *,
    as_json: bool,
    tz: Any,
) -> tuple[Any, str]:
    """`report ID --tree --format csv`: a row per unit of every letter down the tree."""
    async with sessionmaker() as session:
        if await directive_head(session, directive_id) is None:
            raise UnknownDirectiveError(directive_id)
        text = await tree_csv(session, directive_id, tz)
    async with sessionmaker.begin() as session:
        await record_export(session, directive_id, "cli", actor_id=None, fmt="csv-tree")
    if output is not None:
        await asyncio.to_thread(output.write_text, text, encoding="utf-8")
        rows = text.count("\n") - 1
        data = {"directive_id": directive_id, "format": "csv", "output": str(output)}
        return data, f"wrote {output} ({rows} rows)"
    if as_json:
        reader = csv.DictReader(io.StringIO(text))
        return {"directive_id": directive_id, "rows": list(reader)}, ""
    return None, text.rstrip("\n")


async def list_events(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    directive_id: int | None,
    limit: int | None,
) -> tuple[Any, str]:
    if limit is None and directive_id is None:
        limit = DEFAULT_EVENT_LIMIT
    async with sessionmaker() as session:
        rows = await events(session, directive_id=directive_id, limit=limit)
    tz = settings.reminders.timezone
    data = [_event_json(row, tz) for row in rows]
    return data, "\n".join([*(_event_line(row, tz) for row in rows), f"{len(rows)} events"])


def _event_json(row: EventRow, tz: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "at": iso_local(row.at, tz),
        "kind": row.kind,
        "actor_type": row.actor_type,
        "actor_id": row.actor_id,
        "directive_id": row.directive_id,
        "agency": row.agency_code,
        "detail": row.detail,
    }


def _event_line(row: EventRow, tz: Any) -> str:
    actor = row.actor_type + (f":{row.actor_id}" if row.actor_id is not None else "")
    where = " ".join(
        part
        for part in (
            f"directive {row.directive_id}" if row.directive_id is not None else "",
            row.agency_code or "",
        )
        if part
    )
    detail = json.dumps(row.detail, ensure_ascii=False, default=str) if row.detail else ""
    return f"{iso_local(row.at, tz)}  {row.kind:<22} {actor:<16} {where:<28} {detail}".rstrip()
