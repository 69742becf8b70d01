"""Reading numbers out of what users type after a command: one parser for every command.

Only ASCII digits count: `str.isdigit()` also accepts "²" or Arabic-Indic digits, which
`int()` then rejects or reads differently, so "/status ²" would be an error instead of the
usage message.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

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
