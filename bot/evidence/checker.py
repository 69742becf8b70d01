"""Checking reported URLs in the background and telling the officer the result.

Fetches are rationed: at most `max_concurrent_checks` at once on an instance, and at most
`checks_per_officer_per_day` pages for one officer's reports (a completed agency could
otherwise confirm report after report, each page a fetch of up to 30 s). An officer told
why a page could not be fetched learns only that it could not be reached: the detail
(refused addresses, ports, TLS, DNS) would make the bot a scanner of the network for
whoever asks; staff, who re-check with /verify, and the event log get the detail.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot
from telegram.error import TelegramError

from bot.answers.notices import Notices
from bot.config import EvidenceSettings
from bot.evidence.pages import SELF_LINK, Verdict, verify_page
from bot.evidence.pages import Verification as PageVerification
from bot.metrics import Metrics
from bot.resilience import database_unavailable
from bot.texts import DEFAULT_LANGUAGE, t
from db.models import Verification
from db.queries.completions import agency_of, pages_checked_for, record_verification
from db.queries.events import record_event
from db.queries.evidence_checks import PendingCheck, pending_checks

log = logging.getLogger(__name__)

# The reason of a page recorded unverified without being fetched (the officer's ration).
NOT_FETCHED = "not checked"
# The reason of a check that failed on a bug: it ends unverified, never pending for good.
INTERNAL_ERROR = "internal error"
# A pending check older than this, and not under way here, was abandoned (a restart, a
# crash, another instance that stopped leading): any check under way ends well before.
ABANDONED_AFTER = timedelta(minutes=2)
RESUME_BATCH = 50


class EvidenceChecker:
    def __init__(
        self,
        bot: Bot,
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: EvidenceSettings,
        clock: Callable[[], datetime],
        notices: Notices,
        metrics: Metrics,
    ) -> None:
        self._bot = bot
        self._metrics = metrics
        self._sessionmaker = sessionmaker
        self._settings = settings
        self._clock = clock
        self._notices = notices
        self._slots = asyncio.Semaphore(settings.max_concurrent_checks)
        # Evidence this instance is checking now: the sweep for abandoned checks skips them.
        self._checking: set[int] = set()

    async def check(
        self,
        *,
        chat_id: int | None,
        lang: str,
        number: str,
        directive_id: int | None,
        delivery_id: int | None,
        links: Sequence[str],
        checks: Sequence[tuple[int, str]],
    ) -> None:
        """Fetch each URL, record verified or unverified with the reason, tell whoever asked
        (the officer, or staff re-checking), and the sender when the evidence fails
        (`delivery_id` given: an officer's report, not a staff re-check). `chat_id` None:
        nobody to tell (the officer left before an abandoned check was taken up again)."""
        with self._under_way(checks):
            failures: list[str] = []
            officer = delivery_id is not None  # else staff re-checking: not rationed, told all
            for evidence_id, url in checks:
                result = await self._result(url, links, chat_id if officer else None)
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
                self._metrics.evidence_checked(verdict.value)
                if verdict == Verification.UNVERIFIED:
                    failures.append(f"{url} ({result.reason})")
                key = f"completion.{verdict.value}"
                reason = result.reason
                if officer and result.reason.startswith(NOT_FETCHED):
                    reason = t(lang, "evidence.over_quota", count=self._quota)
                elif officer and _unreachable(result):
                    reason = t(lang, "evidence.unreachable")
                if chat_id is None:
                    continue
                try:
                    await self._bot.send_message(
                        chat_id,
                        t(lang, key, url=url, number=number, reason=reason),
                        disable_web_page_preview=True,
                    )
                except TelegramError:
                    log.warning("could not tell chat %s the check result", chat_id)
            if failures and delivery_id is not None:
                await self._notices.notify_unverified(delivery_id, failures)

    async def _result(
        self, url: str, links: Sequence[str], rationed: int | None
    ) -> PageVerification:
        """The page's verdict (`rationed`: the officer whose daily ration it counts against).
        A bug ends the check unverified with the reason, never pending for good; a database
        outage leaves it pending, for the sweep once the database is back."""
        try:
            if rationed is not None and not await self._within_quota(rationed):
                return PageVerification(Verdict.UNVERIFIED, self._quota_reason())
            return await self._fetch(url, links)
        except Exception as error:
            if database_unavailable(error):
                raise
            log.exception("checking %s failed", url)
            return PageVerification(Verdict.UNVERIFIED, f"{INTERNAL_ERROR}: {type(error).__name__}")

    @contextlib.contextmanager
    def _under_way(self, checks: Sequence[tuple[int, str]]) -> Iterator[None]:
        """These evidence ids are being checked here: the sweep for abandoned ones skips them."""
        ids = {evidence_id for evidence_id, _ in checks}
        self._checking |= ids
        try:
            yield
        finally:
            self._checking -= ids

    async def resume_abandoned(self) -> int:
        """Check again what a restart, a crash or a change of leader left `pending` (the
        evidence row is the check's record): the number of links taken up."""
        created_before = self._clock() - ABANDONED_AFTER
        async with self._sessionmaker() as session:
            pending = await pending_checks(
                session, created_before=created_before, skip=self._checking, limit=RESUME_BATCH
            )
        if not pending:
            return 0
        log.warning("taking up %d evidence check(s) left pending", len(pending))
        by_delivery: dict[int, list[PendingCheck]] = {}
        for check in pending:
            by_delivery.setdefault(check.delivery_id, []).append(check)
        for checks in by_delivery.values():
            first = checks[0]
            await self.check(
                chat_id=first.chat_id,
                lang=first.language or DEFAULT_LANGUAGE,
                number=first.number,
                directive_id=first.directive_id,
                delivery_id=first.delivery_id,
                links=first.links,
                checks=[(c.evidence_id, c.url) for c in checks],
            )
        return len(pending)

    async def _fetch(self, url: str, links: Sequence[str]) -> PageVerification:
        async with self._slots:
            return await verify_page(
                url,
                links,
                allow_private=self._settings.allow_private_addresses,
                allowed_ports=self._settings.allowed_ports,
            )

    async def _within_quota(self, user_id: int) -> bool:
        since = self._clock() - timedelta(days=1)
        async with self._sessionmaker() as session:
            fetched = await pages_checked_for(session, user_id, since, NOT_FETCHED)
        return fetched < self._quota

    @property
    def _quota(self) -> int:
        return self._settings.checks_per_officer_per_day

    def _quota_reason(self) -> str:
        return f"{NOT_FETCHED}: over {self._quota} pages a day"


def _unreachable(result: PageVerification) -> bool:
    """The page was never read (refused, unreachable, too large…): not a missing link, not
    the letter's own link, not the daily ration."""
    return (
        result.verdict == Verdict.UNVERIFIED
        and not result.missing
        and result.reason != SELF_LINK
        and not result.reason.startswith(NOT_FETCHED)
    )
