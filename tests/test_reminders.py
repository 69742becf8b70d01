"""Reminders through the sandbox: who is chased, how often, escalation, restart, /remind.

The bot's clock is moved forward an hour at a time instead of waiting; working hours are
all day so that the tests do not depend on when they run (the working clock itself is
tested with fixed dates in test_workclock.py).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.deps import get_deps_from_app
from bot.runner import RunningBot
from bot.sandbox import Sandbox, SentMessage, SimUser
from db.models import (
    Contact,
    ContactRole,
    Delivery,
    DeliveryStatus,
    MessageKind,
    MessageStatus,
    OutboundMessage,
    Urgency,
)
from db.queries.people import block_contact, set_language
from tests.helpers import (
    ADMIN_ID,
    NUMBER,
    Clock,
    compose,
    eventually,
    join_officers,
    queue_letter,
)
from tests.hourly_reminders import HOUR, reminding_bot, schedule


class _AnyTime:
    """Equal to any time that is set: the schedule is compared without its exact instant."""

    def __eq__(self, other: object) -> bool:
        return other is not None

    def __repr__(self) -> str:
        return "<a time>"


ANY_TIME = _AnyTime()


async def letter_to_one_agency(
    bot: RunningBot, sandbox: Sandbox, text: str | None = None
) -> tuple[SimUser, SimUser, SentMessage]:
    """(officer, staff, letter): the letter sent to Sở Y tế's one officer, its first round set."""
    [officer] = (await join_officers(bot.sessionmaker, sandbox, ["so-y-te"]))["so-y-te"]
    admin = await send_letter(sandbox, ["so-y-te"], text)
    letter = await officer.wait_for_message(NUMBER, where=lambda m: bool(m.buttons()))
    await eventually(lambda: schedule_known(bot), True, timeout=10)
    return officer, admin, letter


async def send_letter(sandbox: Sandbox, codes: list[str], text: str | None = None) -> SimUser:
    admin = next((u for u in sandbox.users if u.id == ADMIN_ID), None) or sandbox.add_user(
        "Admin", user_id=ADMIN_ID
    )
    if text is None:
        await compose(admin, to=" ".join(codes))
    else:
        await compose(admin, text, to=" ".join(codes))
    await admin.press(await admin.wait_for_message("Bấm «Gửi»"), "Gửi")
    return admin


def reminders_in(user: SimUser, marker: str = "Nhắc") -> list[str]:
    return [m.shown_text for m in user.inbox if marker in m.shown_text]


async def waiting_reminders(bot: RunningBot) -> int:
    async with bot.sessionmaker() as session:
        count = await session.scalar(
            select(func.count(OutboundMessage.id)).where(
                OutboundMessage.kind == MessageKind.REMINDER,
                OutboundMessage.status.in_([MessageStatus.QUEUED, MessageStatus.SENDING]),
            )
        )
        return int(count or 0)


