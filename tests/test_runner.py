"""Running the bot: polling against the sandbox, and the demo."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.cli.demo import run_demo
from bot.runner import running_bot
from bot.sandbox import Sandbox
from tests.helpers import FAST, FAST_LIMITS, make_settings

SIGN_IN_LINK = re.compile(r"https?://\S+/web/login\?token=\S+")


async def test_polling_mode_removes_a_stale_webhook(sandbox: Sandbox, tmp_path: Path) -> None:
    settings = make_settings(sandbox, f"sqlite+aiosqlite:///{tmp_path / 'poll.db'}")
    async with running_bot(settings, tuning=FAST):
        await sandbox.wait_for("deleteWebhook")
        await sandbox.add_user("Officer").ask("/start", "đường link mời")


async def test_demo_shows_officers_joining_and_the_broadcast(tmp_path: Path) -> None:
    """The whole demo, ended with `--serve`: its dashboard's address and sign-in link work
    while it serves (one run of the demo for both), at the tests' pace."""
    lines: list[str] = []
    visited: list[str] = []

    async def serve() -> None:  # stands for "until Ctrl-C": a visit, then stop
        found = SIGN_IN_LINK.search("\n".join(lines))
        assert found is not None
        async with httpx.AsyncClient() as browser:
            assert (await browser.get(found.group(0))).status_code == 200
            home = found.group(0).split("/web/login")[0] + "/app"
            visited.append((await browser.get(home)).text)

    await run_demo(
        officers=6,
        out=lines.append,
        report_dir=tmp_path / "report",
        serve=serve,
        tuning=FAST,
        limits=FAST_LIMITS,
    )
    assert any(line.startswith("The staff dashboard: http://127.0.0.1:") for line in lines)
    assert "  serving until Ctrl-C" in lines
    assert "123/STTTT-TTBCXB" in visited[0]
    text = "\n".join(lines)
    assert "Roster imported: 172 agencies" in text
    joined = [line for line in lines if line.startswith("  ✓")]
    assert len(joined) == 7  # six primaries and one backup
    assert "Báo Sóc Trăng" in joined[0]
    assert "đầu mối chính" in joined[0]
    assert "đầu mối dự phòng" in joined[-1]
    assert "forged link" in text
    assert "không hợp lệ" in text
    assert "used-up link" in text
    assert "Đã gửi xong công văn số 123/STTTT-TTBCXB: 7/7 tin nhắn" in text
    assert "7 of 7 officers have the letter" in text
    assert (
        "[✅ Đã nhận]  [📝 Báo cáo kết quả]  [⏳ Xin gia hạn]  [🚫 Không thuộc thẩm quyền]  "
        "[🔗 book365.vn]"
    ) in text
    # The sample's three items: each agency reads what is asked of it first.
    assert "  Báo Sóc Trăng: 📌 Đơn vị thực hiện: mục 1" in lines
    assert "  Sở Giáo dục và Đào tạo: 📌 Đơn vị thực hiện: mục 2" in lines
    assert "  Hội Khuyến học tỉnh Sóc Trăng: 📌 Đơn vị thực hiện: mục 3" in lines
    # One agency gets more time, another says the letter is not its business.
    assert "Sở Giáo dục và Đào tạo xin gia hạn công văn số 123/STTTT-TTBCXB" in text
    assert "[✅ Đồng ý]  [✖ Từ chối]" in text
    assert "Sở đồng ý gia hạn công văn số 123/STTTT-TTBCXB" in text
    assert "(hoi-vhnt) báo công văn số 123/STTTT-TTBCXB" in text
    assert "[↪️ Gửi cho đơn vị khác]" in text
    assert "↩️ Không thuộc thẩm quyền: 1" in text
    assert text.count("✅ Đã tìm thấy đường link") == 3  # two agencies, one school
    assert "⚠️ Chưa xác minh được" in text
    assert "no link to https://book365.vn" in text
    table = lines[lines.index(next(x for x in lines if x.startswith("Where things stand"))) :]
    assert any(" completed " in line and line.endswith(" verified") for line in table)
    assert any(" completed " in line and line.endswith(" unverified") for line in table)
    assert "Tổng số đơn vị: 64" in text  # "all": the top of the tree
    assert "✅ Đã nhận:" in text
    # Sở GD&ĐT relays to its 18 units, the office of Mỹ Xuyên to its 6 schools; two
    # schools acknowledge, one reports with a page that links the letter's link.
    assert "[🔁 Chuyển tiếp (18 đơn vị)]" in text
    assert "[📢 Tất cả đơn vị trực thuộc (6)]" in text
    assert "Thực hiện Công văn số 123/STTTT-TTBCXB của Sở Thông tin và Truyền thông" in text
    assert "(thcs-tham-don-mx): ✅ Đã tìm thấy đường link" in text
    assert re.search(r"\n  so-gddt relayed .*\(directive 2\): units 24  reached 5  ", text)
    # The story ends with the department's /status: the counts back up from three levels.
    ending = lines[lines.index(next(x for x in lines if "sees how far down" in x)) :]
    card = "\n".join(ending)
    assert "Sở Giáo dục và Đào tạo chuyển tiếp lúc" in card
    assert "(ID 2): 24 đơn vị, đã nhận 4 (17%), hoàn thành 1, quá hạn 0" in card
    assert "    ↳ Phòng Giáo dục và Đào tạo huyện Mỹ Xuyên" in card
    assert "(ID 3): 6 đơn vị, đã nhận 2 (33%), hoàn thành 1" in card
    summary = lines[lines.index("The summary report (agency-bot report 1):") :]
    assert summary[1].startswith("Directive 1: 123/STTTT-TTBCXB")
    assert sum(1 for line in summary if line.startswith(("so-", "ubnd-", "bao-", "dai-"))) > 20
    assert (tmp_path / "report" / "bao-cao-cong-van-1.xlsx").read_bytes()[:2] == b"PK"
    assert (tmp_path / "report" / "bao-cao-cong-van-1.png").read_bytes()[:4] == b"\x89PNG"


async def test_a_stop_does_not_wait_for_connections_that_never_close(
    sandbox: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A connection the network dropped can hold its close for minutes: the stop goes on
    without it, and says so."""
    monkeypatch.setattr("bot.runner.DISPOSE_TIMEOUT_SECONDS", 0.2)
    settings = make_settings(sandbox, f"sqlite+aiosqlite:///{tmp_path / 'stuck.db'}")
    async with running_bot(settings, tuning=FAST):

        async def never_closes(engine: AsyncEngine) -> None:
            await asyncio.Event().wait()

        monkeypatch.setattr(AsyncEngine, "dispose", never_closes)
    assert "did not close" in caplog.text
