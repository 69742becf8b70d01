"""The tree of a letter as CSV: `agency-bot report ID --tree --format csv`."""

from __future__ import annotations

import csv
import io
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.reports.csvsafe import safe_record
from bot.reports.summary import CSV_COLUMNS, csv_record
from db.queries.relay import tree_agency_rows

TREE_CSV_COLUMNS = (*CSV_COLUMNS, "parent_code", "relayed_directive_id")


async def tree_csv(session: AsyncSession, directive_id: int, tz: ZoneInfo) -> str:
    """`report ID --tree --format csv`: a row per unit of every letter of the tree, the CSV
    columns then `parent_code` (the relay that sent it the letter; empty for the letter's
    own recipients) and `relayed_directive_id` (the letter it relayed, if it did)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=TREE_CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for tree_row in await tree_agency_rows(session, directive_id):
        record: dict[str, str | int] = dict(csv_record(tree_row.row, tz))
        record["parent_code"] = tree_row.parent_code or ""
        relayed = tree_row.relayed_directive_id
        record["relayed_directive_id"] = "" if relayed is None else relayed
        writer.writerow(safe_record(record))
    return out.getvalue()
