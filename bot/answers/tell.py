"""Telling people about an answer through the send queue, each in their own language.

What an officer's answer changes (a request for more time, a letter sent back) and what the
sender decides are told by queued notices: written in the same transaction as the change,
so a crash loses neither, and sent at Telegram's pace with the dispatcher's retries.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.onboarding.identity import staff_ids
from bot.texts import DEFAULT_LANGUAGE
from db.models import MessageKind
from db.queries.people import languages_of
from db.queries.reminders import enqueue_messages

Keyboard = list[list[dict[str, str]]]
"""Rows of {"text", "callback_data"} buttons, as a queued notice carries them."""


async def sender_chats(session: AsyncSession, settings: Settings, sender: int | None) -> list[int]:
    """Who answers for a letter: the staff member who sent it, or every staff member when it
    was queued from the command line."""
    if sender is not None:
        return [sender]
    return list(await staff_ids(session, settings))


async def queue_notices(
    session: AsyncSession,
    recipients: Sequence[tuple[int | None, int | None, int]],
    now: datetime,
    text: Callable[[str], str],
    keyboard: Callable[[str], Keyboard] | None = None,
) -> int:
    """Queue one notice per (delivery id, contact id, chat id), its text (and buttons) in the
    reader's language: `text(lang)`. Returns how many were queued."""
    languages = await languages_of(session, [chat for _, _, chat in recipients])
    messages: list[tuple[int | None, int | None, int, dict[str, Any]]] = []
    for delivery_id, contact_id, chat_id in recipients:
        lang = languages.get(chat_id, DEFAULT_LANGUAGE)
        payload: dict[str, Any] = {"text": text(lang)}
        if keyboard is not None:
            payload["keyboard"] = keyboard(lang)
        messages.append((delivery_id, contact_id, chat_id, payload))
    await enqueue_messages(session, messages, now, kind=MessageKind.NOTICE)
    return len(messages)
