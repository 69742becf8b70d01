"""CSV cells that a spreadsheet reads as text, never as a formula.

Staff open `report --format csv` in Excel or LibreOffice, which run a cell starting with
`=`, `+`, `-` or `@` (and, after trimming, tab or CR) as a formula: an officer's Telegram name
or an evidence text like `=HYPERLINK(…)` or `=cmd|…` would come out live. OWASP's advice: such a
cell starts with a `'`, which the spreadsheet shows as text. The workbook needs none of this:
openpyxl writes strings as strings.
"""

from __future__ import annotations

from collections.abc import Mapping

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str | int) -> str | int:
    """A text cell a spreadsheet will not evaluate; numbers are left alone."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_record(record: Mapping[str, str | int]) -> dict[str, str | int]:
    return {key: safe_cell(value) for key, value in record.items()}
