"""Onboarding end to end: the real Application, polling the sandbox over HTTP."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from bot.runner import RunningBot
from bot.sandbox import Sandbox, SimUser
from db.models import Contact, ContactRole, ContactStatus, Staff
from db.queries.people import list_contacts
from tests.helpers import ADMIN_ID, EXAMPLE_ROSTER, Clock, eventually, join_officers

LINK = re.compile(r"https://t\.me/(\w+)\?start=([A-Za-z0-9_-]+)")


async def invite_token(admin: SimUser, code: str) -> str:
    reply = await admin.ask(f"/invite {code}", contains="start=")
    match = LINK.search(reply.text or "")
    assert match is not None, reply.text
    assert match.group(1) == "agency_sandbox_bot"
    return match.group(2)


async def contacts_of(bot: RunningBot) -> dict[str, tuple[str, ContactRole, ContactStatus]]:
    async with bot.sessionmaker() as session:
        return {
            c.display_name: (c.agency_code, c.role, c.status) for c in await list_contacts(session)
        }


async def test_officers_join_first_primary_then_backup(
    running: RunningBot, sandbox: Sandbox
) -> None:
    admin = sandbox.add_user("Nguyễn Văn An", user_id=ADMIN_ID)
    first, second = sandbox.add_user("Trần Thị Bích"), sandbox.add_user("Lê Văn Cường")

    welcome = await first.ask(f"/start {await invite_token(admin, 'bao-soc-trang')}", "Chào mừng")
    assert "Báo Sóc Trăng" in (welcome.text or "")
    assert "đầu mối chính" in (welcome.text or "")
    welcome = await second.ask(f"/start {await invite_token(admin, 'bao-soc-trang')}", "Chào mừng")
    assert "đầu mối dự phòng" in (welcome.text or "")

    assert await contacts_of(running) == {
        "Trần Thị Bích": ("bao-soc-trang", ContactRole.PRIMARY, ContactStatus.ACTIVE),
        "Lê Văn Cường": ("bao-soc-trang", ContactRole.BACKUP, ContactStatus.ACTIVE),
    }


async def test_garbage_token_is_refused_and_binds_nothing(
    running: RunningBot, sandbox: Sandbox
) -> None:
    stranger = sandbox.add_user("Kẻ Lạ")
    for token in ("abc", "x" * 22, "<script>", "' OR 1=1 --"):
        reply = await stranger.ask(f"/start {token}", "không hợp lệ")
        assert "liên hệ Sở" in (reply.text or "")
    assert await contacts_of(running) == {}


async def test_used_up_token_is_refused(running: RunningBot, sandbox: Sandbox) -> None:
    admin = sandbox.add_user("Admin", user_id=ADMIN_ID)
    token = await invite_token(admin, "so-y-te")
    await sandbox.add_user("Officer").ask(f"/start {token}", "Chào mừng")
    late = sandbox.add_user("Latecomer")
    await late.ask(f"/start {token}", "đã được sử dụng hết")
    assert "Latecomer" not in await contacts_of(running)


async def test_expired_token_is_refused(
    running: RunningBot, sandbox: Sandbox, clock: Clock
) -> None:
    admin = sandbox.add_user("Admin", user_id=ADMIN_ID)
    token = await invite_token(admin, "so-y-te")
    clock.advance(timedelta(days=7, seconds=1))
    reply = await sandbox.add_user("Slow").ask(f"/start {token}", "đã hết hạn")
    assert re.search(r"\d\d:\d\d \d\d/\d\d/\d{4}", reply.text or "")
    assert await contacts_of(running) == {}


async def test_start_alone_explains_how_to_join(running: RunningBot, sandbox: Sandbox) -> None:
    reply = await sandbox.add_user("Curious").ask("/start", "đường link mời")
    assert "Sở Thông tin và Truyền thông" in (reply.text or "")


async def test_joining_twice_changes_nothing(running: RunningBot, sandbox: Sandbox) -> None:
    admin = sandbox.add_user("Admin", user_id=ADMIN_ID)
    officer = sandbox.add_user("Officer")
    await officer.ask(f"/start {await invite_token(admin, 'so-y-te')}", "Chào mừng")
    await officer.ask(f"/start {await invite_token(admin, 'so-y-te')}", "Không cần đăng ký lại")
    reply = await officer.ask(f"/start {await invite_token(admin, 'so-noi-vu')}", "Sở Y tế")
    assert "chỉ nhận công văn cho một đơn vị" in (reply.text or "")
    assert await contacts_of(running) == {
        "Officer": ("so-y-te", ContactRole.PRIMARY, ContactStatus.ACTIVE)
    }


async def test_whoami_and_help_differ_for_staff_contacts_and_strangers(
    running: RunningBot, sandbox: Sandbox
) -> None:
    admin = sandbox.add_user("Admin", user_id=ADMIN_ID)
    officer, stranger = sandbox.add_user("Officer"), sandbox.add_user("Stranger")
    await officer.ask(f"/start {await invite_token(admin, 'hoi-vhnt')}", "Chào mừng")

    assert "quản trị viên" in ((await admin.ask("/whoami", "Sở")).text or "")
    reply = await officer.ask("/whoami", "hoi-vhnt")
    assert "đầu mối chính" in (reply.text or "")
    assert str(stranger.id) in ((await stranger.ask("/whoami", "chưa đăng ký")).text or "")

    assert "/invite" in ((await admin.ask("/help", "cán bộ Sở")).text or "")
    assert "Đã nhận" in ((await officer.ask("/help", "cán bộ đầu mối")).text or "")
    assert "/invite" not in ((await stranger.ask("/help", "Hướng dẫn")).text or "")


async def test_lang_switches_to_english_and_back(running: RunningBot, sandbox: Sandbox) -> None:
    user = sandbox.add_user("Mai")
    menu = await user.ask("/lang", "Choose your language")
    await user.press(menu, "English")
    await user.wait_for_message("Language set to English")
    assert "To receive letters" in ((await user.ask("/start", "invite link")).text or "")
    await user.ask("/lang vi", "Tiếng Việt")
    await user.ask("/start", "đường link mời")
    await user.ask("/lang fr", "Ngôn ngữ không hỗ trợ")


async def test_english_telegram_app_gets_english(running: RunningBot, sandbox: Sandbox) -> None:
    user = sandbox.add_user("John", language_code="en")
    await user.ask("/start", "To receive letters")


async def test_non_staff_cannot_invite_or_manage_staff(
    running: RunningBot, sandbox: Sandbox
) -> None:
    stranger = sandbox.add_user("Stranger")
    await stranger.ask("/invite so-y-te", "chỉ dành cho cán bộ Sở")
    await stranger.ask("/staff add 5 operator", "chỉ dành cho quản trị viên")
    await stranger.ask("/agencies", "chỉ dành cho cán bộ Sở")
    assert not [m for m in stranger.inbox if "start=" in m.shown_text]
    async with running.sessionmaker() as session:
        assert await session.scalar(select(func.count(Staff.id))) == 0


async def test_admin_adds_an_operator_who_can_then_invite(
    running: RunningBot, sandbox: Sandbox
) -> None:
    admin = sandbox.add_user("Admin", user_id=ADMIN_ID)
    operator = sandbox.add_user("Operator")
    await operator.ask("/invite so-y-te", "chỉ dành cho cán bộ Sở")
    await admin.ask(f"/staff add {operator.id} operator", "cán bộ điều hành")
    await invite_token(operator, "so-y-te")
    await operator.ask(f"/staff add {operator.id + 1} operator", "chỉ dành cho quản trị viên")
    menu = [c["command"] for c in sandbox.commands(f"chat:{operator.id}")]
    assert "invite" in menu
    assert "staff" not in menu  # an operator cannot manage staff
    await admin.ask(f"/staff remove {operator.id}", "Đã xóa")
    await operator.ask("/invite so-y-te", "chỉ dành cho cán bộ Sở")
    await admin.ask(f"/staff remove {ADMIN_ID}", "tệp cấu hình")
    await admin.ask("/staff add abc operator", "phải là một số")
    await admin.ask("/staff add 77 boss", "Vai trò không hợp lệ")


async def test_invite_for_unknown_agency_is_explained(
    running: RunningBot, sandbox: Sandbox
) -> None:
    admin = sandbox.add_user("Admin", user_id=ADMIN_ID)
    await admin.ask("/invite khong-co", "Không có đơn vị mã khong-co")
    await admin.ask("/invite", "Cách dùng")


async def test_command_menus_are_published_per_role(running: RunningBot, sandbox: Sandbox) -> None:
    everyone = [c["command"] for c in sandbox.commands("all_private_chats")]
    assert everyone == ["start", "help", "whoami", "lang"]
    assert sandbox.commands(f"chat:{ADMIN_ID}") == []  # Telegram: "chat not found" until /start
    await sandbox.add_user("Admin", user_id=ADMIN_ID).ask("/start", "quản trị viên")
    admin = [c["command"] for c in sandbox.commands(f"chat:{ADMIN_ID}")]
    assert {"invite", "agencies", "staff"} <= set(admin)


async def test_blocking_marks_the_contact_and_start_brings_it_back(
    running: RunningBot, sandbox: Sandbox
) -> None:
    admin = sandbox.add_user("Admin", user_id=ADMIN_ID)
    officer = sandbox.add_user("Officer")
    await officer.ask(f"/start {await invite_token(admin, 'dai-ptth')}", "Chào mừng")
    officer.block()

    async def status() -> ContactStatus | None:
        async with running.sessionmaker() as session:
            return await session.scalar(select(Contact.status))

    await eventually(lambda: status(), ContactStatus.BLOCKED)
    officer.unblock()
    await officer.ask("/start", "trở lại")
    assert await status() == ContactStatus.ACTIVE


async def test_agencies_lists_the_roster_for_staff_only(
    running: RunningBot, sandbox: Sandbox
) -> None:
    await join_officers(running.sessionmaker, sandbox, ["bao-soc-trang"], per_agency=2)
    roster = len(EXAMPLE_ROSTER.read_text(encoding="utf-8").splitlines()) - 1
    admin = sandbox.add_user("Admin", user_id=ADMIN_ID)
    listing = await admin.ask("/agencies", "Danh sách đơn vị")
    assert f"({roster})" in listing.shown_text
    assert "bao-soc-trang Báo Sóc Trăng — 2 đầu mối" in listing.shown_text
    assert "dai-ptth Đài Phát thanh và Truyền hình Sóc Trăng — 0 đầu mối" in listing.shown_text
    assert f"… và {roster - 40} đơn vị khác" in listing.shown_text  # the CLI lists them all
    stranger = sandbox.add_user("Người lạ")
    refusal = await stranger.ask("/agencies", "chỉ dành cho cán bộ Sở")
    assert "bao-soc-trang" not in refusal.shown_text
