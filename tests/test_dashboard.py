"""The staff dashboard over HTTP: sign-in by a /web link and by Mini App init data, the
pages, the actions with their CSRF token, the downloads, and every refusal a stranger or
a forger meets."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select

from bot.runner import RunningBot
from bot.sandbox import Sandbox
from bot.web.dashboard.auth import COOKIE, CSRF_HEADER
from bot.web.dashboard.state import RefusalBudget
from db.models import Delivery, DeliveryStatus, Event
from db.queries.summary import events
from tests.dashboard_session import init_data, refusals, status_of, web_link
from tests.helpers import (
    ADMIN_ID,
    NUMBER,
    Clock,
    StartBot,
    join_officers,
    letter,
    queue_letter,
    report_with_evidence,
)


@asynccontextmanager
async def signed_in(bot: RunningBot, sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    """A browser signed in as the admin through a /web link."""
    async with httpx.AsyncClient(base_url=bot.web_url) as client:
        answer = await client.get(await web_link(sandbox))
        assert answer.status_code == 200, answer.text
        yield client


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


async def test_a_web_link_signs_staff_in_once(start_bot: StartBot, sandbox: Sandbox) -> None:
    bot = await start_bot()
    await queue_letter(bot)
    link = await web_link(sandbox)
    async with httpx.AsyncClient(base_url=bot.web_url) as browser:
        answer = await browser.get(link)
        assert answer.status_code == 200
        cookie = answer.headers["set-cookie"]
        assert f"{COOKIE}=" in cookie
        assert "HttpOnly" in cookie
        assert "SameSite=Strict" in cookie
        assert "Secure" not in cookie  # http: a Secure cookie would never come back
        letters = await browser.get("/app")
        assert NUMBER in letters.text
    # The same link again, from another browser: refused, no session, in the log.
    async with httpx.AsyncClient(base_url=bot.web_url) as other:
        again = await other.get(link)
        assert again.status_code == 403
        assert COOKIE not in again.headers.get("set-cookie", "")
        assert NUMBER not in (await other.get("/app")).text
    assert await refusals(bot) == ["link"]


async def test_a_link_older_than_five_minutes_is_refused(
    start_bot: StartBot, sandbox: Sandbox, clock: Clock
) -> None:
    bot = await start_bot()
    link = await web_link(sandbox)
    clock.advance(timedelta(minutes=5, seconds=1))
    async with httpx.AsyncClient(base_url=bot.web_url) as browser:
        assert (await browser.get(link)).status_code == 403
    assert await refusals(bot) == ["link"]


async def test_sessions_are_https_only_behind_an_https_public_url(
    start_bot: StartBot, sandbox: Sandbox
) -> None:
    bot = await start_bot(web={"public_url": "https://bot.example.gov.vn"})
    link = await web_link(sandbox)
    assert link.startswith("https://bot.example.gov.vn/web/login?token=")
    async with httpx.AsyncClient(base_url=bot.web_url) as browser:
        answer = await browser.get(link.replace("https://bot.example.gov.vn", ""))
        assert "Secure" in answer.headers["set-cookie"]


async def test_a_contact_who_is_not_staff_gets_no_link(
    start_bot: StartBot, sandbox: Sandbox
) -> None:
    await start_bot()
    officer = sandbox.add_user("Officer")
    answer = await officer.ask("/web")
    assert "/web/login" not in answer.shown_text


async def test_the_mini_app_signs_staff_in_by_its_init_data(
    start_bot: StartBot, sandbox: Sandbox
) -> None:
    bot = await start_bot()
    await queue_letter(bot)
    async with httpx.AsyncClient(base_url=bot.web_url) as app:
        data = init_data(sandbox.token, ADMIN_ID)
        answer = await app.post("/app/auth", json={"init_data": data})
        assert answer.status_code == 200
        assert answer.json()["home"] == "/app"
        assert NUMBER in (await app.get("/app")).text
    async with bot.sessionmaker() as session:
        signed = await session.scalars(select(Event.detail).where(Event.kind == "web.signed_in"))
        assert [d["via"] for d in signed.all()] == ["miniapp"]


async def test_forged_stale_and_non_staff_init_data_are_refused(
    start_bot: StartBot, sandbox: Sandbox
) -> None:
    bot = await start_bot()
    officer = sandbox.add_user("Officer")
    attempts = {
        "forged": init_data("123:not-the-bot-token", ADMIN_ID),
        "stale": init_data(sandbox.token, ADMIN_ID, age=3601 + 60),
        "tampered": init_data(sandbox.token, officer.id).replace(str(officer.id), str(ADMIN_ID)),
        "not staff": init_data(sandbox.token, officer.id, name="Officer"),
    }
    async with httpx.AsyncClient(base_url=bot.web_url) as app:
        for what, data in attempts.items():
            answer = await app.post("/app/auth", json={"init_data": data})
            assert answer.status_code == 403, what
            assert COOKIE not in answer.headers.get("set-cookie", ""), what
        assert "/app/letters/" not in (await app.get("/app")).text
    assert sorted(await refusals(bot)) == sorted(
        ["init_data_bad_signature", "init_data_stale", "init_data_bad_signature", "not_staff"]
    )


async def test_marking_needs_the_csrf_token_and_is_logged(
    start_bot: StartBot, sandbox: Sandbox
) -> None:
    bot = await start_bot()
    directive_id = await queue_letter(bot, to=("so-noi-vu", "so-tu-phap"))
    async with signed_in(bot, sandbox) as browser:
        page = (await browser.get(f"/app/letters/{directive_id}")).text
        assert "Sở Nội vụ" in page
        mark = f"/app/letters/{directive_id}/mark"
        form = {"code": "so-noi-vu", "status": "acknowledged", "reason": "gọi điện xác nhận"}
        bare = await browser.post(mark, data=form)
        wrong = await browser.post(mark, data={**form, "csrf": "x" * 43})
        assert (bare.status_code, wrong.status_code) == (403, 403)
        assert await status_of(bot, directive_id, "so-noi-vu") != DeliveryStatus.ACKNOWLEDGED
        assert await refusals(bot) == ["csrf", "csrf"]

        forged = await browser.post(
            mark, data={**form, "status": "rejected", "csrf": csrf_of(page)}
        )
        assert "Trạng thái không hợp lệ" in (await browser.get(forged.headers["location"])).text
        assert await status_of(bot, directive_id, "so-noi-vu") != DeliveryStatus.ACKNOWLEDGED

        done = await browser.post(mark, data={**form, "csrf": csrf_of(page)})
        assert done.status_code == 303
        assert await status_of(bot, directive_id, "so-noi-vu") == DeliveryStatus.ACKNOWLEDGED
        shown = (await browser.get(done.headers["location"])).text
        assert "gọi điện xác nhận" in shown
        log = (await browser.get(f"/app/letters/{directive_id}/events")).text
        assert "gọi điện xác nhận" in log
    async with bot.sessionmaker() as session:
        logged = [e for e in await events(session, directive_id=directive_id)]
    marked = [e for e in logged if e.kind == "delivery.marked"]
    assert [(e.actor_type, e.actor_id) for e in marked] == [("staff", ADMIN_ID)]


async def test_a_post_without_a_session_is_refused(start_bot: StartBot, sandbox: Sandbox) -> None:
    bot = await start_bot()
    directive_id = await queue_letter(bot, to=("so-noi-vu",))
    async with httpx.AsyncClient(base_url=bot.web_url) as stranger:
        answer = await stranger.post(
            f"/app/letters/{directive_id}/close", headers={CSRF_HEADER: "anything"}
        )
        assert answer.status_code == 403
        assert (await stranger.get(f"/app/letters/{directive_id}")).status_code == 403
    async with bot.sessionmaker() as session:
        closed = await session.scalar(select(Event.id).where(Event.kind == "directive.closed"))
    assert closed is None


async def test_the_table_filters_searches_sorts_and_pages(
    start_bot: StartBot, sandbox: Sandbox
) -> None:
    bot = await start_bot()
    directive_id = await queue_letter(bot, to=("all",))
    async with signed_in(bot, sandbox) as browser:
        url = f"/app/letters/{directive_id}"
        found = (await browser.get(url, params={"q": "tư pháp"})).text
        assert "Sở Tư pháp" in found
        assert "Sở Nội vụ" not in found
        by_code = (await browser.get(url, params={"q": "SO-NOI"})).text
        assert "Sở Nội vụ" in by_code
        none = (await browser.get(url, params={"status": "completed"})).text
        assert 'data-code="' not in none
        under = (await browser.get(url, params={"under": "so-y-te"})).text
        codes = re.findall(r'<tr data-code="([^"]+)"', under)
        assert "so-y-te" in codes
        assert "cdc-soc-trang" not in codes  # relayed down, not a recipient of this letter
        down = (await browser.get(url, params={"sort": "code", "dir": "desc"})).text
        rows = re.findall(r'<tr data-code="([^"]+)"', down)
        assert rows == sorted(rows, reverse=True)


async def test_the_xlsx_download_holds_the_agencies_and_is_logged(
    start_bot: StartBot, sandbox: Sandbox
) -> None:
    bot = await start_bot()
    directive_id = await queue_letter(bot, to=("so-noi-vu",))
    async with signed_in(bot, sandbox) as browser:
        answer = await browser.get(f"/app/letters/{directive_id}/download/xlsx")
        assert answer.status_code == 200
        assert "attachment" in answer.headers["content-disposition"]
        with zipfile.ZipFile(io.BytesIO(answer.content)) as book:
            shared = book.read("xl/sharedStrings.xml").decode()
        assert "Sở Nội vụ" in shared
        csv = await browser.get(f"/app/letters/{directive_id}/download/csv")
        assert csv.text.startswith("agency_code,")
    async with bot.sessionmaker() as session:
        exported = await session.scalars(
            select(Event.detail).where(Event.kind == "report.exported")
        )
        assert [(d["channel"], d["format"]) for d in exported.all()] == [
            ("web", "xlsx"),
            ("web", "csv"),
        ]


async def test_the_live_counts_follow_the_letter(start_bot: StartBot, sandbox: Sandbox) -> None:
    bot = await start_bot()
    directive_id = await queue_letter(bot, to=("so-noi-vu", "so-tu-phap"))
    async with signed_in(bot, sandbox) as browser:
        counts: dict[str, Any] = (await browser.get(f"/app/letters/{directive_id}/live")).json()
        assert counts["total"] == 2
        assert counts["acknowledged"] == 0


async def test_dashboard_answers_with_a_mini_app_button(
    start_bot: StartBot, sandbox: Sandbox
) -> None:
    await start_bot(web={"public_url": "https://bot.example.gov.vn"})
    admin = sandbox.add_user("Admin", user_id=ADMIN_ID)
    answer = await admin.ask("/dashboard")
    [button] = answer.buttons()
    assert button["web_app"] == {"url": "https://bot.example.gov.vn/app"}


async def test_a_marked_delivery_row_is_in_the_database_as_by_hand(
    start_bot: StartBot, sandbox: Sandbox
) -> None:
    """Marking from the page is the chat's mark: set by hand, with its reason."""
    bot = await start_bot()
    directive_id = await queue_letter(bot, to=("so-tu-phap",))
    async with signed_in(bot, sandbox) as browser:
        page = (await browser.get(f"/app/letters/{directive_id}")).text
        await browser.post(
            f"/app/letters/{directive_id}/mark",
            data={"code": "so-tu-phap", "status": "completed", "reason": "đã nộp bản giấy"},
            headers={CSRF_HEADER: csrf_of(page)},
        )
    async with bot.sessionmaker() as session:
        delivery = await session.scalar(
            select(Delivery).where(Delivery.directive_id == directive_id)
        )
        assert delivery is not None
        assert delivery.status == DeliveryStatus.COMPLETED
        assert delivery.manual_reason == "đã nộp bản giấy"
        assert delivery.completed_by_staff_id == ADMIN_ID


