"""Button presses whose data no button of the bot ever carried go to the event log
(bot/telegram/malformed.py says how often); the press itself is then answered by its
handler (or the fallback) like any refusal.

Runs in a handler group of its own, before the others, and never stops them.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.deps import Context, get_deps
from bot.telegram import callbacks


async def malformed_press(update: Update, context: Context) -> None:
    query = update.callback_query
    if query is None or callbacks.parse(query.data) is not None:
        return
    await get_deps(context).malformed.record(query.from_user.id, query.data)


HANDLERS: list[BaseHandler[Update, Context, None]] = [CallbackQueryHandler(malformed_press)]
