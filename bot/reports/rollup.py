"""The relay roll-up of a letter: for each relay, when it relayed and how far its
subtree got, through every level; and the whole tree's totals.

`load_rollup` is one query (db.queries.relay.subtree_counts: recursive CTEs on SQLite and
PostgreSQL alike), whatever the depth. /status, the text and JSON reports and the
workbook's "Chuyển tiếp" sheet show it (bot.reports.relay renders it for the command
line); `RelayLine` is the row a report of another kind (a DOCX, say) plugs in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from db.queries.relay import SubtreeCounts, subtree_counts


@dataclass(frozen=True)
class RelayLine:
    """One relay of a letter's tree and its subtree's counts.

    `depth` 1 relayed the letter itself, 2 relayed a relayed letter, and so on. The counts
    are units under the relay (each counted once, however many letters reached it): reached
    (the letter got to a contact), acknowledged (completed ones included), completed, overdue
    (the deadline of the letter that reached it has passed, not completed), and the relays
    below it that received a letter and have not passed it on (`waiting`).
    """

    directive_id: int
    parent_directive_id: int | None
    depth: int
    relay_code: str
    relay_name: str
    number: str
    relayed_at: datetime | None
    units: int
    reached: int
    acknowledged: int
    completed: int
    overdue: int
    waiting: int


@dataclass(frozen=True)
class Rollup:
    """The whole tree under a letter (its own recipients included) and its relays in tree
    order: each relay followed by the relays under it."""

    directive_id: int
    units: int
    reached: int
    acknowledged: int
    completed: int
    overdue: int
    waiting: int
    relays: tuple[RelayLine, ...]

    @property
    def empty(self) -> bool:
        """Nothing to show: no relay relayed, none is waiting to."""
        return not self.relays and not self.waiting


def _line(row: SubtreeCounts) -> RelayLine:
    return RelayLine(
        directive_id=row.directive_id,
        parent_directive_id=row.parent_directive_id,
        depth=row.depth,
        relay_code=row.relay_code or "",
        relay_name=row.relay_name or "",
        number=row.number,
        relayed_at=row.relayed_at,
        units=row.units,
        reached=row.reached,
        acknowledged=row.acknowledged,
        completed=row.completed,
        overdue=row.overdue,
        waiting=row.relays_waiting,
    )


def _tree_order(lines: list[RelayLine], root: int) -> tuple[RelayLine, ...]:
    """Depth first: each relay, then the relays of its relayed letter (oldest first)."""
    children: dict[int | None, list[RelayLine]] = {}
    for line in lines:
        children.setdefault(line.parent_directive_id, []).append(line)
    ordered: list[RelayLine] = []
    stack = list(reversed(children.get(root, [])))
    while stack:
        line = stack.pop()
        ordered.append(line)
        stack.extend(reversed(children.get(line.directive_id, [])))
    return tuple(ordered)


async def load_rollup(
    session: AsyncSession, directive_id: int, now: datetime, tz: ZoneInfo
) -> Rollup:
    """The roll-up at `now` (overdue counts in the department's date)."""
    rows = await subtree_counts(session, directive_id, now.astimezone(tz).date())
    root = next((row for row in rows if row.depth == 0), None)
    lines = [_line(row) for row in rows if row.depth > 0]
    if root is None:
        return Rollup(directive_id, 0, 0, 0, 0, 0, 0, ())
    return Rollup(
        directive_id=directive_id,
        units=root.units,
        reached=root.reached,
        acknowledged=root.acknowledged,
        completed=root.completed,
        overdue=root.overdue,
        waiting=root.relays_waiting,
        relays=_tree_order(lines, directive_id),
    )