async def test_only_unanswered_agencies_are_reminded_escalated_and_never_past_max_count(
    sandbox: Sandbox, db_url: str, clock: Clock
) -> None:
    async with reminding_bot(sandbox, db_url, clock) as bot:
        officers = await join_officers(
            bot.sessionmaker, sandbox, ["so-y-te", "so-tai-chinh"], per_agency=2
        )
        primary, backup = officers["so-y-te"]
        answering = officers["so-tai-chinh"][0]
        await send_letter(sandbox, ["so-y-te", "so-tai-chinh"])
        letter = await answering.wait_for_message(NUMBER, where=lambda m: bool(m.buttons()))
        await answering.press(letter, "Đã nhận")
        await answering.wait_for_message("Đã nhận bởi")
        await eventually(lambda: schedule_known(bot), True, timeout=10)
        clock.advance(HOUR)
        first = await primary.wait_for_message("Nhắc lần 1", timeout=10)
        assert "chưa xác nhận đã nhận" in first.shown_text
        assert NUMBER in first.shown_text
        assert any("Đã nhận" in b.get("text", "") for b in first.buttons())
        assert any(b.get("url") == "https://book365.vn" for b in first.buttons())
        await eventually(lambda: schedule(bot, "so-y-te"), (1, 1, ANY_TIME), timeout=10)
        assert reminders_in(backup) == []  # the backup joins only from round 2

        for round_number in (2, 3):
            clock.advance(HOUR)
            for user in (primary, backup):
                text = (
                    await user.wait_for_message(f"Nhắc lần {round_number}", timeout=10)
                ).shown_text
                assert "gửi cả lãnh đạo và đầu mối dự phòng" in text
        clock.advance(HOUR * 5)
        await eventually(lambda: schedule(bot, "so-y-te"), (3, 3, None), timeout=10)
        await eventually(lambda: waiting_reminders(bot), 0, timeout=10)
        assert len(reminders_in(primary)) == 3
        assert len(reminders_in(backup)) == 2
        assert reminders_in(answering) == []
        assert (await schedule(bot, "so-tai-chinh"))[0] == 0

        # A reminder's own button acknowledges for the agency.
        await primary.press(first, "Đã nhận")
        await primary.wait_for_message("Đã nhận bởi")


async def test_acknowledging_stops_reminders_even_one_already_queued(
    sandbox: Sandbox, db_url: str, clock: Clock
) -> None:
    async with reminding_bot(sandbox, db_url, clock) as bot:
        officer, _, letter = await letter_to_one_agency(bot, sandbox)
        clock.advance(HOUR)
        await officer.wait_for_message("Nhắc lần 1", timeout=10)
        await officer.press(letter, "Đã nhận")
        await officer.wait_for_message("Đã nhận bởi")
        # The letter asks for no report: acknowledging ends the schedule for good.
        await eventually(lambda: schedule(bot, "so-y-te"), (1, 1, None), timeout=10)
        clock.advance(HOUR * 10)
        reminders = get_deps_from_app(bot.application.bot_data).reminders
        await reminders.tick()
        assert await waiting_reminders(bot) == 0
        assert len(reminders_in(officer)) == 1


async def test_a_restart_sends_one_round_for_all_it_missed(
    sandbox: Sandbox, db_url: str, clock: Clock
) -> None:
    async with reminding_bot(sandbox, db_url, clock) as bot:
        officer, _, _ = await letter_to_one_agency(bot, sandbox)
    clock.advance(HOUR * 5 + timedelta(minutes=30))  # five rounds fell due while it was down
    async with reminding_bot(sandbox, db_url, clock) as bot:
        await officer.wait_for_message("Nhắc lần 1", timeout=10)
        await eventually(lambda: waiting_reminders(bot), 0, timeout=10)
        sent, scheduled, next_at = await schedule(bot, "so-y-te")
        assert (sent, scheduled) == (1, 1)
        assert isinstance(next_at, type(clock()))
        assert next_at > clock() + timedelta(minutes=50)
        assert len(reminders_in(officer)) == 1


async def schedule_known(bot: RunningBot, code: str = "so-y-te") -> bool:
    """Whether the agency's first round is scheduled: its letter's send is committed."""
    return (await schedule(bot, code))[2] is not None


async def test_completion_reminders_say_how_far_past_the_deadline(
    sandbox: Sandbox, db_url: str, clock: Clock
) -> None:
    # Yesterday as seen when the reminder goes out, an hour from now (midnight may fall between).
    yesterday = (clock() + HOUR - timedelta(days=1)).astimezone(make_tz()).date()
    text = (
        f"V/v báo cáo ngày sách\nSố: {NUMBER}\nHạn: {yesterday:%d/%m/%Y}\n"
        "Đăng https://book365.vn lên trang của đơn vị."
    )
    async with reminding_bot(sandbox, db_url, clock) as bot:
        officer, _, letter = await letter_to_one_agency(bot, sandbox, text)
        await officer.press(letter, "Đã nhận")
        await officer.wait_for_message("Đã nhận bởi")
        clock.advance(HOUR)
        reminder = await officer.wait_for_message("Nhắc báo cáo kết quả", timeout=10)
        assert "quá hạn 1 ngày" in reminder.shown_text
        assert f"Hạn: {yesterday:%d/%m/%Y}" in reminder.shown_text
        assert "chưa xác nhận đã nhận" not in reminder.shown_text


