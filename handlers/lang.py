"""/lang [vi|en]: choose the language of the bot's messages."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.deps import Context, get_deps
from bot.onboarding.identity import Who, choose_language
from bot.telegram import callbacks
from bot.telegram.guards import with_who
from bot.texts import LANGUAGES, alert, t

_LABELS = {"vi": "🇻🇳 Tiếng Việt", "en": "🇬🇧 English"}


@with_who
async def lang_command(update: Update, context: Context, who: Who) -> None:
    message = update.effective_message
    if message is None:
        return
    if context.args:
        choice = context.args[0].lower()
        if choice not in LANGUAGES:
            await message.reply_text(t(who.lang, "lang.unknown", value=context.args[0]))
            return
        await choose_language(get_deps(context).sessionmaker, who.user_id, choice)
        await message.reply_text(t(choice, "lang.set"))
        return
    buttons = [
        InlineKeyboardButton(
            _LABELS[code], callback_data=callbacks.pack(callbacks.SetLanguage(code))
        )
        for code in LANGUAGES
    ]
    await message.reply_text(
        t(who.lang, "lang.choose"), reply_markup=InlineKeyboardMarkup([buttons])
    )


async def lang_chosen(update: Update, context: Context) -> None:
    query = update.callback_query
    if query is None:
        return
    data = callbacks.parse(query.data)
    if not isinstance(data, callbacks.SetLanguage):
        await query.answer()
        return
    await choose_language(get_deps(context).sessionmaker, query.from_user.id, data.language)
    await query.answer(alert(data.language, "lang.set"))
    await query.edit_message_text(t(data.language, "lang.set"))


HANDLERS: list[BaseHandler[Update, Context, None]] = [
    CommandHandler("lang", lang_command),
    CallbackQueryHandler(lang_chosen, pattern=callbacks.SetLanguage.pattern()),
]
