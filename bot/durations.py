"""Parsing of the human durations used in the config and on the command line ("30s", "15m")."""

from __future__ import annotations

import re
from datetime import timedelta

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
# Ten years: anything longer is a typo, and far beyond it timedelta and datetime overflow.
MAX_SECONDS = 3650 * 86400
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")


def parse_duration(text: str) -> timedelta:
    """Parse "30s", "15m", "24h", "7d" or "2w"; raise ValueError with the accepted forms."""
    match = _DURATION.match(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"not a duration: {text!r} (use a number and a unit: 30s, 15m, 24h, 7d)")
    seconds = float(match.group(1)) * _UNITS[match.group(2)]
    if seconds <= 0:
        raise ValueError(f"duration must be positive: {text!r}")
    if seconds > MAX_SECONDS:
        raise ValueError(f"duration too long: {text!r} (at most 3650d)")
    return timedelta(seconds=seconds)


def format_duration(value: timedelta) -> str:
    """The shortest exact spelling of a duration, the inverse of parse_duration."""
    seconds = int(value.total_seconds())
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
