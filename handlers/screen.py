"""Group -2: what no handler gets to see.

An edited message is not a new one: an edited `/remind 5` would send another round to every
unacknowledged agency, an edited URL would be added as evidence again. A forwarded message
is somebody else's words: a forwarded command is not the forwarder's, nor is its text
evidence. And a stranger past their few answers (bot.telegram.strangers) is not answered.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop, BaseHandler, TypeHandler

from bot.deps import Context, get_deps


async def screen(update: Update, context: Context) -> None:
    if update.edited_message is not None or update.edited_channel_post is not None:
        raise ApplicationHandlerStop
    message = update.message
    if message is not None and (message.forward_origin is not None or message.is_automatic_forward):
        raise ApplicationHandlerStop
    # Presses are not rationed: their answers are not paced by chat, a stranger can only press
    # on the few messages the bot sent them, and officers' Đã nhận must cost no extra lookup.
    if update.callback_query is not None:
        return
    user = update.effective_user
    if user is not None and not await get_deps(context).strangers.admits(user.id):
        raise ApplicationHandlerStop


HANDLERS: list[BaseHandler[Update, Context, None]] = [TypeHandler(Update, screen)]
