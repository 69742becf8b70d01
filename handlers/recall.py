"""/recall ID REASON (after a confirmation button) and /correct ID TEXT: staff withdraw a
letter sent by mistake, or send every recipient a correction of it.

The confirmation question is a reply to the staff member's own /recall message, and the
reason is read back from that message when they confirm: nothing waits in memory, and the
reason is exactly what they typed.
"""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.delivery.recall import RecallError, check_recallable, correct_directive, recall_directive
from bot.delivery.render import subject_line
from bot.deps import Context, get_deps
from bot.onboarding.identity import Who
from bot.telegram import callbacks
from bot.telegram.arguments import parse_id
from bot.telegram.guards import staff_only
from bot.texts import alert, t

# "/recall 12 the reason, over several lines": the id, then everything after it as typed.
_WITH_TEXT = re.compile(r"^/\w+(?:@\w+)?[^\S\n]+(\S+)(?:\s+(.*))?$", re.S)


def id_and_text(text: str | None) -> tuple[int | None, str]:
    """The directive id and the text after it of "/recall ID TEXT" or "/correct ID TEXT"."""
    match = _WITH_TEXT.match((text or "").strip())
    if match is None:
        return None, ""
    return parse_id(match.group(1)), (match.group(2) or "").strip()


def _confirm_keyboard(directive_id: int, lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, f"recall.{action}"),
                    callback_data=callbacks.pack(callbacks.RecallStep(directive_id, action)),
                )
                for action in ("yes", "no")
            ]
        ]
    )


@staff_only
async def recall_command(update: Update, context: Context, who: Who) -> None:
    message = update.effective_message
    if message is None:
        return
    directive_id, reason = id_and_text(message.text)
    if directive_id is None or not reason:
        await message.reply_text(t(who.lang, "recall.usage"))
        return
    try:
        async with get_deps(context).sessionmaker() as session:
            number, subject = await check_recallable(session, directive_id)
    except RecallError as error:
        await message.reply_text(t(who.lang, error.key, id=directive_id))
        return
    await message.reply_text(
        t(who.lang, "recall.confirm", number=number, subject=subject_line(subject), reason=reason),
        reply_markup=_confirm_keyboard(directive_id, who.lang),
        do_quote=True,
    )


@staff_only
async def recall_step(update: Update, context: Context, who: Who) -> None:
    query = update.callback_query
    step = callbacks.parse(query.data if query else None)
    if query is None or not isinstance(step, callbacks.RecallStep):
        return
    if step.action == "no":
        await query.answer()
        await query.edit_message_text(t(who.lang, "recall.kept"))
        return
    asked = query.message.reply_to_message if isinstance(query.message, Message) else None
    directive_id, reason = id_and_text(asked.text if asked is not None else None)
    if directive_id != step.directive_id or not reason:
        await query.answer(alert(who.lang, "recall.lost"), show_alert=True)
        return
    deps = get_deps(context)
    try:
        async with deps.sessionmaker.begin() as session:
            done = await recall_directive(
                session,
                step.directive_id,
                reason,
                staff_id=who.user_id,
                now=deps.clock(),
                tz_name=str(deps.settings.reminders.timezone),
            )
    except RecallError as error:
        await query.answer(alert(who.lang, error.key, id=step.directive_id), show_alert=True)
        return
    deps.outbox_wake.set()
    await query.answer()
    await query.edit_message_text(
        t(
            who.lang,
            "recall.done",
            number=done.number,
            edits=done.edits,
            cancelled=done.cancelled,
        )
    )


@staff_only
async def correct_command(update: Update, context: Context, who: Who) -> None:
    message = update.effective_message
    if message is None:
        return
    directive_id, text = id_and_text(message.text)
    if directive_id is None or not text:
        await message.reply_text(t(who.lang, "correct.usage"))
        return
    deps = get_deps(context)
    try:
        async with deps.sessionmaker.begin() as session:
            done = await correct_directive(
                session, directive_id, text, staff_id=who.user_id, now=deps.clock()
            )
    except RecallError as error:
        await message.reply_text(t(who.lang, error.key, id=directive_id))
        return
    deps.outbox_wake.set()
    await message.reply_text(
        t(who.lang, "correct.done", number=done.number, messages=done.messages)
    )


HANDLERS: list[BaseHandler[Update, Context, None]] = [
    CommandHandler("recall", recall_command),
    CallbackQueryHandler(recall_step, pattern=callbacks.RecallStep.pattern()),
    CommandHandler("correct", correct_command),
]
