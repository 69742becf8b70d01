"""The dashboard in a real browser (Debian's Chromium driven by Playwright), as staff use it:
sign in with a /web link, read the letters, filter, mark by hand, download, watch a
broadcast; and the refusals as a browser meets them.

Never a browser download: the tests use /usr/bin/chromium (`.ci/run` installs it with apt)
and skip, saying why, where it is missing. With AGENCY_BOT_SCREENSHOTS set to a folder
(docs/screenshots), the main pages are saved there for the README.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.async_api import Browser, Page, ViewportSize, async_playwright, expect
from sqlalchemy import select

from bot.runner import RunningBot
from bot.sandbox import Sandbox
from db.models import Event
from tests.dashboard_session import init_data, refusals, status_of, web_link
from tests.helpers import (
    ADMIN_ID,
    NUMBER,
    StartBot,
    join_officers,
    letter,
    queue_letter,
    report_with_evidence,
)

CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.one_database,
    pytest.mark.skipif(
        shutil.which(CHROMIUM) is None,
        reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)",
    ),
]
OFFICE_SCREEN = ViewportSize(width=1366, height=768)
PHONE = ViewportSize(width=390, height=844)
WAIT_MS = 15_000


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as driver:
        chromium = await driver.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        try:
            yield chromium
        finally:
            await chromium.close()


async def new_page(browser: Browser, *, viewport: ViewportSize = OFFICE_SCREEN) -> Page:
    context = await browser.new_context(viewport=viewport, accept_downloads=True, locale="vi-VN")
    return await context.new_page()


async def screenshot(page: Page, name: str) -> None:
    folder = os.environ.get("AGENCY_BOT_SCREENSHOTS")
    if folder:
        await asyncio.to_thread(Path(folder).mkdir, parents=True, exist_ok=True)
        await page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=False)


async def sign_in(browser: Browser, bot: RunningBot, sandbox: Sandbox) -> Page:
    page = await new_page(browser)
    await page.goto(await web_link(sandbox))
    await expect(page.get_by_role("heading", name="Công văn đã gửi")).to_be_visible(timeout=WAIT_MS)
    return page


async def test_staff_sign_in_filter_mark_and_see_it_logged(
    running: RunningBot, sandbox: Sandbox, browser: Browser, website: str
) -> None:
    bot = running
    # A campaign under way: two agencies acknowledged, one reported with its page's link.
    answering = ["ban-dan-toc", "ban-ql-kcn", "bao-soc-trang"]
    officers = await join_officers(bot.sessionmaker, sandbox, answering)
    directive_id = await queue_letter(bot, to=("all",))
    for code in answering[:2]:
        officer = officers[code][0]
        await officer.press(await letter(officer), "Đã nhận")
    reporter = officers["bao-soc-trang"][0]
    await report_with_evidence(
        reporter, await letter(reporter), f"Đã đăng tại {website}/tin-tuc/hoi-sach"
    )
    await reporter.press(await reporter.wait_for_message("2 minh chứng"), "Xác nhận báo cáo")
    await reporter.wait_for_message("Đã tìm thấy đường link", timeout=WAIT_MS / 1000)
    p = await sign_in(browser, bot, sandbox)
    await expect(p.get_by_role("link", name=NUMBER)).to_be_visible()
    await screenshot(p, "letters")
    await p.get_by_role("link", name=NUMBER).click()
    await expect(p.get_by_role("heading", name=NUMBER)).to_be_visible()
    await screenshot(p, "letter")

    await p.get_by_label("Tìm tên hoặc mã").fill("tư pháp")
    await p.get_by_role("button", name="Lọc").click()
    row = p.get_by_role("row").filter(has_text="Sở Tư pháp")
    await expect(row).to_have_count(1)
    await expect(p.get_by_role("row").filter(has_text="Sở Nội vụ")).to_have_count(0)

    await row.get_by_text("Đánh dấu", exact=True).click()
    await row.get_by_label("Đánh dấu là").select_option("acknowledged")
    await row.get_by_label("Lý do").fill("Đã gọi điện xác nhận")
    await row.get_by_role("button", name="Đánh dấu so-tu-phap").click()
    await expect(p.get_by_role("status")).to_contain_text("so-tu-phap")
    marked = p.get_by_role("row").filter(has_text="Sở Tư pháp")
    await expect(marked).to_contain_text("Đã nhận")
    await expect(marked).to_contain_text("Đã gọi điện xác nhận")
    assert str(await status_of(bot, directive_id, "so-tu-phap")) == "acknowledged"

    await p.get_by_role("link", name="Nhật ký").click()
    await expect(p.get_by_role("heading", name="Nhật ký công văn")).to_be_visible()
    entry = p.get_by_role("row").filter(has_text="Sở Tư pháp")
    await expect(entry.filter(has_text="Đã gọi điện xác nhận")).to_have_count(1)
    await screenshot(p, "events")

    await p.get_by_role("link", name="Danh bạ đơn vị").click()
    roster_row = p.get_by_role("row").filter(has_text="Sở Y tế")
    await screenshot(p, "roster")
    await roster_row.first.get_by_role("button", name="Tạo link mời").click()
    await expect(p.get_by_text("https://t.me/")).to_be_visible()
    await expect(p.locator("svg")).to_have_count(1)
    await screenshot(p, "invite")


async def test_the_xlsx_downloads_and_opens(
    start_bot: StartBot, sandbox: Sandbox, browser: Browser, tmp_path: Path
) -> None:
    bot = await start_bot()
    directive_id = await queue_letter(bot, to=("so-noi-vu", "so-y-te"))
    p: Page = await sign_in(browser, bot, sandbox)
    await p.goto(f"{bot.web_url}/app/letters/{directive_id}")
    async with p.expect_download() as waiting:
        await p.get_by_role("link", name="XLSX").click()
    download = await waiting.value
    saved = tmp_path / download.suggested_filename
    await download.save_as(saved)
    assert saved.name == f"bao-cao-cong-van-{directive_id}.xlsx"
    with zipfile.ZipFile(saved) as book:
        assert book.testzip() is None
        shared = book.read("xl/sharedStrings.xml").decode()
    assert "Sở Nội vụ" in shared
    assert "Sở Y tế" in shared


async def test_counts_move_while_a_broadcast_runs(
    start_bot: StartBot, sandbox: Sandbox, browser: Browser
) -> None:
    bot = await start_bot()
    codes = ["so-noi-vu", "so-tu-phap", "so-y-te"]
    officers = await join_officers(bot.sessionmaker, sandbox, codes)
    p: Page = await sign_in(browser, bot, sandbox)
    directive_id = await queue_letter(bot, to=tuple(codes))
    await p.goto(f"{bot.web_url}/app/letters/{directive_id}")
    acknowledged = p.locator('[data-count="acknowledged"]')
    await expect(acknowledged).to_have_text("0")
    for n, code in enumerate(codes, start=1):
        officer = officers[code][0]
        await officer.press(await letter(officer), "Đã nhận")
        # The page is not reloaded: its few lines of JavaScript poll the live counts.
        await expect(acknowledged).to_have_text(str(n), timeout=WAIT_MS)
    await expect(p.locator('[data-count="sent"]')).to_have_text("3")


async def test_a_phone_inside_telegram_signs_in_by_the_mini_app_data(
    start_bot: StartBot, sandbox: Sandbox, browser: Browser
) -> None:
    """The Mini App's page gets its init data in the address's fragment (tgWebAppData),
    reads it with the bot's own script and signs in."""
    bot = await start_bot()
    await queue_letter(bot)
    p: Page = await new_page(browser, viewport=PHONE)
    data = init_data(sandbox.token, ADMIN_ID)
    await p.goto(f"{bot.web_url}/app#tgWebAppData={quote(data)}&tgWebAppVersion=8.0")
    await expect(p.get_by_role("link", name=NUMBER)).to_be_visible(timeout=WAIT_MS)
    await screenshot(p, "phone-letters")


