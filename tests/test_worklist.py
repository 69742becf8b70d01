"""/viec through the sandbox: an agency's open letters, nearest deadline first, each with where
it stands and only the buttons that apply; and the officers' own command menu."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.answers.by_hand import MarkStatus, mark_by_hand
from bot.onboarding.invites import create_invite
from bot.runner import RunningBot
from bot.sandbox import Sandbox, SentMessage, SimUser
from db.models import Delivery, DeliveryStatus, Directive
from tests.helpers import eventually, join_officers, queue_letter

DAY = timedelta(days=1)


async def letter_numbered(officer: SimUser, number: str) -> SentMessage:
    return await officer.wait_for_message(number, timeout=15, where=lambda m: bool(m.buttons()))


def labels(message: SentMessage) -> list[str]:
    return [str(button["text"]) for button in message.buttons()]


async def test_viec_lists_open_letters_nearest_deadline_first_with_their_buttons(
    running: RunningBot, sandbox: Sandbox
) -> None:
    officers = await join_officers(running.sessionmaker, sandbox, ["so-y-te", "so-tai-chinh"])
    officer = officers["so-y-te"][0]
    today = running.deps.clock().astimezone(running.settings.reminders.timezone).date()
    letters = {
        "10/STTTT": today + 10 * DAY,
        "11/STTTT": today + 2 * DAY,
        "12/STTTT": None,
        "13/STTTT": today - 3 * DAY,
        "14/STTTT": today + 1 * DAY,  # completed by hand below: not owed any more
    }
    for number, deadline in letters.items():
        await queue_letter(running, to=("so-y-te",), number=number, deadline=deadline)
    await queue_letter(running, to=("so-tai-chinh",), number="15/STTTT")  # another agency's
    copies = {number: await letter_numbered(officer, number) for number in letters}

    await officer.press(copies["11/STTTT"], "Đã nhận")
    await officer.wait_for_message("Đã nhận bởi")
    await officer.press(copies["10/STTTT"], "Xin gia hạn")
    question = await officer.wait_for_message("trả lời tin nhắn này")
    await officer.send(f"{today + 20 * DAY:%d/%m/%Y} chờ số liệu", reply_to=question.message_id)
    await officer.wait_for_message("Đã gửi Sở đề nghị gia hạn")
    async with running.sessionmaker.begin() as session:
        done = await session.scalar(select(Directive.id).where(Directive.number == "14/STTTT"))
        assert done is not None
        await mark_by_hand(
            session,
            directive_id=done,
            agency_code="so-y-te",
            status=MarkStatus.COMPLETED,
            reason="đã báo cáo qua điện thoại",
            staff_id=None,
            now=datetime.now(UTC),
        )

    listing = await officer.ask("/viec", "cần xử lý")
    lines = listing.shown_text.split("\n")
    shown = [line.split()[2] for line in lines if line[:1].isdigit()]
    assert shown == ["13/STTTT", "11/STTTT", "10/STTTT", "12/STTTT"]
    statuses = [line.strip() for line in lines if line.startswith("    ")]
    assert statuses == [
        f"⬜ chưa nhận · hạn {today - 3 * DAY:%d/%m/%Y} · ⏰ quá hạn 3 ngày",
        f"✅ đã nhận · hạn {today + 2 * DAY:%d/%m/%Y} · còn 2 ngày",
        f"⬜ chưa nhận · hạn {today + 10 * DAY:%d/%m/%Y} · còn 10 ngày · ⏳ đã xin gia hạn",
        "⬜ chưa nhận · không có hạn",
    ]
    assert labels(listing) == [
        "1. ✅ Đã nhận",
        "1. 📝 Báo cáo",
        "1. ⏳ Gia hạn",
        "2. 📝 Báo cáo",  # acknowledged already
        "2. ⏳ Gia hạn",
        "3. ✅ Đã nhận",
        "3. 📝 Báo cáo",  # more time asked already
        "4. ✅ Đã nhận",
        "4. 📝 Báo cáo",
        "4. ⏳ Gia hạn",
    ]

    # Đã nhận in the list acknowledges for the agency and shows the list again.
    await officer.press(listing, "4. ✅ Đã nhận")
    updated = await officer.wait_for_message(
        where=lambda m: m.message_id == listing.message_id and "4. ✅ Đã nhận" not in labels(m)
    )
    assert "✅ đã nhận · không có hạn" in updated.shown_text

    async def no_deadline_letter() -> DeliveryStatus | None:
        async with running.sessionmaker() as session:
            return await session.scalar(
                select(Delivery.status)
                .join(Directive, Directive.id == Delivery.directive_id)
                .where(Directive.number == "12/STTTT")
            )

    await eventually(no_deadline_letter, DeliveryStatus.ACKNOWLEDGED)
    # Its other buttons are the letter's own: Xin gia hạn asks for the new date.
    await officer.press(updated, "4. ⏳ Gia hạn")
    await officer.wait_for_message("Hạn hiện tại: chưa có hạn")

    other = officers["so-tai-chinh"][0]
    mine = await other.ask("/viec", "cần xử lý")
    assert "15/STTTT" in mine.shown_text
    assert "13/STTTT" not in mine.shown_text
    stranger = sandbox.add_user("Người lạ")
    await stranger.ask("/viec", "dành cho cán bộ đầu mối")


async def test_an_agency_with_nothing_owed_is_told_so(
    running: RunningBot, sandbox: Sandbox
) -> None:
    [officer] = (await join_officers(running.sessionmaker, sandbox, ["so-y-te"]))["so-y-te"]
    reply = await officer.ask("/viec", "không còn công văn nào")
    assert reply.buttons() == []


async def test_officers_get_their_own_menu_when_they_join(
    running: RunningBot, sandbox: Sandbox
) -> None:
    async with running.sessionmaker.begin() as session:
        invite = await create_invite(session, agency_code="so-y-te", now=datetime.now(UTC))
    officer = sandbox.add_user("Officer")
    await officer.ask(f"/start {invite.token}", "Chào mừng")

    async def menus() -> list[list[str]]:
        return [
            [c["command"] for c in sandbox.commands(f"chat:{officer.id}", language)]
            for language in ("", "en")
        ]

    await eventually(menus, [["viec", "help", "whoami", "lang"]] * 2)
    # Everyone else keeps the menu for strangers.
    everyone = [c["command"] for c in sandbox.commands("all_private_chats")]
    assert everyone == ["start", "help", "whoami", "lang"]
