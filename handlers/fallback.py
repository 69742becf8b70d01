"""Answers for what no other handler took: every callback query gets an answer (no
spinning button), and an unknown command gets a pointer to /help."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot.deps import Context
from bot.onboarding.identity import Who
from bot.telegram.guards import with_who
from bot.texts import alert, t


@with_who
async def unknown_callback(update: Update, context: Context, who: Who) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer(alert(who.lang, "callback.unknown"))


@with_who
async def unknown_command(update: Update, context: Context, who: Who) -> None:
    if update.effective_message is not None:
        await update.effective_message.reply_text(t(who.lang, "unknown_command"))


HANDLERS: list[BaseHandler[Update, Context, None]] = [
    CallbackQueryHandler(unknown_callback),
    MessageHandler(filters.COMMAND, unknown_command),
]
