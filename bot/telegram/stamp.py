"""The stamp under a letter once its agency acknowledged it: "✅ Đã nhận bởi … lúc …".

Đã nhận and Chuyển tiếp (which acknowledges too) both stamp the letter they were pressed on.
"""

from __future__ import annotations

from telegram import CallbackQuery, InlineKeyboardMarkup, Message
from telegram.constants import MessageLimit
from telegram.error import BadRequest

from bot.telegram import callbacks


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


async def stamp_acknowledged(query: CallbackQuery, stamp: str) -> None:
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
