"""Evidence checks are never pending for good: a check cut off by a crash is taken up again
by the next start (the evidence row is its record), and a check that fails on a bug ends
unverified with the reason."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.evidence import checker
from bot.evidence.completion import (
    CompletionResult,
    add_evidence,
    confirm_completion,
    evidence_items,
    start_completion,
)
from bot.onboarding.roster import import_roster
from bot.runner import RunningBot
from bot.sandbox import Sandbox, SimUser
from db.models import Evidence, Verification
from db.queries import outbox
from db.session import make_engine, make_sessionmaker
from tests.helpers import (
    EXAMPLE_ROSTER,
    NUMBER,
    broadcast_to,
    eventually,
    join_officers,
    letter,
    queue_directive,
    report_with_evidence,
    serve_website,
    start_run,
    stop_run,
    write_config,
)


@asynccontextmanager
async def website_that_hangs_once() -> AsyncIterator[tuple[str, asyncio.Event]]:
    """The agency's website, whose first request never gets an answer (the bot dies while it
    waits); later ones are served. Yields its base URL and an event set at that request."""
    first_request = asyncio.Event()

    async def hang_the_first(request: web.Request) -> None:
        if not first_request.is_set():
            first_request.set()
            await asyncio.Event().wait()  # until the connection goes

    async with serve_website(before=hang_the_first) as url:
        yield url, first_request


async def evidence_state(db_url: str) -> list[tuple[str, Verification | None]]:
    engine = make_engine(db_url)
    try:
        async with make_sessionmaker(engine)() as session:
            rows = await session.execute(
                select(Evidence.kind, Evidence.verification).where(Evidence.kind == "url")
            )
            return [(kind, verdict) for kind, verdict in rows.all()]
    finally:
        await engine.dispose()


async def confirmed_report_left_pending(
    sessionmaker: async_sessionmaker[AsyncSession], officer: SimUser, url: str
) -> None:
    """What a process that died mid-check leaves behind, written by the services a bot runs:
    the letter delivered, the officer's report with `url` confirmed an hour ago, its check
    pending. (The conversation that leads there has tests of its own.)"""
    an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
    await queue_directive(sessionmaker, to=["so-y-te"], now=an_hour_ago)
    async with sessionmaker.begin() as session:
        [copy] = await outbox.claim_due(
            session, an_hour_ago, 9, owner="dead", lease=timedelta(seconds=1)
        )
        assert await outbox.mark_sent(session, copy, ["1"], an_hour_ago, owner="dead")
    delivery_id = copy.delivery_id or 0
    async with sessionmaker.begin() as session:
        await start_completion(session, delivery_id, officer.id, an_hour_ago, timedelta(hours=1))
        await add_evidence(session, officer.id, evidence_items(url), an_hour_ago)
        done = await confirm_completion(
            session, officer.id, delivery_id, an_hour_ago, check_links=True
        )
    assert done.result == CompletionResult.DONE


async def test_a_check_cut_off_by_a_crash_is_taken_up_by_the_next_start(
    sandbox: Sandbox, db_url: str, tmp_path: Path
) -> None:
    config = write_config(
        tmp_path / "config.toml",
        sandbox,
        db_url,
        extra="[evidence]\nallow_private_addresses = true",
    )
    async with website_that_hangs_once() as (site, first_request):
        engine = make_engine(db_url)
        try:
            sessionmaker = make_sessionmaker(engine)
            await import_roster(sessionmaker, EXAMPLE_ROSTER)
            officer = (await join_officers(sessionmaker, sandbox, ["so-y-te"]))["so-y-te"][0]
            await confirmed_report_left_pending(sessionmaker, officer, f"{site}/tin-tuc/hoi-sach")
        finally:
            await engine.dispose()
        # The first start takes the check up, and dies while the page has not answered.
        first = await start_run(config, log=tmp_path / "first.log")
        try:
            await asyncio.wait_for(first_request.wait(), 15)  # the check is under way
        finally:
            await stop_run(first, kill=True)
        assert await evidence_state(db_url) == [("url", Verification.PENDING)]

        second = await start_run(config, log=tmp_path / "second.log")
        try:
            told = await officer.wait_for_message("Đã tìm thấy đường link", timeout=30)
        finally:
            await stop_run(second)
    assert NUMBER in told.shown_text
    assert await evidence_state(db_url) == [("url", Verification.VERIFIED)]


async def test_a_check_that_fails_on_a_bug_ends_unverified_with_the_reason(
    running: RunningBot, sandbox: Sandbox, website: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: object, **kwargs: object) -> object:
        raise KeyError("a bug in the page check")

    monkeypatch.setattr(checker, "verify_page", broken)
    officer = (await join_officers(running.sessionmaker, sandbox, ["so-y-te"]))["so-y-te"][0]
    await broadcast_to(running, sandbox, ["so-y-te"])
    message = await letter(officer)
    await report_with_evidence(officer, message, f"{website}/tin-tuc/hoi-sach")
    await officer.press(
        await officer.wait_for_message("minh chứng cho công văn"), "Xác nhận báo cáo"
    )
    await officer.wait_for_message("Đã ghi nhận báo cáo")

    async def reason() -> str | None:
        async with running.sessionmaker() as session:
            return await session.scalar(
                select(Evidence.verification_reason).where(
                    Evidence.verification == Verification.UNVERIFIED
                )
            )

    await eventually(reason, "internal error: KeyError", timeout=15)