async def test_verify_remind_close_and_invite_from_the_pages(
    running: RunningBot, sandbox: Sandbox, website: str
) -> None:
    """The chat's other actions from the page, through the same services and events."""
    bot = running
    officers = await join_officers(bot.sessionmaker, sandbox, ["so-y-te", "so-noi-vu"])
    directive_id = await queue_letter(bot, to=("so-y-te", "so-noi-vu"))
    reporter = officers["so-y-te"][0]
    await report_with_evidence(
        reporter, await letter(reporter), f"Đã đăng tại {website}/tin-tuc/hoi-sach"
    )
    await reporter.press(await reporter.wait_for_message("2 minh chứng"), "Xác nhận báo cáo")
    await reporter.wait_for_message("Đã tìm thấy đường link", timeout=15)
    admin = sandbox.add_user("Admin", user_id=ADMIN_ID)
    async with httpx.AsyncClient(base_url=bot.web_url) as browser:
        assert (await browser.get(await web_link(sandbox, admin))).status_code == 200
        url = f"/app/letters/{directive_id}"
        page = (await browser.get(url)).text
        assert "✓ đã xác minh" in page
        assert f"{website}/tin-tuc/hoi-sach" in page
        token = {"csrf": csrf_of(page)}

        checked = await browser.post(f"{url}/verify", data={**token, "code": "so-y-te"})
        assert (
            "Đang kiểm tra lại 1 đường link"
            in (await browser.get(checked.headers["location"])).text
        )
        await admin.wait_for_message("Đã tìm thấy đường link", timeout=15)

        silent = officers["so-noi-vu"][0]
        await letter(silent)
        reminded = await browser.post(f"{url}/remind", data=token)
        assert "Đã xếp nhắc" in (await browser.get(reminded.headers["location"])).text
        await silent.wait_for_message("Sở nhắc", timeout=10)

        question = await browser.get(f"{url}/close")
        assert "Không mở lại được" in question.text
        closed = await browser.post(f"{url}/close", data=token)
        assert "Đã đóng công văn" in (await browser.get(closed.headers["location"])).text

        invite = await browser.post("/app/roster/invite", data={**token, "code": "so-tu-phap"})
        assert invite.status_code == 200
        assert "<svg" in invite.text
        assert "https://t.me/" in invite.text
        unknown = await browser.post("/app/roster/invite", data={**token, "code": "khong-co"})
        assert "khong-co" in (await browser.get(unknown.headers["location"])).text
    async with bot.sessionmaker() as session:
        kinds = set(
            (await session.scalars(select(Event.kind).where(Event.actor_id == ADMIN_ID))).all()
        )
    assert {
        "evidence.recheck_requested",
        "reminder.manual",
        "directive.closed",
        "invite.created",
        "web.signed_in",
    } <= kinds


async def test_pages_speak_the_language_chosen_with_lang(
    start_bot: StartBot, sandbox: Sandbox
) -> None:
    bot = await start_bot()
    await queue_letter(bot)
    admin = sandbox.add_user("Admin", user_id=ADMIN_ID)
    await admin.ask("/lang en", "English")
    async with httpx.AsyncClient(base_url=bot.web_url) as browser:
        assert (await browser.get(await web_link(sandbox, admin))).status_code == 200
        page = (await browser.get("/app")).text
    assert "Letters sent" in page
    assert "Công văn đã gửi" not in page


async def test_refusals_fill_the_event_log_only_up_to_a_budget(start_bot: StartBot) -> None:
    """Refusals need no sign-in: someone asking again and again must not fill the database."""
    bot = await start_bot()
    budget = RefusalBudget().per_minute
    async with httpx.AsyncClient(base_url=bot.web_url) as stranger:
        for _ in range(budget + 10):
            assert (await stranger.get("/web/login?token=forged")).status_code == 403
    assert await refusals(bot) == ["link"] * budget
