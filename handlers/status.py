"""/status [ID]: how a directive is being received; without an ID, the recent ones."""

from __future__ import annotations

from telegram import Message, Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.deps import Context, get_deps
from bot.onboarding.identity import Who
from bot.relay.access import relay_contact_agency
from bot.reports.rollup import load_rollup
from bot.reports.status_view import recent_list, status_card
from bot.reports.summary import UnknownDirectiveError, load_counts
from bot.telegram import callbacks
from bot.telegram.arguments import directive_id_arg
from bot.telegram.guards import letter_managers
from bot.texts import alert, t
from db.queries.summary import recent_directives


@letter_managers
async def status_command(update: Update, context: Context, who: Who) -> None:
    message = update.effective_message
    args = context.args or []
    if message is None:
        return
    deps = get_deps(context)
    if not args:
        # A relay's contact sees the letters its agency relayed; staff see every letter.
        relayed_by = None if who.is_staff else relay_contact_agency(who)
        async with deps.sessionmaker() as session:
            recent = await recent_directives(session, relayed_by=relayed_by)
        text, markup = recent_list(recent, who.lang)
        await message.reply_text(text, reply_markup=markup)
        return
    directive_id = directive_id_arg(args)
    if directive_id is None:
        await message.reply_text(t(who.lang, "status.usage"))
        return
    await _show(message, context, who, directive_id, edit=False)


@letter_managers
async def status_pressed(update: Update, context: Context, who: Who) -> None:
    """A directive chosen from the recent list, or 🔄 on its card: show it in place."""
    query = update.callback_query
    if query is None:
        return
    data = callbacks.parse(query.data)
    if not isinstance(data, callbacks.OpenStatus) or not isinstance(query.message, Message):
        await query.answer(alert(who.lang, "callback.unknown"))
        return
    await query.answer(alert(who.lang, "status.refreshed"))
    await _show(query.message, context, who, data.directive_id, edit=True)


async def _show(
    message: Message, context: Context, who: Who, directive_id: int, *, edit: bool
) -> None:
    deps = get_deps(context)
    now = deps.clock()
    tz = deps.settings.reminders.timezone
    try:
        async with deps.sessionmaker() as session:
            directive, counts = await load_counts(session, directive_id, now, tz)
            rollup = await load_rollup(session, directive_id, now, tz)
    except UnknownDirectiveError:
        await message.reply_text(t(who.lang, "summary.unknown_directive", id=directive_id))
        return
    text, markup = status_card(
        directive, counts, now, who.lang, deps.settings.group_name, tz=tz, rollup=rollup
    )
    if not edit:
        await message.reply_text(text, reply_markup=markup)
        return
    try:
        await message.edit_text(text, reply_markup=markup)
    except BadRequest as error:
        if "not modified" not in error.message:
            raise


HANDLERS: list[BaseHandler[Update, Context, None]] = [
    CommandHandler("status", status_command),
    CallbackQueryHandler(status_pressed, pattern=callbacks.OpenStatus.pattern()),
]
