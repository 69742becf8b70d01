"""Report cells that a spreadsheet or a terminal shows as text, never runs.

Staff open `report --format csv` in Excel or LibreOffice, which run a cell starting with
`=`, `+`, `-` or `@` (and, after trimming, tab or CR) as a formula: an officer's Telegram name
or an evidence text like `=HYPERLINK(…)` or `=cmd|…` would come out live. OWASP's advice: such a
cell starts with a `'`, which the spreadsheet shows as text. The workbook needs none of this:
xlsxwriter writes strings as strings. The text table goes to a terminal, where an escape
sequence in a name (ESC, or the 8-bit CSI) could move the cursor, rewrite what is shown or set
the window title: control characters are shown as "?".
"""

from __future__ import annotations

import re
from collections.abc import Mapping

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str | int) -> str | int:
    """A text cell a spreadsheet will not evaluate; numbers are left alone."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_record(record: Mapping[str, str | int]) -> dict[str, str | int]:
    return {key: safe_cell(value) for key, value in record.items()}


# C0 and C1 control characters and DEL; tabs and line breaks too, since a cell is one line.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def terminal_text(value: str) -> str:
    """One line of text a terminal shows as it is: control characters become "?"."""
    return _CONTROLS.sub("?", value)
