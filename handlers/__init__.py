"""Every Telegram handler, in the order the Application tries them."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler

from bot.deps import Context
from handlers import agencies, broadcast, fallback, help, invite, lang, membership, staff, start


def all_handlers() -> list[BaseHandler[Update, Context, None]]:
    return [
        *start.HANDLERS,
        *help.HANDLERS,
        *lang.HANDLERS,
        *invite.HANDLERS,
        *agencies.HANDLERS,
        *staff.HANDLERS,
        *broadcast.HANDLERS,
        *membership.HANDLERS,
        *fallback.HANDLERS,  # last: answers what nothing else did
    ]
