"""Evidence fetches are rationed (issue 12): per officer per day, and at once per instance."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from bot.config import settings_from_mapping
from bot.evidence import checker
from bot.evidence.checker import EvidenceChecker
from bot.evidence.pages import Verdict, Verification
from bot.metrics import Metrics
from bot.sandbox import Sandbox
from db.models import Evidence
from tests.helpers import (
    StartBot,
    broadcast_to,
    eventually,
    join_officers,
    letter,
    report_with_evidence,
)


async def test_an_officer_gets_a_daily_ration_of_page_checks(
    start_bot: StartBot, sandbox: Sandbox, website: str
) -> None:
    bot = await start_bot(
        evidence={"allow_private_addresses": True, "checks_per_officer_per_day": 1}
    )
    officer = (await join_officers(bot.sessionmaker, sandbox, ["so-y-te"]))["so-y-te"][0]
    await broadcast_to(bot, sandbox, ["so-y-te"])
    await report_with_evidence(
        officer, await letter(officer), f"{website}/tin-tuc/hoi-sach", f"{website}/tin-tuc/khac"
    )
    await officer.press(await officer.wait_for_message("2 minh chứng"), "Xác nhận báo cáo")
    await officer.wait_for_message("Đã tìm thấy đường link", timeout=15)
    over = await officer.wait_for_message("chưa kiểm tra, vì đã quá 1 trang", timeout=15)
    assert "tin-tuc/khac" in over.shown_text
    async with bot.sessionmaker() as session:
        reasons = (
            await session.scalars(
                select(Evidence.verification_reason)
                .where(Evidence.kind == "url")
                .order_by(Evidence.id)
            )
        ).all()
    assert reasons == ["ok", "not checked: over 1 pages a day"]


async def test_no_more_pages_are_fetched_at_once_than_configured(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    active, most, release = 0, 0, asyncio.Event()

    async def fetch(url: str, links: Sequence[str], **_: Any) -> Verification:
        nonlocal active, most
        active += 1
        most = max(most, active)
        await release.wait()
        active -= 1
        return Verification(Verdict.VERIFIED, "ok")

    monkeypatch.setattr(checker, "verify_page", fetch)
    settings = settings_from_mapping({"evidence": {"max_concurrent_checks": 2}})
    pages = EvidenceChecker(
        None,  # type: ignore[arg-type]  # nothing is sent: _fetch only
        None,  # type: ignore[arg-type]
        settings.evidence,
        lambda: datetime.now(UTC),
        None,  # type: ignore[arg-type]
        Metrics(),
    )
    tasks = [asyncio.create_task(pages._fetch(f"https://a.vn/{n}", [])) for n in range(5)]
    await eventually(lambda: _value(active), 2)
    assert (active, most) == (2, 2)
    release.set()
    results = await asyncio.gather(*tasks)
    assert most == 2
    assert [r.verdict for r in results] == [Verdict.VERIFIED] * 5


async def _value(value: int) -> int:
    return value
