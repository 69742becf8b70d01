"""Text replies to the bot's messages: the answer to a question the bot asked (a Prompt),
routed by the question's kind; any other reply goes to the fallback. A route says whether
it took the answer: then the question is closed; else (an empty reason, say) it stays open
for a better answer.

The routes are given by `handlers/__init__.py`, which knows every feature; this module
knows none of them.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, MessageHandler, filters

from bot.deps import Context, get_deps
from bot.onboarding.identity import Who
from bot.telegram.guards import WhoHandler, with_who

ReplyRoute = Callable[[Update, Context, Who, dict[str, Any]], Coroutine[Any, Any, bool]]


def reply_handlers(
    routes: Mapping[str, ReplyRoute], fallback: WhoHandler
) -> list[BaseHandler[Update, Context, None]]:
    @with_who
    async def replied(update: Update, context: Context, who: Who) -> None:
        message = update.effective_message
        if message is None or message.reply_to_message is None:
            return
        prompts = get_deps(context).prompts
        prompt = await prompts.find(who.user_id, message.reply_to_message.message_id)
        route = routes.get(prompt.kind) if prompt is not None else None
        if prompt is None or route is None:
            await fallback(update, context, who)
        elif await route(update, context, who, prompt.payload):
            await prompts.close(who.user_id, prompt.kind)

    return [MessageHandler(filters.REPLY & filters.TEXT & ~filters.COMMAND, replied)]
