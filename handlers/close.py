"""/close ID: staff end a letter's campaign, after a confirmation button.

A closed letter gets no more reminders and no more answers; its reports stay readable.
Closing cannot be undone, hence the question before it is done.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.delivery.closing import close_letter
from bot.delivery.render import subject_line
from bot.deps import Context, get_deps
from bot.onboarding.identity import Who
from bot.telegram import callbacks
from bot.telegram.arguments import directive_id_arg
from bot.telegram.guards import letter_managers
from bot.texts import t
from db.queries.directives import OPEN_STATUSES, get_directive


def _confirm_keyboard(directive_id: int, lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, "close.yes"),
                    callback_data=callbacks.pack(callbacks.CloseStep(directive_id, "yes")),
                ),
                InlineKeyboardButton(
                    t(lang, "close.no"),
                    callback_data=callbacks.pack(callbacks.CloseStep(directive_id, "no")),
                ),
            ]
        ]
    )


@letter_managers
async def close_command(update: Update, context: Context, who: Who) -> None:
    message, args = update.effective_message, context.args or []
    if message is None:
        return
    directive_id = directive_id_arg(args)
    if directive_id is None:
        await message.reply_text(t(who.lang, "close.usage"))
        return
    async with get_deps(context).sessionmaker() as session:
        directive = await get_directive(session, directive_id)
    if directive is None or directive.status not in OPEN_STATUSES:
        await message.reply_text(t(who.lang, "close.unknown", id=directive_id))
        return
    await message.reply_text(
        t(
            who.lang,
            "close.confirm",
            number=directive.number,
            subject=subject_line(directive.subject),
        ),
        reply_markup=_confirm_keyboard(directive.id, who.lang),
    )


@letter_managers
async def close_step(update: Update, context: Context, who: Who) -> None:
    query = update.callback_query
    step = callbacks.parse(query.data if query else None)
    if query is None or not isinstance(step, callbacks.CloseStep):
        return
    if step.action == "no":
        await query.answer()
        await query.edit_message_text(t(who.lang, "close.kept"))
        return
    deps = get_deps(context)
    async with deps.sessionmaker.begin() as session:
        directive = await get_directive(session, step.directive_id)
        closed = await close_letter(
            session,
            step.directive_id,
            deps.clock(),
            actor_type="staff" if who.is_staff else "user",
            actor_id=who.user_id,
        )
    await query.answer()
    number = directive.number if directive is not None else step.directive_id
    key = "close.done" if closed else "close.unknown"
    await query.edit_message_text(t(who.lang, key, number=number, id=step.directive_id))


HANDLERS: list[BaseHandler[Update, Context, None]] = [
    CommandHandler("close", close_command),
    CallbackQueryHandler(close_step, pattern=callbacks.CloseStep.pattern()),
]
