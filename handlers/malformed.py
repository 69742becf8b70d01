"""Button presses whose data no button of the bot ever carried: a modified client, or
someone probing. Each is written to the event log (what was sent, by whom), at most once
per user every few minutes, so that a script pressing in a loop cannot fill the table.
The press itself is then answered by its handler (or the fallback) like any refusal.

Runs in a handler group of its own, before the others, and never stops them.
"""

from __future__ import annotations

import time

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.deps import Context, get_deps
from bot.telegram import callbacks
from db.queries.events import record_event

LOG_EVERY_SECONDS = 600.0
MAX_TRACKED_USERS = 10_000
MAX_LOGGED = 64
_SEEN_KEY = "malformed_callbacks_logged"


def _first_in_a_while(context: Context, user_id: int) -> bool:
    """Whether this user's malformed press is the first in LOG_EVERY_SECONDS."""
    seen: dict[int, float] = context.bot_data.setdefault(_SEEN_KEY, {})
    now = time.monotonic()
    last = seen.get(user_id)
    if last is not None and now - last < LOG_EVERY_SECONDS:
        return False
    if len(seen) >= MAX_TRACKED_USERS:  # many probing users: forget the oldest half
        for old in sorted(seen, key=seen.__getitem__)[: MAX_TRACKED_USERS // 2]:
            del seen[old]
    seen[user_id] = now
    return True


async def malformed_press(update: Update, context: Context) -> None:
    query = update.callback_query
    if query is None or callbacks.parse(query.data) is not None:
        return
    if not _first_in_a_while(context, query.from_user.id):
        return
    async with get_deps(context).sessionmaker.begin() as session:
        await record_event(
            session,
            "callback.malformed",
            actor_type="user",
            actor_id=query.from_user.id,
            data=(query.data or "")[:MAX_LOGGED],
        )


HANDLERS: list[BaseHandler[Update, Context, None]] = [CallbackQueryHandler(malformed_press)]
