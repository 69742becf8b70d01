"""Questions answered by a reply: the bot asks (a ForceReply message), the user replies.

What the answer is for (the kind of question and its details) is stored in the database
before the question goes out, so the answer never depends on re-reading the question's
own, translated text, and a restart in between loses nothing. One open question per user:
asking another replaces it, and a reply to an older one is not taken for the newer one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot, ForceReply

from db.models import Prompt
from db.queries import prompts as queries

PROMPT_TTL = timedelta(hours=1)


class Prompts:
    def __init__(
        self,
        bot: Bot,
        sessionmaker: async_sessionmaker[AsyncSession],
        clock: Callable[[], datetime],
        ttl: timedelta = PROMPT_TTL,
    ) -> None:
        self._bot = bot
        self._sessionmaker = sessionmaker
        self._clock = clock
        self._ttl = ttl

    async def ask(
        self, *, user_id: int, chat_id: int, text: str, kind: str, payload: dict[str, Any]
    ) -> None:
        """Send the question and await the user's reply to it."""
        async with self._sessionmaker.begin() as session:
            await queries.open_prompt(session, user_id, kind, payload, self._clock() + self._ttl)
        sent = await self._bot.send_message(chat_id, text, reply_markup=ForceReply(selective=True))
        async with self._sessionmaker.begin() as session:
            await queries.set_prompt_message(session, user_id, kind, sent.message_id)

    async def find(self, user_id: int, replied_to: int) -> Prompt | None:
        """The open question a reply to message `replied_to` answers, if any."""
        async with self._sessionmaker() as session:
            return await queries.find_prompt(session, user_id, replied_to, self._clock())

    async def close(self, user_id: int, kind: str) -> None:
        """The answer was taken: a later reply to the same question is not."""
        async with self._sessionmaker.begin() as session:
            await queries.close_prompt(session, user_id, kind)

    async def expire(self) -> None:
        async with self._sessionmaker.begin() as session:
            await queries.expire_prompts(session, self._clock())
