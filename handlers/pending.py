"""/pending ID: who has not acknowledged, with whom to call; and the by-hand button.

The button asks for the reason (a question answered by a reply, bot.telegram.prompts):
what the reply is for (directive, agency, status) is stored with the question, and the
reply is taken by the mark-by-hand feature (handlers/mark.py). Nothing waits in memory, so
a restart between the two loses nothing.
"""

from __future__ import annotations

from telegram import Message, Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.deps import Context, get_deps
from bot.onboarding.identity import Who
from bot.reports.status_view import PAGE_SIZE, pending_page
from bot.telegram import callbacks
from bot.telegram.arguments import directive_id_arg
from bot.telegram.guards import letter_managers, staff_only
from bot.texts import alert, t
from db.queries import summary as queries

# The kind of question whose answer (a reply) is the reason for a mark by hand.
MARK_REASON = "mark_reason"


@letter_managers
async def pending_command(update: Update, context: Context, who: Who) -> None:
    message = update.effective_message
    if message is None:
        return
    directive_id = directive_id_arg(context.args or [])
    if directive_id is None:
        await message.reply_text(t(who.lang, "pending.usage"))
        return
    await _show(message, context, who, directive_id, 0, edit=False)


@letter_managers
async def pending_pressed(update: Update, context: Context, who: Who) -> None:
    """◀ ▶ on a page, or 📋 on a /status card."""
    query = update.callback_query
    if query is None:
        return
    data = callbacks.parse(query.data)
    if not isinstance(data, callbacks.PendingPage) or not isinstance(query.message, Message):
        await query.answer(alert(who.lang, "callback.unknown"))
        return
    await query.answer()
    # From a /status card the list comes as a new message; a page turn edits the list.
    edit = not _is_status_card(query.message)
    await _show(query.message, context, who, data.directive_id, data.page, edit=edit)


def _is_status_card(message: Message) -> bool:
    rows = message.reply_markup.inline_keyboard if message.reply_markup else ()
    return any(
        isinstance(callbacks.parse(str(button.callback_data)), callbacks.OpenStatus)
        for row in rows
        for button in row
    )


async def _show(
    message: Message, context: Context, who: Who, directive_id: int, page: int, *, edit: bool
) -> None:
    deps = get_deps(context)
    async with deps.sessionmaker() as session:
        directive = await queries.directive_head(session, directive_id)
        if directive is None:
            await message.reply_text(t(who.lang, "summary.unknown_directive", id=directive_id))
            return
        total, page, agencies = await queries.pending_page(
            session, directive_id, page=page, page_size=PAGE_SIZE
        )
    # Marking by hand is staff's: a relay's contacts see the list without those buttons.
    text, markup = pending_page(directive, total, page, agencies, who.lang, by_hand=who.is_staff)
    if not edit:
        await message.reply_text(text, reply_markup=markup)
        return
    try:
        await message.edit_text(text, reply_markup=markup)
    except BadRequest as error:
        if "not modified" not in error.message:
            raise


@staff_only
async def mark_pressed(update: Update, context: Context, who: Who) -> None:
    """✔ or 🏁 next to an agency: ask for the reason, as a reply."""
    query = update.callback_query
    if query is None:
        return
    data = callbacks.parse(query.data)
    if not isinstance(data, callbacks.PendingMark) or not isinstance(query.message, Message):
        await query.answer(alert(who.lang, "callback.unknown"))
        return
    async with get_deps(context).sessionmaker() as session:
        agency = await queries.recipient(session, data.directive_id, data.agency_id)
    if agency is None:
        await query.answer(alert(who.lang, "pending.gone"), show_alert=True)
        return
    code, name = agency
    status = callbacks.PendingMark.STATUSES[data.status]
    await query.answer(alert(who.lang, "pending.reply_below"))
    await get_deps(context).prompts.ask(
        user_id=who.user_id,
        chat_id=query.message.chat_id,
        text=t(
            who.lang,
            "pending.ask_reason",
            name=name,
            code=code,
            id=data.directive_id,
            status=t(who.lang, f"mark.status.{status}"),
            status_code=status,
        ),
        kind=MARK_REASON,
        payload={"directive_id": data.directive_id, "code": code, "status": status},
    )


HANDLERS: list[BaseHandler[Update, Context, None]] = [
    CommandHandler("pending", pending_command),
    CallbackQueryHandler(pending_pressed, pattern=callbacks.PendingPage.pattern()),
    CallbackQueryHandler(mark_pressed, pattern=callbacks.PendingMark.pattern()),
]