async def test_refusals_in_a_browser(
    start_bot: StartBot, sandbox: Sandbox, browser: Browser
) -> None:
    bot = await start_bot()
    directive_id = await queue_letter(bot, to=("so-noi-vu",))
    refused = "Không có quyền truy cập"

    # A link used once already.
    link = await web_link(sandbox)
    first: Page = await new_page(browser)
    await first.goto(link)
    await expect(first.get_by_role("heading", name="Công văn đã gửi")).to_be_visible(
        timeout=WAIT_MS
    )
    second: Page = await new_page(browser)
    reused = await second.goto(link)
    assert reused is not None
    assert reused.status == 403
    await expect(second.get_by_role("heading", name=refused)).to_be_visible()

    # Forged Mini App init data, and a contact who is not staff.
    officer = sandbox.add_user("Officer")
    for data in (
        init_data("42:someone-else's-bot", ADMIN_ID),
        init_data(sandbox.token, officer.id, name="Officer"),
    ):
        app: Page = await new_page(browser, viewport=PHONE)
        await app.goto(f"{bot.web_url}/app#tgWebAppData={quote(data)}")
        await expect(app.get_by_text("gửi /web cho bot")).to_be_visible(timeout=WAIT_MS)
        await expect(app.get_by_role("link", name=NUMBER)).to_have_count(0)

    # A POST without the CSRF token, from the signed-in browser: 403, nothing closed.
    request = first.request
    bare = await request.post(f"{bot.web_url}/app/letters/{directive_id}/close")
    assert bare.status == 403
    async with bot.sessionmaker() as session:
        closed = await session.scalar(select(Event.id).where(Event.kind == "directive.closed"))
    assert closed is None
    assert sorted(await refusals(bot)) == sorted(
        ["link", "init_data_bad_signature", "not_staff", "csrf"]
    )
