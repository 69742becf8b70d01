"""Reading numbers out of what users type after a command: one parser for every command.

Only ASCII digits count: `str.isdigit()` also accepts "²" or Arabic-Indic digits, which
`int()` then rejects or reads differently, so "/status ²" would be an error instead of the
usage message.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from bot.bounds import plausible_date

_ID = re.compile(r"[1-9][0-9]{0,17}")
# Telegram user ids fit in 52 bits (up to 16 digits).
_USER_ID = re.compile(r"[1-9][0-9]{0,15}")
MAX_USER_ID = 2**52


def parse_id(text: str) -> int | None:
    """A positive database id, or None for anything else."""
    return int(text) if _ID.fullmatch(text) else None


def parse_user_id(text: str) -> int | None:
    """A Telegram user id, or None for anything that cannot be one."""
    if not _USER_ID.fullmatch(text) or int(text) >= MAX_USER_ID:
        return None
    return int(text)


def directive_id_arg(args: Sequence[str]) -> int | None:
    """The one directive ID argument of `/status ID` and the like; None when missing,
    several, or malformed."""
    return parse_id(args[0]) if len(args) == 1 else None


_DMY = re.compile(r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})")
_YMD = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")


def parse_date(text: str) -> date | None:
    """A calendar date as people type it: 15/07/2020, 5/7/2020, 15-07-2020 or 2020-07-15;
    None for anything else, a year outside 2000-2100 included (bot.bounds)."""
    text = text.strip()
    try:
        if match := _DMY.fullmatch(text):
            found = date(int(match[3]), int(match[2]), int(match[1]))
        elif match := _YMD.fullmatch(text):
            found = date(int(match[1]), int(match[2]), int(match[3]))
        else:
            return None
    except ValueError:  # 31/02/2020
        return None
    return found if plausible_date(found) else None


def is_date_shaped(text: str) -> bool:
    """Written as a date (15/07/9999 is), whether or not parse_date accepts it: a date out
    of bounds gets its own answer rather than the usage."""
    text = text.strip()
    return bool(_DMY.fullmatch(text) or _YMD.fullmatch(text))
