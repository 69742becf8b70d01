"""How times and dates are shown to people: Asia/Ho_Chi_Minh, dd/mm/yyyy."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo


def format_local(moment: datetime, tz_name: str = "Asia/Ho_Chi_Minh") -> str:
    """ "14:05 26/11/2026" in the department's time zone."""
    return moment.astimezone(ZoneInfo(tz_name)).strftime("%H:%M %d/%m/%Y")