def make_tz() -> ZoneInfo:
    return ZoneInfo("Asia/Ho_Chi_Minh")


async def test_remind_now_pause_and_resume(sandbox: Sandbox, db_url: str, clock: Clock) -> None:
    async with reminding_bot(sandbox, db_url, clock, max_count=1) as bot:
        officers = await join_officers(bot.sessionmaker, sandbox, ["so-y-te", "so-tai-chinh"])
        waiting, answering = officers["so-y-te"][0], officers["so-tai-chinh"][0]
        admin = await send_letter(sandbox, ["so-y-te", "so-tai-chinh"])
        letter = await answering.wait_for_message(NUMBER, where=lambda m: bool(m.buttons()))
        await answering.press(letter, "Đã nhận")
        await answering.wait_for_message("Đã nhận bởi")
        await eventually(lambda: schedule_known(bot), True, timeout=10)
        reply = await admin.ask("/remind 1", "Đã xếp nhắc")
        assert "1 đơn vị" in reply.shown_text
        manual = await waiting.wait_for_message("Sở nhắc", timeout=10)
        assert NUMBER in manual.shown_text
        # Counted in the report, not against max_count: the scheduled round still comes.
        await eventually(lambda: schedule(bot, "so-y-te"), (1, 0, ANY_TIME), timeout=10)

        assert "Đã tạm dừng" in (await admin.ask("/remind 1 pause", "tạm dừng")).shown_text
        clock.advance(HOUR * 3)
        reminders = get_deps_from_app(bot.application.bot_data).reminders
        await reminders.tick()
        assert await waiting_reminders(bot) == 0
        assert reminders_in(waiting, "Nhắc lần") == []

        assert "Đã tiếp tục" in (await admin.ask("/remind 1 resume", "tiếp tục")).shown_text
        await waiting.wait_for_message("Nhắc lần 1", timeout=10)
        await eventually(lambda: schedule(bot, "so-y-te"), (2, 1, None), timeout=10)
        assert reminders_in(answering) == []

        for bad in ("/remind", "/remind abc", "/remind 1 later"):
            assert "Cách dùng" in (await admin.ask(bad, "Cách dùng")).shown_text
        assert "Không có công văn ID 99" in (await admin.ask("/remind 99", "99")).shown_text
        stranger = sandbox.add_user("Người lạ")
        refusal = await stranger.ask("/remind 1")
        assert NUMBER not in refusal.shown_text
        assert "Sở nhắc" not in refusal.shown_text
        assert len(reminders_in(waiting, "Sở nhắc")) == 1


async def test_an_agency_nobody_can_receive_for_is_reported_to_staff(
    sandbox: Sandbox, db_url: str, clock: Clock
) -> None:
    async with reminding_bot(sandbox, db_url, clock) as bot:
        officer, admin, _ = await letter_to_one_agency(bot, sandbox)
        async with bot.sessionmaker.begin() as session:  # as when a send gets 403
            contact_id = await session.scalar(
                select(Contact.id).where(Contact.telegram_user_id == officer.id)
            )
            assert contact_id is not None
            await block_contact(session, contact_id, clock())
            await set_language(session, admin.id, "en")  # the sender is told in their language
        clock.advance(HOUR)
        notice = await admin.wait_for_message("Could not remind", timeout=10)
        assert "Sở Y tế" in notice.shown_text
        assert NUMBER in notice.shown_text
        await eventually(lambda: schedule(bot, "so-y-te"), (0, 0, None), timeout=10)


