"""Checking reported URLs in the background and telling the officer the result."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot
from telegram.error import TelegramError

from bot.answers.notices import Notices
from bot.config import EvidenceSettings
from bot.evidence.pages import Verdict, verify_page
from bot.texts import t
from db.models import Verification
from db.queries.completions import agency_of, record_verification
from db.queries.events import record_event

log = logging.getLogger(__name__)


class EvidenceChecker:
    def __init__(
        self,
        bot: Bot,
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: EvidenceSettings,
        clock: Callable[[], datetime],
        notices: Notices,
    ) -> None:
        self._bot = bot
        self._sessionmaker = sessionmaker
        self._settings = settings
        self._clock = clock
        self._notices = notices

    async def check(
        self,
        *,
        chat_id: int,
        lang: str,
        number: str,
        directive_id: int | None,
        delivery_id: int | None,
        links: Sequence[str],
        checks: Sequence[tuple[int, str]],
    ) -> None:
        """Fetch each URL, record verified or unverified with the reason, tell whoever asked
        (the officer, or staff re-checking), and the sender when the evidence fails
        (`delivery_id` given: an officer's report, not a staff re-check)."""
        failures: list[str] = []
        for evidence_id, url in checks:
            try:
                result = await verify_page(
                    url, links, allow_private=self._settings.allow_private_addresses
                )
            except Exception:  # the check must never lose the report itself
                log.exception("checking %s failed", url)
                continue
            verdict = (
                Verification.VERIFIED
                if result.verdict == Verdict.VERIFIED
                else Verification.UNVERIFIED
            )
            async with self._sessionmaker.begin() as session:
                checked = await record_verification(
                    session, evidence_id, verdict, result.reason, self._clock()
                )
                await record_event(
                    session,
                    "evidence.checked",
                    actor_type="bot",
                    directive_id=directive_id,
                    agency_id=await agency_of(session, checked),
                    url=url,
                    verdict=verdict.value,
                    reason=result.reason,
                )
            if verdict == Verification.UNVERIFIED:
                failures.append(f"{url} ({result.reason})")
            key = f"completion.{verdict.value}"
            try:
                await self._bot.send_message(
                    chat_id,
                    t(lang, key, url=url, number=number, reason=result.reason),
                    disable_web_page_preview=True,
                )
            except TelegramError:
                log.warning("could not tell chat %s the check result", chat_id)
        if failures and delivery_id is not None:
            await self._notices.notify_unverified(delivery_id, failures)
