"""Strangers get a few answers, then silence.

The bot is on the public internet: anyone who finds it can send it updates, and every
answer costs a database read and a message from the bot's shared sending budget. Somebody
who is neither an agency contact nor staff (someone with an invite link is, after /start)
has BUDGET messages answered per WINDOW (button presses are not counted: handlers/screen.py);
the rest are dropped without a word, and logged once per window. Contacts and staff are
remembered for a minute so that a member's messages cost no extra lookup.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.onboarding.identity import role_of
from bot.resilience import database_unavailable
from db.queries import people

log = logging.getLogger(__name__)

BUDGET = 10
WINDOW_SECONDS = 600.0
MEMBER_SECONDS = 60.0
# A stranger over budget is looked up again at most this often: an invite used meanwhile, or
# /staff add, lets them in without waiting for the window to end.
RECHECK_SECONDS = 30.0
_MAX_REMEMBERED = 10_000


@dataclass
class _Stranger:
    since: float
    answered: int = 0
    checked: float = 0.0
    logged: bool = False


class StrangerBudget:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings,
        *,
        budget: int = BUDGET,
        window: float = WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._settings = settings
        self._budget = budget
        self._window = window
        self._clock = clock
        self._members: dict[int, float] = {}
        self._strangers: dict[int, _Stranger] = {}

    async def admits(self, user_id: int) -> bool:
        """Whether this user's update is handled; False: drop it silently."""
        now = self._clock()
        if now - self._members.get(user_id, -MEMBER_SECONDS) < MEMBER_SECONDS:
            return True
        stranger = self._strangers.get(user_id)
        if stranger is None or now - stranger.since >= self._window:
            stranger = self._strangers[user_id] = _Stranger(since=now)
            self._forget_old(now)
        over = stranger.answered >= self._budget
        if over and now - stranger.checked < RECHECK_SECONDS:
            return self._drop(user_id, stranger)
        stranger.checked = now
        if await self._is_member(user_id):
            self._members[user_id] = now
            self._strangers.pop(user_id, None)
            return True
        if over:
            return self._drop(user_id, stranger)
        stranger.answered += 1
        return True

    def _drop(self, user_id: int, stranger: _Stranger) -> bool:
        if not stranger.logged:
            stranger.logged = True
            log.warning(
                "dropping updates from user %d: neither a contact nor staff, over %d updates "
                "in %.0f s",
                user_id,
                self._budget,
                self._window,
            )
        return False

    async def _is_member(self, user_id: int) -> bool:
        try:
            async with self._sessionmaker() as session:
                if await role_of(session, self._settings, user_id) is not None:
                    return True
                return await people.get_contact(session, user_id) is not None
        except Exception as error:
            if not database_unavailable(error):
                raise
            return True  # an outage: the handlers meet it and say so, as for anyone

    def _forget_old(self, now: float) -> None:
        if len(self._strangers) + len(self._members) <= _MAX_REMEMBERED:
            return
        for user_id in [u for u, s in self._strangers.items() if now - s.since >= self._window]:
            del self._strangers[user_id]
        for user_id in [u for u, t in self._members.items() if now - t >= MEMBER_SECONDS]:
            del self._members[user_id]