async def test_the_daily_digest_reaches_staff_once(
    sandbox: Sandbox, db_url: str, clock: Clock
) -> None:
    async with reminding_bot(sandbox, db_url, clock) as bot:
        [officer] = (await join_officers(bot.sessionmaker, sandbox, ["so-y-te"]))["so-y-te"]
        admin = await send_letter(sandbox, ["so-y-te", "so-tai-chinh"])
        await officer.wait_for_message(NUMBER, where=lambda m: bool(m.buttons()))
    # The digest time has come (00:00 local, every day a working day here): one digest.
    async with reminding_bot(sandbox, db_url, clock, staff_digest_at="00:00") as bot:
        digest = await admin.wait_for_message("Tổng hợp ngày", timeout=10)
        today = clock().astimezone(make_tz()).date()
        assert f"{today:%d/%m/%Y}" in digest.shown_text
        # Agencies under their group's name, as a clerk reads it ([groups]), not its slug.
        assert "Không liên lạc được (1):\n    • Sở, ban, ngành (1): Sở Tài chính" in (
            digest.shown_text
        )
        reminders = get_deps_from_app(bot.application.bot_data).reminders
        await reminders.tick()
        assert len([m for m in admin.inbox if "Tổng hợp ngày" in m.shown_text]) == 1
        assert "Chưa xác nhận đã nhận (1):\n    • Sở, ban, ngành (1): Sở Y tế" in digest.shown_text


async def test_closing_a_letter_ends_its_reminders_and_answers(
    sandbox: Sandbox, db_url: str, clock: Clock
) -> None:
    async with reminding_bot(sandbox, db_url, clock) as bot:
        officer, admin, letter = await letter_to_one_agency(bot, sandbox)

        stranger = sandbox.add_user("Người lạ")
        assert "Đóng công văn" not in (await stranger.ask("/close 1")).shown_text
        assert "Cách dùng" in (await admin.ask("/close", "Cách dùng")).shown_text
        question = await admin.ask("/close 1", "Đóng công văn số")
        await admin.press(question, "Không đóng")
        await admin.wait_for_message("Công văn vẫn mở.")
        question = await admin.ask("/close 1", "Đóng công văn số")
        await admin.press(question, "Đóng công văn")
        await admin.wait_for_message("Đã đóng công văn số")
        assert (await schedule(bot, "so-y-te"))[2] is None

        clock.advance(HOUR * 5)
        await get_deps_from_app(bot.application.bot_data).reminders.tick()
        assert await waiting_reminders(bot) == 0
        assert reminders_in(officer) == []
        press = await officer.press(letter, "Đã nhận")
        query_id = press["callback_query"]["id"]
        [answer] = await sandbox.wait_for("answerCallbackQuery", callback_query_id=query_id)
        assert answer.params.get("text")  # refused politely
        async with bot.sessionmaker() as session:
            status = await session.scalar(select(Delivery.status))
        assert status == DeliveryStatus.SENT
        assert "Không có công văn ID 1" in (await admin.ask("/close 1", "ID 1")).shown_text


async def test_escalated_rounds_reach_the_agencys_head(
    sandbox: Sandbox, db_url: str, clock: Clock
) -> None:
    """A head contact (invited as such) is not disturbed by round 1, and is included from
    round escalate_after + 1 (here 2) with the escalation wording."""
    async with reminding_bot(sandbox, db_url, clock) as bot:
        [primary] = (await join_officers(bot.sessionmaker, sandbox, ["so-y-te"]))["so-y-te"]
        [head] = (
            await join_officers(bot.sessionmaker, sandbox, ["so-y-te"], role=ContactRole.HEAD)
        )["so-y-te"]
        await queue_letter(bot, to=("so-y-te",))
        await head.wait_for_message(NUMBER, where=lambda m: bool(m.buttons()))
        await eventually(lambda: schedule_known(bot), True, timeout=10)
        clock.advance(HOUR)
        await primary.wait_for_message("Nhắc lần 1", timeout=10)
        await eventually(lambda: schedule(bot, "so-y-te"), (1, 1, ANY_TIME), timeout=10)
        assert reminders_in(head) == []
        clock.advance(HOUR)
        escalated = await head.wait_for_message("Nhắc lần 2", timeout=10)
        assert "gửi cả lãnh đạo" in escalated.shown_text
        assert NUMBER in escalated.shown_text


