"""Đã nhận: the officer's acknowledgement, answered at once and shown on the message."""

from __future__ import annotations

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.constants import MessageLimit
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.answers.acknowledge import AckOutcome, AckRequest, AckResult
from bot.deps import Context, get_deps
from bot.onboarding.identity import language_of
from bot.telegram import callbacks
from bot.telegram.timefmt import format_local
from bot.texts import t


async def acknowledge_pressed(update: Update, context: Context) -> None:
    query = update.callback_query
    if query is None:
        return
    data = callbacks.parse(query.data)
    deps = get_deps(context)
    user = query.from_user
    if isinstance(data, callbacks.Acknowledge):
        answer = await deps.acks.press(
            AckRequest(data.delivery_id, user.id, user.full_name, user.language_code)
        )
        lang, outcome = answer.lang, answer.outcome
    else:
        async with deps.sessionmaker() as session:
            lang = await language_of(session, user.id, user.language_code)
        outcome = AckOutcome(AckResult.GONE)
    tz = str(deps.settings.reminders.timezone)
    when = format_local(outcome.acknowledged_at, tz) if outcome.acknowledged_at else ""
    who = outcome.acknowledged_by or t(lang, "ack.by_hand")
    if outcome.result == AckResult.FIRST:
        # Whether every agency has now acknowledged is checked in the background, asked for
        # before anything can fail here; the answer goes first (the officer's spinner
        # stops), then the stamp on the letter.
        if outcome.directive_id is not None:
            deps.notices.check_all_acknowledged(outcome.directive_id)
        await query.answer(t(lang, "ack.recorded"))
        await _stamp(query, t(lang, "ack.stamp", name=who, at=when))
    elif outcome.result == AckResult.ALREADY:
        await query.answer(t(lang, "ack.already", name=who, at=when), show_alert=True)
    else:
        await query.answer(t(lang, f"ack.{outcome.result}"), show_alert=True)


def _without_ack_button(markup: InlineKeyboardMarkup | None) -> InlineKeyboardMarkup | None:
    if markup is None:
        return None
    rows = [
        [
            b
            for b in row
            if not isinstance(callbacks.parse(str(b.callback_data)), callbacks.Acknowledge)
        ]
        for row in markup.inline_keyboard
    ]
    return InlineKeyboardMarkup([row for row in rows if row])


async def _stamp(query: CallbackQuery, stamp: str) -> None:
    """Show "Đã nhận bởi … lúc …" under the letter and take the Đã nhận button away."""
    message = query.message
    if not isinstance(message, Message):
        return
    markup = _without_ack_button(message.reply_markup)
    try:
        if message.text is not None:
            text = f"{message.text_html}\n\n{stamp}"
            if len(text) <= MessageLimit.MAX_TEXT_LENGTH:
                await message.edit_text(text, reply_markup=markup)
                return
        elif message.caption is not None:
            caption = f"{message.caption_html}\n\n{stamp}"
            if len(caption) <= MessageLimit.CAPTION_LENGTH:
                await message.edit_caption(caption, reply_markup=markup)
                return
        await message.edit_reply_markup(markup)
    except BadRequest as error:
        if "not modified" not in error.message:
            raise


HANDLERS: list[BaseHandler[Update, Context, None]] = [
    CallbackQueryHandler(acknowledge_pressed, pattern=callbacks.Acknowledge.pattern()),
]
