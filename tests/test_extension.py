"""Xin gia hạn through the sandbox: an officer asks for more time, the sender approves or
refuses, an approved date moves the agency's report reminders and overdue; /deadline."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, time, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.runner import RunningBot
from bot.sandbox import Sandbox, SentMessage, SimUser
from db.models import Agency, Delivery, Event, ExtensionRequest, ExtensionStatus
from tests.helpers import (
    ADMIN_ID,
    NUMBER,
    Clock,
    answer_to,
    eventually,
    join_officers,
    queue_letter,
)
from tests.hourly_reminders import CADENCE as HOURLY

DAY = timedelta(days=1)
# Hourly rounds as tests.hourly_reminders has them, never escalated within three.
CADENCE = {**HOURLY, "escalate_after": 3}


def at(day: date, tz: ZoneInfo, hour: int = 0) -> datetime:
    return datetime.combine(day, time(hour), tz)


async def own_schedule(bot: RunningBot, code: str) -> tuple[date | None, str | None, object, int]:
    """(own deadline, reminder phase, next reminder, rounds in the phase) of the agency."""
    async with bot.sessionmaker() as session:
        row = (
            await session.execute(
                select(
                    Delivery.deadline,
                    Delivery.reminder_phase,
                    Delivery.next_reminder_at,
                    Delivery.scheduled_reminders,
                )
                .join(Agency, Agency.id == Delivery.agency_id)
                .where(Agency.code == code)
            )
        ).one()
    return row[0], row[1], row[2], row[3]


async def copy(officer: SimUser) -> SentMessage:
    """The officer's copy of the letter (not a list that names it)."""
    return await officer.wait_for_message(
        NUMBER, timeout=15, where=lambda m: "Xin gia hạn" in str(m.buttons())
    )


async def phase(bot: RunningBot, code: str) -> str | None:
    return (await own_schedule(bot, code))[1]


async def ask_more_time(officer: SimUser, *answers: str) -> None:
    """Xin gia hạn under the letter, then each answer as a reply to the bot's last question."""
    await officer.press(await copy(officer), "Xin gia hạn")
    for answer in answers:
        question = await officer.wait_for_message(
            where=lambda m: "trả lời tin nhắn này" in m.shown_text and m.reply_to is None
        )
        await officer.send(answer, reply_to=question.message_id)


async def test_approved_extension_moves_the_agencys_reminders_and_overdue(
    start_bot: Callable[..., Awaitable[RunningBot]], sandbox: Sandbox, clock: Clock
) -> None:
    bot = await start_bot(reminders=CADENCE)
    tz = bot.settings.reminders.timezone
    admin = sandbox.add_user("Admin", user_id=ADMIN_ID)
    officers = await join_officers(bot.sessionmaker, sandbox, ["so-y-te", "so-tai-chinh"])
    asking, other = officers["so-y-te"][0], officers["so-tai-chinh"][0]
    deadline = clock().astimezone(tz).date() + 2 * DAY
    new_deadline = deadline + 5 * DAY
    await queue_letter(bot, to=("so-y-te", "so-tai-chinh"), deadline=deadline)
    for officer, code in ((asking, "so-y-te"), (other, "so-tai-chinh")):
        message = await copy(officer)
        # Pressed once the send is recorded (an officer cannot press within milliseconds).
        await eventually(partial(phase, bot, code), "ack")
        await officer.press(message, "Đã nhận")
        await officer.wait_for_message("Đã nhận bởi")
    # Acknowledged: both are chased for their report from the working day before the deadline.
    report_due = at(deadline - DAY, tz)
    await eventually(lambda: own_schedule(bot, "so-y-te"), (None, "completion", report_due, 0))

    await ask_more_time(asking, f"{new_deadline:%d/%m/%Y} chờ số liệu của các trung tâm")
    await asking.wait_for_message("Đã gửi Sở đề nghị gia hạn")
    request = await admin.wait_for_message("xin gia hạn")
    assert f"Hạn hiện tại: {deadline:%d/%m/%Y} → đề nghị: {new_deadline:%d/%m/%Y}" in (
        request.shown_text
    )
    assert "Lý do: chờ số liệu của các trung tâm" in request.shown_text
    # Only staff answer it: an officer forging the press is refused and changes nothing.
    forged = await other.press_data(await copy(other), "xd:1:y")
    assert "chỉ dành cho cán bộ Sở" in await answer_to(sandbox, forged)

    await admin.press(request, "Đồng ý")
    told = await asking.wait_for_message("đồng ý")
    assert f"hạn mới của đơn vị là {new_deadline:%d/%m/%Y}" in told.shown_text
    stamped = await admin.wait_for_message(
        where=lambda m: m.message_id == request.message_id and "Đã đồng ý bởi" in m.shown_text
    )
    assert stamped.buttons() == []
    replayed = await admin.press_data(request, "xd:1:n")
    assert "đã được trả lời" in await answer_to(sandbox, replayed)
    moved = at(new_deadline - DAY, tz)
    await eventually(lambda: own_schedule(bot, "so-y-te"), (new_deadline, "completion", moved, 0))

    # The day before the letter's deadline only the other agency is chased.
    clock.advance(at(deadline - DAY, tz, 1) - clock())
    chased = await other.wait_for_message("Nhắc báo cáo kết quả", timeout=10)
    assert f"Hạn: {deadline:%d/%m/%Y} (còn 1 ngày)" in chased.shown_text
    assert (await own_schedule(bot, "so-y-te"))[2:] == (moved, 0)
    # Past the letter's deadline only the other agency is overdue.
    clock.advance(at(deadline + DAY, tz, 1) - clock())
    card = await admin.ask("/status 1", "Tổng số đơn vị")
    assert "⏰ Quá hạn: 1 (50%)" in card.shown_text
    listing = await asking.ask("/viec", "cần xử lý")
    assert f"hạn {new_deadline:%d/%m/%Y} (đã gia hạn) · còn 4 ngày" in listing.shown_text
    # Its own deadline chases it in its turn, and its reminder counts down to it.
    clock.advance(at(new_deadline - DAY, tz, 1) - clock())
    own = await asking.wait_for_message("Nhắc báo cáo kết quả", timeout=10)
    assert f"Hạn: {new_deadline:%d/%m/%Y} (còn 1 ngày)" in own.shown_text
    async with bot.sessionmaker() as session:
        kinds = (await session.scalars(select(Event.kind).order_by(Event.id))).all()
    assert "extension.requested" in kinds
    assert "extension.approved" in kinds