def _next(weekday: int, hour: int, minute: int, after: datetime) -> datetime:
    """The next `weekday` (Monday 0) at hour:minute in Sóc Trăng, after `after`."""
    local = after.astimezone(make_tz())
    day = local.date() + timedelta(days=1)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return datetime.combine(day, time(hour, minute), make_tz())


async def test_rounds_due_outside_working_hours_wait_for_the_next_working_minute(
    sandbox: Sandbox, db_url: str, clock: Clock
) -> None:
    """Office hours, Monday to Friday: a letter sent on Saturday is first chased an hour of
    working time after work starts again (Monday 08:30), and nothing goes out before."""
    saturday = _next(5, 10, 0, clock())
    clock.advance(saturday - clock())
    office = {"working_hours": "07:30-17:00", "working_days": "mon-fri"}
    async with reminding_bot(sandbox, db_url, clock, **office) as bot:
        officer, _, _ = await letter_to_one_agency(bot, sandbox)
        clock.advance(HOUR * 2)  # Saturday noon: nothing to send
        await bot.deps.reminders.tick()
        assert await schedule(bot, "so-y-te") == (0, 0, ANY_TIME)
        assert await waiting_reminders(bot) == 0
        sunday_evening = _next(6, 20, 0, clock())
        clock.advance(sunday_evening - clock())
        await bot.deps.reminders.tick()
        assert reminders_in(officer) == []
        monday_early = _next(0, 7, 45, clock())
        clock.advance(monday_early - clock())
        await bot.deps.reminders.tick()
        assert reminders_in(officer) == []  # work started, but the hour has not passed
        clock.advance(HOUR)
        reminder = await officer.wait_for_message("Nhắc lần 1", timeout=10)
        assert NUMBER in reminder.shown_text
        assert (await schedule(bot, "so-y-te"))[:2] == (1, 1)


async def test_an_urgent_letter_counts_working_hours_across_the_evening(
    sandbox: Sandbox, db_url: str, clock: Clock
) -> None:
    # Khẩn, every 4 working hours; a round at 15:30 → the next at 10:00 next day.
    tz = make_tz()
    clock.advance(datetime(2026, 11, 26, 13, 30, tzinfo=tz) - clock())  # a Thursday
    office = {"working_hours": "07:30-17:00", "working_days": "mon-fri", "holidays": "VN"}
    async with reminding_bot(sandbox, db_url, clock, max_count=3, **office) as bot:
        [officer] = (await join_officers(bot.sessionmaker, sandbox, ["so-y-te"]))["so-y-te"]
        await queue_letter(bot, to=("so-y-te",), urgency=Urgency.KHAN)
        await officer.wait_for_message(NUMBER, where=lambda m: bool(m.buttons()))
        await eventually(lambda: schedule_known(bot), True, timeout=10)
        first_due = (await schedule(bot, "so-y-te"))[2]
        assert isinstance(first_due, datetime)
        assert f"{first_due.astimezone(tz):%a %H:%M}" == "Thu 15:30"  # first after 2 h

        clock.advance(2 * HOUR)
        await officer.wait_for_message("Nhắc lần 1", timeout=10)
        sent, rounds, next_due = await schedule(bot, "so-y-te")
        assert (sent, rounds) == (1, 1)
        assert isinstance(next_due, datetime)
        assert f"{next_due.astimezone(tz):%a %d/%m %H:%M}" == "Fri 27/11 10:00"
