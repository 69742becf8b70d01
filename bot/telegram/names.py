"""People's names as Telegram gives them, made safe to show to staff.

A name may carry Unicode bidirectional controls (U+202E RIGHT-TO-LEFT OVERRIDE and
friends): shown in a list they reverse or reorder the text after them, so "Sở Y tế" could
read as someone else's agency, or a link as another. They are taken out where names are
stored, and again where any parameter is put into a message (bot.texts.t).
"""

from __future__ import annotations

from telegram import User

from bot.texts import without_bidi


def shown_name(user: User) -> str:
    """The user's full name, without bidirectional controls."""
    return without_bidi(user.full_name)
