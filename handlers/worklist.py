"""/viec: an officer's list of the agency's open letters, with the buttons that apply; its
Đã nhận acknowledges and shows the list again in place."""

from __future__ import annotations

from telegram import Message, Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.answers.acknowledge import AckRequest, AckResult
from bot.answers.worklist import MAX_SHOWN, worklist
from bot.deps import Context, get_deps
from bot.onboarding.identity import Who
from bot.telegram import callbacks
from bot.telegram.guards import with_who
from bot.telegram.names import shown_name
from bot.telegram.timefmt import format_local
from bot.texts import alert, t
from db.models import ContactStatus
from db.queries.officer_side import open_letters


def _agency_of(who: Who) -> tuple[int, str] | None:
    contact = who.contact
    if contact is None or contact.status != ContactStatus.ACTIVE:
        return None
    return contact.agency_id, contact.agency.name


@with_who
async def worklist_command(update: Update, context: Context, who: Who) -> None:
    message = update.effective_message
    if message is None:
        return
    if _agency_of(who) is None:
        await message.reply_text(t(who.lang, "worklist.not_contact"))
        return
    await _show(message, context, who, edit=False)


async def _show(message: Message, context: Context, who: Who, *, edit: bool) -> None:
    agency = _agency_of(who)
    if agency is None:
        return
    deps = get_deps(context)
    today = deps.clock().astimezone(deps.settings.reminders.timezone).date()
    async with deps.sessionmaker() as session:
        total, letters = await open_letters(session, agency[0], limit=MAX_SHOWN)
    text, markup = worklist(letters, total, agency[1], today, who.lang)
    if not edit:
        await message.reply_text(text, reply_markup=markup)
        return
    try:
        await message.edit_text(text, reply_markup=markup)
    except BadRequest as error:
        if "not modified" not in error.message:
            raise


@with_who
async def worklist_acknowledged(update: Update, context: Context, who: Who) -> None:
    """Đã nhận in the list: the same acknowledgement as under the letter."""
    query = update.callback_query
    if query is None:
        return
    data = callbacks.parse(query.data)
    if not isinstance(data, callbacks.WorklistAck):
        await query.answer(alert(who.lang, "callback.unknown"))
        return
    deps = get_deps(context)
    user = query.from_user
    answer = await deps.acks.press(
        AckRequest(data.delivery_id, user.id, shown_name(user), user.language_code)
    )
    outcome = answer.outcome
    if outcome.result == AckResult.FIRST:
        if outcome.directive_id is not None:
            deps.notices.check_all_acknowledged(outcome.directive_id)
        await query.answer(alert(who.lang, "ack.recorded"))
        if isinstance(query.message, Message):
            await _show(query.message, context, who, edit=True)
    elif outcome.result == AckResult.ALREADY:
        tz = str(deps.settings.reminders.timezone)
        when = format_local(outcome.acknowledged_at, tz) if outcome.acknowledged_at else ""
        who_acked = outcome.acknowledged_by or t(who.lang, "ack.by_hand")
        await query.answer(alert(who.lang, "ack.already", name=who_acked, at=when), show_alert=True)
    else:
        await query.answer(alert(who.lang, f"ack.{outcome.result}"), show_alert=True)


HANDLERS: list[BaseHandler[Update, Context, None]] = [
    CommandHandler("viec", worklist_command),
    CallbackQueryHandler(worklist_acknowledged, pattern=callbacks.WorklistAck.pattern()),
]