async def test_refused_extension_leaves_the_deadline_and_the_officer_is_told(
    running: RunningBot, sandbox: Sandbox
) -> None:
    admin = sandbox.add_user("Admin", user_id=ADMIN_ID)
    [officer] = (await join_officers(running.sessionmaker, sandbox, ["so-y-te"]))["so-y-te"]
    tz = running.settings.reminders.timezone
    deadline = running.deps.clock().astimezone(tz).date() + 3 * DAY
    await queue_letter(running, to=("so-y-te",), deadline=deadline)
    # A date that cannot be read, or that is not later, is asked again; then the reason.
    await ask_more_time(officer, "tuần sau")
    await officer.wait_for_message("Không đọc được ngày")
    earlier = f"{deadline - DAY:%d/%m/%Y} gấp"
    question = await officer.wait_for_message("Hạn hiện tại")
    await officer.send(earlier, reply_to=question.message_id)
    await officer.wait_for_message("Ngày mới phải sau hạn hiện tại")
    await officer.send(f"{deadline + DAY:%d/%m/%Y}", reply_to=question.message_id)
    why = await officer.wait_for_message("bằng lý do xin gia hạn")
    await officer.send("chờ lãnh đạo ký", reply_to=why.message_id)
    await officer.wait_for_message("Đã gửi Sở đề nghị gia hạn")
    # Asked already: the list says so and the button says it is waiting.
    listing = await officer.ask("/viec", "cần xử lý")
    assert "⏳ đã xin gia hạn" in listing.shown_text
    again = await officer.press(await copy(officer), "Xin gia hạn")
    assert "đang chờ Sở trả lời" in await answer_to(sandbox, again)

    request = await admin.wait_for_message("xin gia hạn")
    await admin.press(request, "Từ chối")
    told = await officer.wait_for_message("không đồng ý")
    assert f"hạn vẫn là {deadline:%d/%m/%Y}" in told.shown_text
    async with running.sessionmaker() as session:
        assert await session.scalar(select(Delivery.deadline)) is None
        assert await session.scalar(select(ExtensionRequest.status)) == ExtensionStatus.REFUSED


async def test_staff_set_an_agencys_deadline_and_the_agency_is_told(
    running: RunningBot, sandbox: Sandbox
) -> None:
    admin = sandbox.add_user("Admin", user_id=ADMIN_ID)
    officers = await join_officers(running.sessionmaker, sandbox, ["so-y-te", "so-tai-chinh"])
    officer = officers["so-y-te"][0]
    tz = running.settings.reminders.timezone
    today = running.deps.clock().astimezone(tz).date()
    await queue_letter(running, to=("so-y-te",), deadline=today + DAY)
    await ask_more_time(officer, f"{today + 9 * DAY:%d/%m/%Y} chờ số liệu")
    await admin.wait_for_message("xin gia hạn")
    day = f"{today + 7 * DAY:%d/%m/%Y}"
    await admin.ask(f"/deadline 1 so-y-te {day} đã thống nhất qua điện thoại", "Đã đặt hạn")
    told = await officer.wait_for_message("Sở điều chỉnh hạn")
    assert f"{day}." in told.shown_text
    assert "Lý do: đã thống nhất qua điện thoại" in told.shown_text
    async with running.sessionmaker() as session:
        assert await session.scalar(select(Delivery.deadline)) == today + 7 * DAY
        assert await session.scalar(select(ExtensionRequest.status)) == (ExtensionStatus.SUPERSEDED)
    await admin.ask("/deadline 1 so-y-te hôm-nay lý do", "Cách dùng")
    for poison in ("31/12/9999", "01/01/0001"):  # issue 12: bounded where read
        await admin.ask(f"/deadline 1 so-y-te {poison} lý do", "từ hôm nay")
    await admin.ask(f"/deadline 1 so-noi-vu {day} lý do", "không nằm trong nơi nhận")
    await admin.ask(f"/deadline 9 so-y-te {day} lý do", "Không có công văn ID 9")
    await admin.ask(f"/deadline 1 so-y-te {today - DAY:%d/%m/%Y} lý do", "từ hôm nay")
    await officers["so-tai-chinh"][0].ask(
        f"/deadline 1 so-y-te {day} lý do", "chỉ dành cho cán bộ Sở"
    )
